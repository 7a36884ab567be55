package org.jvmchat.server.assistant;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.jvmchat.ai.ChatRequest;
import org.jvmchat.ai.PromptMessage;
import org.jvmchat.persistence.ChatMessage;
import org.jvmchat.persistence.MessageKind;
import org.jvmchat.server.config.AssistantSettings;

/**
 * Turns a room's recent messages into the request sent to the model: the system prompt (when not
 * empty), then the newest room messages that fit the budget, oldest first. People's messages are
 * {@code user} messages written as {@code "<sender name>: <content>"} (the model sees who said
 * what); the assistant's earlier replies are {@code assistant} messages; the server's {@code
 * system} notices (failures, "busy") are left out, since they are not part of the conversation.
 */
final class Conversation {
  private Conversation() {}

  /**
   * The request for {@code history} (oldest first, as the store returns it) plus, for
   * StreamAssistant, the caller's {@code prompt} (or {@code null}).
   *
   * <p>Budget: at most {@link AssistantSettings#historyMessages()} messages and {@link
   * AssistantSettings#historyCharacters()} characters of their content (the {@code name: } prefix
   * included), counted from the newest back. The newest message (or the prompt) is always sent,
   * even when it alone is longer than the character budget.
   */
  static ChatRequest request(
      AssistantSettings settings, List<ChatMessage> history, String promptSender, String prompt) {
    Deque<PromptMessage> picked = new ArrayDeque<>();
    long budget = settings.historyCharacters();
    int count = 0;
    if (prompt != null) {
      PromptMessage m = PromptMessage.user(promptSender + ": " + prompt);
      budget -= length(m.content());
      picked.addFirst(m);
      count++;
    }
    for (int i = history.size() - 1; i >= 0 && count < settings.historyMessages(); i--) {
      ChatMessage stored = history.get(i);
      PromptMessage m = toModel(stored);
      if (m == null) {
        continue;
      }
      long len = length(m.content());
      if (!picked.isEmpty() && len > budget) {
        break;
      }
      budget -= len;
      picked.addFirst(m);
      count++;
    }
    ChatRequest.Builder b = ChatRequest.builder();
    if (!settings.systemPrompt().isEmpty()) {
      b.system(settings.systemPrompt());
    }
    b.messages(List.copyOf(picked));
    b.maxTokens(settings.maxTokens());
    return b.build();
  }

  private static PromptMessage toModel(ChatMessage m) {
    if (m.kind() == MessageKind.USER) {
      return PromptMessage.user(m.senderName() + ": " + m.content());
    }
    if (m.kind() == MessageKind.ASSISTANT) {
      return PromptMessage.assistant(m.content());
    }
    return null;
  }

  private static long length(String s) {
    return s.codePointCount(0, s.length());
  }
}
