package org.jvmchat.server.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import org.jvmchat.persistence.MessagesAfter;

/** {@code {"items":[Message], "nextAfter": <seq> or null}}: the answer to {@code ?after=<seq>}. */
@JsonPropertyOrder({"items", "nextAfter"})
public record MessagesAfterDto(
    @JsonProperty("items") List<MessageDto> items,
    @JsonProperty("nextAfter") @JsonInclude(JsonInclude.Include.ALWAYS) Long nextAfter) {

  public static MessagesAfterDto of(MessagesAfter page) {
    return new MessagesAfterDto(
        page.items().stream().map(MessageDto::of).toList(), page.nextAfter());
  }
}
