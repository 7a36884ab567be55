package org.jvmchat.protocol.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.jvmchat.protocol.HubProtocolException;

class MessageBufferTest {

  private static byte[] bytes(int n) {
    return new byte[n];
  }

  @Test
  void numbersOutgoingMessagesFromOneAndFreesThemOnAck() {
    MessageBuffer<byte[]> b = MessageBuffer.ofBytes(1000);
    assertThat(b.sequenceId()).as("nothing sent: the first id").isEqualTo(1);
    assertThat(b.add(bytes(10))).isEqualTo(1);
    assertThat(b.add(bytes(10))).isEqualTo(2);
    assertThat(b.add(bytes(10))).isEqualTo(3);
    assertThat(b.bufferedBytes()).isEqualTo(30);
    assertThat(b.sequenceId()).isEqualTo(1);
    assertThat(b.ack(2)).isTrue();
    assertThat(b.bufferedBytes()).isEqualTo(10);
    assertThat(b.sequenceId()).isEqualTo(3);
    assertThat(b.unacknowledged()).extracting(MessageBuffer.Entry::id).containsExactly(3L);
    assertThat(b.ack(2)).as("already acknowledged").isFalse();
    assertThat(b.ack(3)).isTrue();
    assertThat(b.sequenceId()).as("nothing buffered: the next id").isEqualTo(4);
    assertThat(b.unacknowledged()).isEmpty();
    assertThat(b.add(bytes(1))).as("numbering goes on after acks").isEqualTo(4);
  }

  @Test
  void aMessageThatWouldPassTheLimitWaitsForAnAck() {
    MessageBuffer<byte[]> b = MessageBuffer.ofBytes(100);
    assertThat(b.hasRoomFor(bytes(60))).isTrue();
    b.add(bytes(60));
    assertThat(b.hasRoomFor(bytes(40))).as("exactly the limit").isTrue();
    assertThat(b.hasRoomFor(bytes(41))).as("one byte past the limit").isFalse();
    b.add(bytes(40));
    assertThat(b.hasRoomFor(bytes(1))).isFalse();
    b.ack(1);
    assertThat(b.bufferedBytes()).isEqualTo(40);
    assertThat(b.hasRoomFor(bytes(60))).isTrue();
    assertThat(b.hasRoomFor(bytes(61))).isFalse();
    assertThat(b.limit()).isEqualTo(100);
  }

  @Test
  void anEmptyBufferTakesAMessageLargerThanTheLimit() {
    MessageBuffer<byte[]> b = MessageBuffer.ofBytes(100);
    assertThat(b.hasRoomFor(bytes(500))).isTrue();
    b.add(bytes(500));
    assertThat(b.bufferedBytes()).isEqualTo(500);
    assertThat(b.hasRoomFor(bytes(1))).isFalse();
    b.ack(1);
    assertThat(b.bufferedBytes()).isZero();
  }

  @Test
  void sizesComeFromTheSizeFunction() {
    MessageBuffer<String> b = new MessageBuffer<>(10, String::length);
    b.add("abcd");
    b.add("efg");
    assertThat(b.bufferedBytes()).isEqualTo(7);
    assertThat(b.hasRoomFor("xyz")).isTrue();
    assertThat(b.hasRoomFor("wxyz")).isFalse();
    b.ack(1);
    assertThat(b.bufferedBytes()).isEqualTo(3);
  }

  @Test
  void unacknowledgedReplaysOldestFirstWithTheSameIdsAndKeepsThem() {
    MessageBuffer<String> b = new MessageBuffer<>(1000, String::length);
    b.add("a");
    b.add("b");
    b.add("c");
    b.ack(1);
    assertThat(b.unacknowledged())
        .containsExactly(new MessageBuffer.Entry<>(2, "b"), new MessageBuffer.Entry<>(3, "c"));
    assertThat(b.sequenceId()).isEqualTo(2);
    assertThat(b.bufferedBytes()).as("still buffered").isEqualTo(2);
    assertThat(b.add("d")).as("numbering not rewound").isEqualTo(4);
  }

  @Test
  void takeUnacknowledgedRewindsSoReAddedMessagesKeepTheirIds() {
    MessageBuffer<String> b = new MessageBuffer<>(1000, String::length);
    b.add("a");
    b.add("b");
    b.add("c");
    b.ack(1);
    long announced = b.sequenceId();
    assertThat(b.takeUnacknowledged()).containsExactly("b", "c");
    assertThat(b.bufferedBytes()).isZero();
    assertThat(b.sequenceId()).as("rewound: the announced id comes next").isEqualTo(announced);
    assertThat(b.add("b")).isEqualTo(2);
    assertThat(b.add("c")).isEqualTo(3);
    assertThat(b.add("d")).isEqualTo(4);
  }

  @Test
  void takeUnacknowledgedOfAnEmptyBufferKeepsTheNumbering() {
    MessageBuffer<String> b = new MessageBuffer<>(1000, String::length);
    b.add("a");
    b.ack(1);
    assertThat(b.takeUnacknowledged()).isEmpty();
    assertThat(b.sequenceId()).isEqualTo(2);
    assertThat(b.add("b")).isEqualTo(2);
  }

  @Test
  void dropsDuplicatesAfterASequenceRewind() {
    MessageBuffer<byte[]> b = MessageBuffer.ofBytes(1000);
    assertThat(b.takeAck()).as("nothing processed yet").isEqualTo(-1);
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
    assertThat(b.takeAck()).as("duplicates are not acknowledged again").isEqualTo(-1);
    assertThat(b.shouldProcess()).as("4 is new").isTrue();
    assertThat(b.takeAck()).isEqualTo(4);
  }

  @Test
  void aSequenceAtTheNextIdOpensTheGateWithoutDroppingAnything() {
    MessageBuffer<byte[]> b = MessageBuffer.ofBytes(1000);
    b.shouldProcess();
    b.disconnected();
    b.sequence(2);
    assertThat(b.shouldProcess()).isTrue();
    assertThat(b.takeAck()).isEqualTo(2);
  }

  @Test
  void aSequenceAheadOfWhatWasReceivedIsFatal() {
    MessageBuffer<byte[]> b = MessageBuffer.ofBytes(1000);
    b.shouldProcess();
    assertThatThrownBy(() -> b.sequence(3))
        .isInstanceOf(HubProtocolException.class)
        .hasMessage("Sequence ID greater than amount of messages we've received.");
  }

  @Test
  void aNonPositiveLimitIsRefused() {
    assertThatThrownBy(() -> MessageBuffer.ofBytes(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
