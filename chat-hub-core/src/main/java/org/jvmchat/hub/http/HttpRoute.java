package org.jvmchat.hub.http;

/** One plain route; {@code pattern} may hold {@code {name}} segments. */
public record HttpRoute(String method, String pattern, HttpHandler handler) {}
