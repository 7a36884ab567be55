package org.jvmchat.server.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.jvmchat.persistence.StoreOutcomeUnknownException;
import org.jvmchat.persistence.StoreUnavailableException;

/** What a sender reads when the store fails: only what is true of the message. */
class StoreErrorTranslationTest {
  @Test
  void anUnavailableStoreSaysNothingWasStored() {
    RuntimeException e =
        ChatService.translate(new StoreUnavailableException("down", new IOException("reset")));
    assertThat(e).isInstanceOf(ChatException.class);
    assertThat(((ChatException) e).status()).isEqualTo(503);
    assertThat(e.getMessage())
        .isEqualTo("The message store is unavailable; nothing was stored. Try again shortly.");
  }

  @Test
  void anUnknownCommitOutcomeSaysTheMessageMayBeInTheHistory() {
    RuntimeException e =
        ChatService.translate(
            new StoreOutcomeUnknownException("lost during commit", new IOException("reset")));
    assertThat(e).isInstanceOf(ChatException.class);
    assertThat(((ChatException) e).status()).isEqualTo(503);
    assertThat(e.getMessage())
        .isEqualTo(
            "The message store did not confirm whether the message was stored; it may appear in"
                + " the history. Check the history before sending it again.")
        .doesNotContain("nothing was stored");
  }
}
