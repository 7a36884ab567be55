package org.jvmchat.hub;

import java.lang.reflect.Method;
import java.util.List;

/**
 * One invocation as a filter sees it.
 *
 * @param hubPath the path the hub is mapped to, e.g. {@code /hubs/chat}
 * @param methodName the name the client called
 * @param method the Java method that will run
 * @param arguments the bound arguments (stream parameters included, as publishers)
 */
public record HubInvocationContext(
    HubCallerContext context,
    String hubPath,
    Hub hub,
    String methodName,
    Method method,
    List<Object> arguments) {}
