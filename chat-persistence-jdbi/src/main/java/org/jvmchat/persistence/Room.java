package org.jvmchat.persistence;

import java.time.Instant;
import java.util.Objects;

/**
 * A chat room, as the contract shows it: {@code {"id","name","isPrivate","createdBy","createdAt"}}.
 *
 * @param id the room id (a {@link ChatIds time-ordered id})
 * @param name 1..{@value ChatLimits#ROOM_NAME_MAX_LENGTH} characters
 * @param isPrivate private rooms are visible to their participants only
 * @param createdBy the user id of the creator, who is the first participant
 * @param createdAt when it was created (microsecond precision, UTC)
 */
public record Room(String id, String name, boolean isPrivate, String createdBy, Instant createdAt) {
  public Room {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(createdBy, "createdBy");
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
