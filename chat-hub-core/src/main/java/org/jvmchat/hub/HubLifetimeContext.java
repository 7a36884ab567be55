package org.jvmchat.hub;

/** A connection event as a filter sees it. */
public record HubLifetimeContext(HubCallerContext context, String hubPath, Hub hub) {}
