package org.jvmchat.server.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import org.jvmchat.persistence.MessagePage;

/** {@code {"items":[Message], "nextBefore": "<messageId>" or null}}. */
@JsonPropertyOrder({"items", "nextBefore"})
public record MessagePageDto(
    @JsonProperty("items") List<MessageDto> items,
    @JsonProperty("nextBefore") @JsonInclude(JsonInclude.Include.ALWAYS) String nextBefore) {

  public static MessagePageDto of(MessagePage page) {
    return new MessagePageDto(
        page.items().stream().map(MessageDto::of).toList(), page.nextBefore());
  }
}
