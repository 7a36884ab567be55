package org.jvmchat.protocol;

import java.lang.reflect.Type;
import java.util.List;
import java.util.function.Function;

/**
 * Tells a parser which Java types to bind message payloads to. The parser cannot know a hub's
 * methods; the receiver (server dispatcher or client) can. Mirrors ASP.NET Core's {@code
 * IInvocationBinder}.
 */
public interface InvocationBinder {

  /**
   * The parameter types of {@code target} as they appear in the {@code arguments} array (stream
   * parameters fed through {@code streamIds} excluded), or {@code null} when there is no such
   * target.
   */
  List<Type> parameterTypes(String target);

  /**
   * The expected result type of a completion for {@code invocationId}, or {@code null} to bind the
   * result generically (maps, lists, strings, numbers, booleans).
   */
  default Type returnType(String invocationId) {
    return null;
  }

  /** The item type of the stream {@code streamId}, or {@code null} to bind generically. */
  default Type streamItemType(String streamId) {
    return null;
  }

  /**
   * When true, every invocation's arguments are bound generically whatever its target (for tools,
   * tests and relays that do not dispatch); {@link #parameterTypes} is then not asked.
   */
  default boolean bindsGenerically() {
    return false;
  }

  /**
   * A binder for reading a client's answer to a client-result invocation: completions bind their
   * result to {@code returnTypes.apply(invocationId)} (null: generically); it knows no targets.
   */
  static InvocationBinder forCompletions(Function<String, Type> returnTypes) {
    return new InvocationBinder() {
      @Override
      public List<Type> parameterTypes(String target) {
        return null;
      }

      @Override
      public Type returnType(String invocationId) {
        return returnTypes.apply(invocationId);
      }
    };
  }

  /** A binder that binds every value generically: arguments, results and stream items. */
  InvocationBinder GENERIC =
      new InvocationBinder() {
        @Override
        public List<Type> parameterTypes(String target) {
          return null;
        }

        @Override
        public boolean bindsGenerically() {
          return true;
        }
      };
}
