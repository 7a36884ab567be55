package org.jvmchat.hub.internal.connection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.jvmchat.protocol.internal.MessageBuffer;

class OutboundQueueTest {
  private static byte[] bytes(int n, int tag) {
    byte[] b = new byte[n];
    b[0] = (byte) tag;
    return b;
  }

  private static List<byte[]> drain(OutboundQueue q) {
    q.drainStarted();
    List<byte[]> out = new ArrayList<>();
    byte[] b;
    while ((b = q.poll()) != null) {
      out.add(b);
    }
    q.drainFinished(0);
    return out;
  }

  @Test
  void messagesComeOutInOrderAndOneDrainIsClaimedUntilItStarts() {
    OutboundQueue q = new OutboundQueue(1000, 1000);
    assertNull(q.offer(bytes(10, 1), true, false, false));
    assertTrue(q.claimDrain());
    assertNull(q.offer(bytes(10, 2), false, false, false));
    assertFalse(q.claimDrain(), "a drain is already pending");
    List<byte[]> out = drain(q);
    assertEquals(2, out.size());
    assertEquals(1, out.get(0)[0]);
    assertEquals(2, out.get(1)[0]);
    assertTrue(q.claimDrain(), "after the drain started, a write claims a new one");
    assertEquals(1, q.takeSentCount(), "only the trackable message counts as a hub message");
  }

  @Test
  void aHeldQueueGivesNothingUntilReleasedThenEverythingInOrderWithinTheBound() {
    OutboundQueue q = new OutboundQueue(100, 1000);
    q.hold();
    assertTrue(q.hasQueued(), "held: nothing may be written around the queue");
    assertNull(q.offer(bytes(10, 1), false, false, false)); // the handshake answer
    assertNull(q.offer(bytes(60, 2), true, false, false));
    assertEquals(List.of(), drain(q));
    assertEquals(
        OutboundQueue.Overflow.SLOW_READER,
        q.offer(bytes(40, 3), true, false, false),
        "held messages count against the bound");
    assertTrue(q.release(), "messages wait");
    List<byte[]> out = drain(q);
    assertEquals(2, out.size());
    assertEquals(1, out.get(0)[0]);
    assertEquals(2, out.get(1)[0]);
    assertFalse(q.release(), "not held any more");
    assertFalse(q.hasQueued());
  }

  @Test
  void overflowIsReportedOnceThenRefusedAndBytesAreReleasedByDrains() {
    OutboundQueue q = new OutboundQueue(100, 1000);
    assertNull(q.offer(bytes(60, 1), true, false, false));
    drain(q);
    assertNull(q.offer(bytes(60, 2), true, false, false), "the drained bytes no longer count");
    assertEquals(OutboundQueue.Overflow.SLOW_READER, q.offer(bytes(60, 3), true, false, false));
    assertEquals(OutboundQueue.Overflow.REFUSED, q.offer(bytes(1, 4), true, false, false));
    assertNull(q.offer(bytes(60, 5), false, true, false), "a forced Close still goes in");
    q.clear();
    assertFalse(q.hasQueued());
  }

  @Test
  void theTransportsPendingBytesCountTowardsTheLimit() {
    OutboundQueue q = new OutboundQueue(100, 1000);
    q.drainStarted();
    q.drainFinished(90);
    assertEquals(OutboundQueue.Overflow.SLOW_READER, q.offer(bytes(20, 1), true, false, false));
  }

  @Test
  void aFullReplayBufferHoldsTheQueueUntilAnAck() {
    OutboundQueue q = new OutboundQueue(10_000, 100);
    q.enableReplay(MessageBuffer.ofBytes(100));
    q.offer(bytes(60, 1), true, false, false);
    q.offer(bytes(60, 2), true, false, false);
    List<byte[]> first = drain(q);
    assertEquals(1, first.size(), "the second would pass the replay buffer's size");
    assertTrue(q.awaitingAck());
    assertTrue(q.hasQueued());
    assertTrue(q.ack(1), "acknowledged: the held message may go");
    List<byte[]> second = drain(q);
    assertEquals(1, second.size());
    assertEquals(2, second.get(0)[0]);
  }

  @Test
  void overflowWhileWaitingForAnAckIsNamedAsSuch() {
    OutboundQueue q = new OutboundQueue(150, 100);
    q.enableReplay(MessageBuffer.ofBytes(100));
    q.offer(bytes(60, 1), true, false, false);
    q.offer(bytes(60, 2), true, false, false);
    drain(q);
    q.offer(bytes(60, 3), true, false, false);
    assertEquals(OutboundQueue.Overflow.UNACKNOWLEDGED, q.offer(bytes(60, 4), true, false, false));
  }

  @Test
  void whileTheSocketIsDownTheReplayBufferSizeBoundsWhatWaits() {
    OutboundQueue q = new OutboundQueue(10_000, 100);
    q.enableReplay(MessageBuffer.ofBytes(100));
    q.offer(bytes(60, 1), true, false, false);
    drain(q);
    assertEquals(
        OutboundQueue.Overflow.WHILE_DISCONNECTED, q.offer(bytes(50, 2), true, false, true));
  }

  @Test
  void rewindQueuesSequenceThenUnacknowledgedThenUnsentTrackableMessages() {
    OutboundQueue q = new OutboundQueue(10_000, 10_000);
    q.enableReplay(MessageBuffer.ofBytes(10_000));
    q.offer(bytes(5, 1), true, false, false);
    q.offer(bytes(5, 2), true, false, false);
    drain(q);
    q.ack(1);
    q.offer(bytes(5, 3), true, false, false); // never written
    q.offer(bytes(5, 99), false, false, false); // a ping for the old socket
    long[] announced = new long[1];
    q.rewind(
        id -> {
          announced[0] = id;
          return bytes(3, 9);
        });
    assertEquals(2, announced[0], "the oldest unacknowledged id");
    List<byte[]> out = drain(q);
    assertEquals(3, out.size());
    assertArrayEquals(bytes(3, 9), out.get(0));
    assertEquals(2, out.get(1)[0]);
    assertEquals(3, out.get(2)[0]);
    assertEquals(3, q.takeSentCount(), "a replayed message is not counted twice");
  }

  @Test
  void concurrentProducersLoseNothingAndKeepTheirOwnOrder() throws Exception {
    OutboundQueue q = new OutboundQueue(Long.MAX_VALUE / 4, 1000);
    int producers = 4;
    int each = 20_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int producer = p;
      Thread t =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = 0; i < each; i++) {
                  byte[] m = new byte[8];
                  m[0] = (byte) producer;
                  m[4] = (byte) (i >>> 24);
                  m[5] = (byte) (i >>> 16);
                  m[6] = (byte) (i >>> 8);
                  m[7] = (byte) i;
                  q.offer(m, true, false, false);
                }
              });
      t.start();
      threads.add(t);
    }
    start.countDown();
    int[] next = new int[producers];
    Set<Integer> seen = new HashSet<>();
    int total = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (total < producers * each) {
      assertTrue(System.nanoTime() < deadline, "took only " + total);
      q.drainStarted();
      byte[] m;
      while ((m = q.poll()) != null) {
        int p = m[0];
        int i =
            ((m[4] & 0xFF) << 24) | ((m[5] & 0xFF) << 16) | ((m[6] & 0xFF) << 8) | (m[7] & 0xFF);
        assertEquals(next[p], i, "producer " + p + " out of order");
        next[p]++;
        seen.add(p);
        total++;
      }
      q.drainFinished(0);
    }
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(10));
    }
    assertEquals(producers, seen.size());
    assertFalse(q.hasQueued());
  }
}
