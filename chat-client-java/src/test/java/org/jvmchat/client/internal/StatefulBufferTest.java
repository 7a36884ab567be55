package org.jvmchat.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.jvmchat.protocol.HubProtocolException;
import org.jvmchat.protocol.internal.MessageBuffer;

/**
 * The client's waiting sends on top of the shared {@link MessageBuffer} (whose numbering, Acks and
 * duplicate drop are tested in chat-protocol's {@code MessageBufferTest}).
 */
class StatefulBufferTest {

  private static byte[] bytes(int n) {
    return new byte[n];
  }

  @Test
  void admitsWhatFitsAndNumbersItFromOne() {
    StatefulBuffer b = new StatefulBuffer(1000);
    assertThat(b.admit(bytes(10), new CompletableFuture<>()).id()).isEqualTo(1);
    assertThat(b.admit(bytes(10), new CompletableFuture<>()).id()).isEqualTo(2);
    assertThat(b.bufferedBytes()).isEqualTo(20);
    assertThat(b.sequenceId()).isEqualTo(1);
    b.ack(1);
    assertThat(b.sequenceId()).isEqualTo(2);
    assertThat(b.unacknowledged()).extracting(MessageBuffer.Entry::id).containsExactly(2L);
  }

  @Test
  void aSendThatWouldPassTheLimitWaitsAndLaterOnesQueueBehindIt() {
    StatefulBuffer b = new StatefulBuffer(100);
    assertThat(b.admit(bytes(60), new CompletableFuture<>())).isNotNull();
    CompletableFuture<Void> second = new CompletableFuture<>();
    CompletableFuture<Void> third = new CompletableFuture<>();
    assertThat(b.admit(bytes(60), second)).as("60 + 60 > 100: waits").isNull();
    assertThat(b.admit(bytes(10), third)).as("fits, but must not overtake").isNull();
    // Acking the first frees everything: both waiting sends go out, in order, numbered 2 and 3.
    List<StatefulBuffer.Admitted> admitted = b.ack(1);
    assertThat(admitted).extracting(StatefulBuffer.Admitted::id).containsExactly(2L, 3L);
    assertThat(admitted).extracting(StatefulBuffer.Admitted::done).containsExactly(second, third);
    assertThat(b.bufferedBytes()).isEqualTo(70);
  }

  @Test
  void anAckAdmitsOnlyWhatFits() {
    StatefulBuffer b = new StatefulBuffer(100);
    b.admit(bytes(50), new CompletableFuture<>());
    b.admit(bytes(50), new CompletableFuture<>());
    CompletableFuture<Void> big = new CompletableFuture<>();
    CompletableFuture<Void> small = new CompletableFuture<>();
    assertThat(b.admit(bytes(60), big)).isNull();
    assertThat(b.admit(bytes(10), small)).isNull();
    assertThat(b.ack(1))
        .as("50 + 60 > 100: the head still waits, and so does what follows")
        .isEmpty();
    assertThat(b.ack(2)).extracting(StatefulBuffer.Admitted::done).containsExactly(big, small);
  }

  @Test
  void drainWaitingHandsBackThePendingSendsOnce() {
    StatefulBuffer b = new StatefulBuffer(10);
    b.admit(bytes(10), new CompletableFuture<>());
    CompletableFuture<Void> waiting = new CompletableFuture<>();
    b.admit(bytes(1), waiting);
    assertThat(b.drainWaiting()).containsExactly(waiting);
    assertThat(b.drainWaiting()).isEmpty();
    assertThat(b.ack(1)).as("nothing left to admit").isEmpty();
  }

  @Test
  void inboundDuplicatesAreDroppedAndTheGateWaitsForTheSequence() {
    StatefulBuffer b = new StatefulBuffer(1000);
    assertThat(b.shouldProcess()).isTrue();
    assertThat(b.shouldProcess()).isTrue();
    assertThat(b.takeAck()).isEqualTo(2);
    b.disconnected();
    assertThat(b.shouldProcess()).as("gated until Sequence").isFalse();
    b.sequence(2);
    assertThat(b.shouldProcess()).as("2 again").isFalse();
    assertThat(b.shouldProcess()).as("3 is new").isTrue();
    assertThat(b.takeAck()).isEqualTo(3);
    assertThatThrownBy(() -> b.sequence(9))
        .isInstanceOf(HubProtocolException.class)
        .hasMessage("Sequence ID greater than amount of messages we've received.");
  }
}
