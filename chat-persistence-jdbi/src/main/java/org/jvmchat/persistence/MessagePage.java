package org.jvmchat.persistence;

import java.util.List;

/**
 * One page of a room's history.
 *
 * @param items at most {@code limit} messages, oldest first
 * @param nextBefore the {@code before} for the next (older) page, or {@code null} when there is
 *     nothing older; it is the id of the oldest item
 */
public record MessagePage(List<ChatMessage> items, String nextBefore) {
  public MessagePage {
    items = List.copyOf(items);
  }
}
