package org.jvmchat.hub.servlet.internal;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.internal.host.HostRequest;
import org.jvmchat.hub.servlet.ServletAuthenticator;

/** A Servlet request as the connection layer reads it. */
final class ServletRequestAdapter implements HostRequest {
  private final HttpServletRequest request;
  private HttpRequest converted;

  ServletRequestAdapter(HttpServletRequest request) {
    this.request = request;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String query(String name) {
    for (Map.Entry<String, List<String>> e : toHttpRequest().queryParameters().entrySet()) {
      if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
        return e.getValue().get(0);
      }
    }
    return null;
  }

  @Override
  public String header(String name) {
    return request.getHeader(name);
  }

  @Override
  public HttpRequest toHttpRequest() {
    if (converted == null) {
      converted = ServletAuthenticator.toHttpRequest(request);
    }
    return converted;
  }
}
