package org.jvmchat.hub.spi;

import java.util.Collection;
import org.jvmchat.protocol.SerializedHubMessage;

/**
 * How a message sent to one group reaches this instance's members of it, for an application that
 * orders or deduplicates a group's messages once per message rather than once per member (the chat
 * server keeps each room's messages in {@code seq} order this way). Given to the scale-out lifetime
 * manager with {@link ScaleoutOptions.Builder#groupDelivery}: it then calls {@link #deliver} once
 * per single-group send on this instance — sent here ({@link HubLifetimeManager#sendGroup}) or
 * received from another instance — instead of writing the message to the local members itself.
 * Multi-group sends ({@link HubLifetimeManager#sendGroups}) do not pass through it.
 *
 * <p>{@link #deliver} runs on the sending thread or on the backplane's I/O thread: it must not
 * block. It may hold a message and write it later, from any thread, through the {@link LocalGroup}
 * it was given.
 */
@FunctionalInterface
public interface GroupDelivery {

  /**
   * A message sent to {@code group}, for this instance's members except {@code excluded} (never
   * null). Writing it is up to the implementation: {@code local.send(message, excluded)} is what
   * the manager does without a {@code GroupDelivery}.
   */
  void deliver(
      String group, SerializedHubMessage message, Collection<String> excluded, LocalGroup local);

  /**
   * Called once by each lifetime manager that uses this {@code GroupDelivery}, when it is created:
   * its groups, for looking at a group's members before any message of it came. Does nothing by
   * default.
   */
  default void bind(LocalGroups groups) {}

  /** This instance's groups of one hub. Thread-safe. */
  @FunctionalInterface
  interface LocalGroups {
    LocalGroup group(String name);
  }

  /** This instance's members of one group. Thread-safe. */
  interface LocalGroup {
    /** Writes {@code message} to every local member of the group not in {@code excluded}. */
    void send(SerializedHubMessage message, Collection<String> excluded);

    /** Whether the group has a member on this instance now. */
    boolean hasMembers();

    /** Whether the connection {@code connectionId} of this instance is a member now. */
    boolean contains(String connectionId);
  }
}
