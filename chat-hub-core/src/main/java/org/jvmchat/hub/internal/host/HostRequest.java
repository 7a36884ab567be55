package org.jvmchat.hub.internal.host;

import org.jvmchat.hub.http.HttpRequest;

/** A hub request as a host hands it to the {@link ConnectionLayer}. */
public interface HostRequest {
  /** The method, upper case. */
  String method();

  /** The first value of a query parameter, its name matched case-insensitively; or null. */
  String query(String name);

  /** The first value of a header (name case-insensitive), or null. */
  String header(String name);

  /** The request as admissions and authenticators see it (no body). */
  HttpRequest toHttpRequest();
}
