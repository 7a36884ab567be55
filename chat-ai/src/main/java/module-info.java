/**
 * A streaming client for OpenAI-compatible chat completions: {@code org.jvmchat.ai}. Everything
 * under {@code org.jvmchat.ai.internal} is not exported and may change at any time.
 */
module org.jvmchat.ai {
  requires transitive okhttp3;
  requires okhttp3.sse;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports org.jvmchat.ai;
}
