package org.jvmchat.protocol.internal;

import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.InvocationBinder;
import org.jvmchat.protocol.InvocationBindingFailureMessage;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.StreamInvocationMessage;

/**
 * The envelope rules both hub protocols share, whatever the encoding: which message types exist,
 * how an invocation's target is looked up in the binder, and what an invocation whose arguments do
 * not bind becomes.
 */
public final class Envelope {
  private Envelope() {}

  /** A type outside 1..9 maps to 0, which is skipped like any other unknown type. */
  public static int messageType(long type) {
    return type >= HubMessage.TYPE_INVOCATION && type <= HubMessage.TYPE_SEQUENCE ? (int) type : 0;
  }

  /**
   * The argument types of {@code target}: {@code null} when the binder binds everything
   * generically. Check {@link #isUnknownTarget} first.
   */
  public static List<Type> parameterTypes(InvocationBinder binder, String target) {
    return binder.bindsGenerically() ? null : binder.parameterTypes(target);
  }

  /** Whether {@code types} (from {@link #parameterTypes}) says the target does not exist. */
  public static boolean isUnknownTarget(InvocationBinder binder, List<Type> types) {
    return types == null && !binder.bindsGenerically();
  }

  public static InvocationBindingFailureMessage unknownTarget(
      String invocationId, String target, boolean streaming) {
    return new InvocationBindingFailureMessage(
        invocationId, target, streaming, true, "Unknown hub method '" + target + "'");
  }

  public static InvocationBindingFailureMessage bindingFailed(
      String invocationId, String target, boolean streaming, Binding.Failure failure) {
    return new InvocationBindingFailureMessage(
        invocationId, target, streaming, false, failure.getMessage());
  }

  /** The invocation or stream invocation with its bound arguments. */
  public static HubMessage invocation(
      boolean streaming,
      Map<String, String> headers,
      String invocationId,
      String target,
      List<Object> arguments,
      List<String> streamIds) {
    return streaming
        ? new StreamInvocationMessage(headers, invocationId, target, arguments, streamIds)
        : new InvocationMessage(headers, invocationId, target, arguments, streamIds);
  }
}
