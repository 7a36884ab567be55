package org.jvmchat.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.jvmchat.protocol.HubProtocolException;

class MessageBufferTest {

  private static byte[] bytes(int n) {
    return new byte[n];
  }

  @Test
  void numbersOutgoingMessagesFromOneAndFreesThemOnAck() {
    MessageBuffer b = new MessageBuffer(1000);
    assertThat(b.admit(bytes(10), new CompletableFuture<>()).id()).isEqualTo(1);
    assertThat(b.admit(bytes(10), new CompletableFuture<>()).id()).isEqualTo(2);
    assertThat(b.admit(bytes(10), new CompletableFuture<>()).id()).isEqualTo(3);
    assertThat(b.unackedBytes()).isEqualTo(30);
    assertThat(b.sequenceId()).isEqualTo(1);
    b.ack(2);
    assertThat(b.unackedBytes()).isEqualTo(10);
    assertThat(b.sequenceId()).isEqualTo(3);
    assertThat(b.replay()).extracting(MessageBuffer.Entry::id).containsExactly(3L);
    b.ack(3);
    assertThat(b.sequenceId()).as("nothing buffered: next id").isEqualTo(4);
    assertThat(b.replay()).isEmpty();
  }

  @Test
  void sendsWaitForAcksOnceTheLimitIsReached() {
    MessageBuffer b = new MessageBuffer(100);
    assertThat(b.admit(bytes(60), new CompletableFuture<>())).isNotNull();
    assertThat(b.admit(bytes(60), new CompletableFuture<>()))
        .as("crosses the limit: admitted")
        .isNotNull();
    CompletableFuture<Void> third = new CompletableFuture<>();
    CompletableFuture<Void> fourth = new CompletableFuture<>();
    assertThat(b.admit(bytes(10), third)).isNull();
    assertThat(b.admit(bytes(10), fourth)).isNull();
    // Acking the first leaves 60 bytes: below the limit, so both waiting sends go out, in order.
    assertThat(b.ack(1)).extracting(MessageBuffer.Entry::done).containsExactly(third, fourth);
    assertThat(b.unackedBytes()).isEqualTo(80);
  }

  @Test
  void waitingSendsAreAdmittedInOrderWhenAcksFreeSpace() {
    MessageBuffer b = new MessageBuffer(100);
    b.admit(bytes(100), new CompletableFuture<>());
    CompletableFuture<Void> second = new CompletableFuture<>();
    CompletableFuture<Void> third = new CompletableFuture<>();
    assertThat(b.admit(bytes(10), second)).isNull();
    assertThat(b.admit(bytes(10), third)).isNull();
    List<MessageBuffer.Entry> admitted = b.ack(1);
    assertThat(admitted).extracting(MessageBuffer.Entry::id).containsExactly(2L, 3L);
    assertThat(admitted.get(0).done()).isSameAs(second);
  }

  @Test
  void dropsDuplicatesAfterASequenceRewind() {
    MessageBuffer b = new MessageBuffer(1000);
    assertThat(b.shouldProcess()).isTrue(); // 1
    assertThat(b.shouldProcess()).isTrue(); // 2
    assertThat(b.shouldProcess()).isTrue(); // 3
    assertThat(b.takeAck()).isEqualTo(3);
    assertThat(b.takeAck()).as("nothing new").isEqualTo(-1);
    b.disconnected();
    assertThat(b.shouldProcess()).as("gated until Sequence").isFalse();
    b.sequence(2); // the peer replays from 2
    assertThat(b.shouldProcess()).as("2 again").isFalse();
    assertThat(b.shouldProcess()).as("3 again").isFalse();
    assertThat(b.shouldProcess()).as("4 is new").isTrue();
    assertThat(b.takeAck()).isEqualTo(4);
  }

  @Test
  void aSequenceAheadOfWhatWasReceivedIsFatal() {
    MessageBuffer b = new MessageBuffer(1000);
    b.shouldProcess();
    assertThatThrownBy(() -> b.sequence(5))
        .isInstanceOf(HubProtocolException.class)
        .hasMessage("Sequence ID greater than amount of messages we've received.");
  }
}
