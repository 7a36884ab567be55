package org.jvmchat.server.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import org.jvmchat.persistence.Room;

/** A room on the wire: {@code {"id","name","isPrivate","createdBy","createdAt"}}. */
@JsonPropertyOrder({"id", "name", "isPrivate", "createdBy", "createdAt"})
public record RoomDto(
    @JsonProperty("id") String id,
    @JsonProperty("name") String name,
    @JsonProperty("isPrivate") boolean isPrivate,
    @JsonProperty("createdBy") String createdBy,
    @JsonProperty("createdAt") Instant createdAt) {

  public static RoomDto of(Room room) {
    return new RoomDto(
        room.id(), room.name(), room.isPrivate(), room.createdBy(), room.createdAt());
  }
}
