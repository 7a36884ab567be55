package org.jvmchat.hub.internal.scaleout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jvmchat.hub.spi.Backplane;

/**
 * Reference-counted backplane subscriptions: a channel is subscribed while at least one member (a
 * local connection, or the manager itself) holds it. Subscribe and unsubscribe calls for one
 * channel run one after the other, each deciding from the membership at that moment, so racing
 * joins and leaves always settle on the right state.
 */
final class ChannelSubscriptions {
  private final Backplane backplane;
  private final Map<String, Entry> entries = new HashMap<>(); // guarded by this
  private boolean closed; // guarded by this

  ChannelSubscriptions(Backplane backplane) {
    this.backplane = backplane;
  }

  private final class Entry {
    final String channel;
    final Consumer<byte[]> handler;
    final Set<String> members = new HashSet<>();
    Backplane.Subscription handle;
    CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    int pending;

    Entry(String channel, Consumer<byte[]> handler) {
      this.channel = channel;
      this.handler = handler;
    }
  }

  /**
   * Adds {@code member} to the channel; completes once the channel is subscribed. {@code handler}
   * is used when this call creates the subscription.
   */
  synchronized CompletableFuture<Void> acquire(
      String channel, String member, Consumer<byte[]> handler) {
    if (closed) {
      return CompletableFuture.completedFuture(null);
    }
    Entry entry = entries.computeIfAbsent(channel, c -> new Entry(c, handler));
    entry.members.add(member);
    return enqueue(entry);
  }

  /** Removes {@code member}; the channel is unsubscribed when it was the last. */
  synchronized CompletableFuture<Void> release(String channel, String member) {
    Entry entry = entries.get(channel);
    if (entry == null || !entry.members.remove(member)) {
      return CompletableFuture.completedFuture(null);
    }
    return enqueue(entry);
  }

  /** Whether {@code member} holds {@code channel}. */
  synchronized boolean holds(String channel, String member) {
    Entry entry = entries.get(channel);
    return entry != null && entry.members.contains(member);
  }

  /** Drops every member and unsubscribes everything; later acquires do nothing. */
  synchronized CompletableFuture<Void> closeAll() {
    closed = true;
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (Entry entry : new ArrayList<>(entries.values())) {
      entry.members.clear();
      all.add(enqueue(entry));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
  }

  // Called with the lock held.
  private CompletableFuture<Void> enqueue(Entry entry) {
    entry.pending++;
    CompletableFuture<Void> op =
        entry.tail.handle((v, e) -> null).thenCompose(v -> reconcile(entry));
    entry.tail = op;
    op.whenComplete(
        (v, e) -> {
          synchronized (ChannelSubscriptions.this) {
            entry.pending--;
            if (entry.pending == 0
                && entry.members.isEmpty()
                && entry.handle == null
                && entries.get(entry.channel) == entry) {
              entries.remove(entry.channel);
            }
          }
        });
    return op;
  }

  private CompletableFuture<Void> reconcile(Entry entry) {
    synchronized (this) {
      if (!entry.members.isEmpty() && entry.handle == null) {
        return backplane
            .subscribe(entry.channel, entry.handler)
            .thenAccept(
                h -> {
                  synchronized (ChannelSubscriptions.this) {
                    entry.handle = h;
                  }
                });
      }
      if (entry.members.isEmpty() && entry.handle != null) {
        Backplane.Subscription h = entry.handle;
        entry.handle = null;
        return backplane.unsubscribe(h);
      }
      return CompletableFuture.completedFuture(null);
    }
  }
}
