package org.jvmchat.persistence;

import java.util.List;

/**
 * The messages of a room after a given {@code seq}: what a client that saw up to that position
 * missed.
 *
 * @param items at most {@code limit} messages, oldest first, with consecutive {@code seq}s starting
 *     right after the asked one
 * @param nextAfter the {@code after} for the next page while more messages follow, else {@code
 *     null} (it is the {@code seq} of the last item)
 */
public record MessagesAfter(List<ChatMessage> items, Long nextAfter) {
  public MessagesAfter {
    items = List.copyOf(items);
  }
}
