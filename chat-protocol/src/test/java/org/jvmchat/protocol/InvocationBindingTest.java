package org.jvmchat.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Type;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;

/**
 * A well-formed message whose values do not fit the binder's types fails only that invocation (or
 * stream, or result): the parser returns a failure message, not an exception, and the messages
 * after it are parsed as usual.
 */
class InvocationBindingTest {

  record ChatMessage(String id, String roomId, String content, Instant createdAt) {}

  static final InvocationBinder BINDER =
      new InvocationBinder() {
        @Override
        public List<Type> parameterTypes(String target) {
          return switch (target) {
            case "Send" -> List.of(String.class, int.class);
            case "Post" -> List.of(ChatMessage.class);
            case "Counter" -> List.of(int.class);
            default -> null;
          };
        }

        @Override
        public Type returnType(String invocationId) {
          return "typed".equals(invocationId) ? Integer.class : null;
        }

        @Override
        public Type streamItemType(String streamId) {
          return "ints".equals(streamId) ? Integer.class : null;
        }
      };

  static Stream<HubProtocol> protocols() {
    return Stream.of(new JsonHubProtocol(), new MessagePackHubProtocol());
  }

  /** Parses {@code message} as written by {@code protocol}, followed by a Ping. */
  private static HubMessage parseWithPingAfter(HubProtocol protocol, HubMessage message) {
    List<HubMessage> out =
        Bytes.parseAll(
            protocol,
            BINDER,
            Bytes.concat(protocol.toBytes(message), protocol.toBytes(PingMessage.INSTANCE)));
    assertThat(out).hasSize(2);
    assertThat(out.get(1)).isEqualTo(PingMessage.INSTANCE);
    return out.get(0);
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void bindsArgumentsToTheTargetsParameterTypes(HubProtocol protocol) {
    assertThat(parseWithPingAfter(protocol, InvocationMessage.invoke("0", "Send", "a", 1)))
        .isEqualTo(InvocationMessage.invoke("0", "Send", "a", 1));
    ChatMessage chat =
        new ChatMessage("m1", "r1", "hello", Instant.parse("2024-01-01T00:00:00.5Z"));
    assertThat(parseWithPingAfter(protocol, InvocationMessage.send("Post", chat)))
        .isEqualTo(InvocationMessage.send("Post", chat));
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void wrongArgumentTypeFailsOnlyThatInvocation(HubProtocol protocol) {
    HubMessage m = parseWithPingAfter(protocol, InvocationMessage.invoke("0", "Send", 1, "a"));
    assertThat(m).isInstanceOf(InvocationBindingFailureMessage.class);
    InvocationBindingFailureMessage f = (InvocationBindingFailureMessage) m;
    assertThat(f.invocationId()).isEqualTo("0");
    assertThat(f.target()).isEqualTo("Send");
    assertThat(f.streaming()).isFalse();
    assertThat(f.unknownTarget()).isFalse();
    assertThat(f.reason()).contains("argument 1").contains("java.lang.String");
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void strictBindingRejectsNullForPrimitiveFloatForIntAndStringForInt(HubProtocol protocol) {
    for (Object bad : new Object[] {null, 1.5, "1", true}) {
      HubMessage m = parseWithPingAfter(protocol, InvocationMessage.invoke("0", "Send", "a", bad));
      assertThat(m).as("int argument %s", bad).isInstanceOf(InvocationBindingFailureMessage.class);
      assertThat(((InvocationBindingFailureMessage) m).reason()).contains("argument 2");
    }
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void wrongArgumentCountFailsOnlyThatInvocation(HubProtocol protocol) {
    HubMessage few = parseWithPingAfter(protocol, InvocationMessage.invoke("0", "Send", "a"));
    assertThat(((InvocationBindingFailureMessage) few).reason())
        .isEqualTo("Invocation provides 1 argument(s) but target expects 2.");
    HubMessage many =
        parseWithPingAfter(protocol, InvocationMessage.send("Send", "a", 1, List.of(2)));
    assertThat(((InvocationBindingFailureMessage) many).reason())
        .isEqualTo("Invocation provides 3 argument(s) but target expects 2.");
    assertThat(((InvocationBindingFailureMessage) many).invocationId()).isNull();
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void wrongTypeInARecordFieldFailsOnlyThatInvocation(HubProtocol protocol) {
    HubMessage m =
        parseWithPingAfter(
            protocol, InvocationMessage.invoke("5", "Post", Map.of("id", List.of("not a string"))));
    assertThat(m).isInstanceOf(InvocationBindingFailureMessage.class);
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void unknownTargetIsAFailureMessage(HubProtocol protocol) {
    InvocationBindingFailureMessage f =
        (InvocationBindingFailureMessage)
            parseWithPingAfter(protocol, InvocationMessage.invoke("9", "Nope", 1));
    assertThat(f.unknownTarget()).isTrue();
    assertThat(f.reason()).isEqualTo("Unknown hub method 'Nope'");
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void streamInvocationBindingFailureIsMarkedStreaming(HubProtocol protocol) {
    InvocationBindingFailureMessage f =
        (InvocationBindingFailureMessage)
            parseWithPingAfter(protocol, StreamInvocationMessage.of("3", "Counter", "ten"));
    assertThat(f.streaming()).isTrue();
    assertThat(f.invocationId()).isEqualTo("3");
    assertThat(parseWithPingAfter(protocol, StreamInvocationMessage.of("3", "Counter", 10)))
        .isEqualTo(StreamInvocationMessage.of("3", "Counter", 10));
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void streamItemOfTheWrongTypeFailsThatStream(HubProtocol protocol) {
    assertThat(parseWithPingAfter(protocol, StreamItemMessage.of("ints", 7)))
        .isEqualTo(StreamItemMessage.of("ints", 7));
    HubMessage m = parseWithPingAfter(protocol, StreamItemMessage.of("ints", "seven"));
    assertThat(m).isInstanceOf(StreamBindingFailureMessage.class);
    assertThat(((StreamBindingFailureMessage) m).invocationId()).isEqualTo("ints");
    assertThat(((StreamBindingFailureMessage) m).reason()).contains("java.lang.Integer");
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void completionResultOfTheWrongTypeBecomesAnErrorCompletion(HubProtocol protocol) {
    assertThat(parseWithPingAfter(protocol, CompletionMessage.withResult("typed", 7)))
        .isEqualTo(CompletionMessage.withResult("typed", 7));
    CompletionMessage c =
        (CompletionMessage)
            parseWithPingAfter(protocol, CompletionMessage.withResult("typed", "seven"));
    assertThat(c.invocationId()).isEqualTo("typed");
    assertThat(c.hasResult()).isFalse();
    assertThat(c.error()).contains("java.lang.Integer");
  }
}
