package org.jvmchat.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatRequestTest {

  @Test
  void theBuilderKeepsMessagesInOrder() {
    ChatRequest request = ChatRequest.builder().system("s").user("u").assistant("a").build();

    assertThat(request.messages())
        .containsExactly(
            new PromptMessage(ChatRole.SYSTEM, "s"),
            new PromptMessage(ChatRole.USER, "u"),
            new PromptMessage(ChatRole.ASSISTANT, "a"));
    assertThat(request.model()).isNull();
    assertThat(request.toBuilder().user("more").build().messages()).hasSize(4);
  }

  @Test
  void messagesAreCopied() {
    List<PromptMessage> messages = new ArrayList<>(List.of(PromptMessage.user("hi")));
    ChatRequest request = ChatRequest.of(messages);
    messages.add(PromptMessage.user("later"));

    assertThat(request.messages()).hasSize(1);
  }

  @Test
  void badValuesAreRejectedWithAReadableMessage() {
    assertThatThrownBy(() -> ChatRequest.of(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one message");
    assertThatThrownBy(() -> ChatRequest.builder().user("x").temperature(2.5).build())
        .hasMessageContaining("temperature must be in [0, 2]");
    assertThatThrownBy(() -> ChatRequest.builder().user("x").temperature(Double.NaN).build())
        .hasMessageContaining("temperature");
    assertThatThrownBy(() -> ChatRequest.builder().user("x").maxTokens(0).build())
        .hasMessageContaining("maxTokens must be at least 1");
    assertThatThrownBy(() -> ChatRequest.builder().user("x").model(" ").build())
        .hasMessageContaining("model must not be blank");
    assertThatThrownBy(() -> PromptMessage.user(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void rolesHaveTheirWireNames() {
    assertThat(ChatRole.SYSTEM.wireName()).isEqualTo("system");
    assertThat(ChatRole.USER.wireName()).isEqualTo("user");
    assertThat(ChatRole.ASSISTANT.wireName()).isEqualTo("assistant");
  }
}
