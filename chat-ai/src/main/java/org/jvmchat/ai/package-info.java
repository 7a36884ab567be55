/**
 * A streaming client for OpenAI-compatible chat completions (OpenAI, Azure OpenAI v1, Ollama, vLLM,
 * llama.cpp server).
 *
 * <p>Start with {@link org.jvmchat.ai.AssistantClient#create(AssistantClientOptions)}: {@link
 * org.jvmchat.ai.AssistantClient#stream(ChatRequest)} answers a {@link
 * java.util.concurrent.Flow.Publisher} of text deltas, {@link
 * org.jvmchat.ai.AssistantClient#complete(ChatRequest, java.util.function.Consumer)} the whole
 * answer. Failures are {@link org.jvmchat.ai.AssistantException}s with a {@link
 * org.jvmchat.ai.AssistantException.Reason}. This package knows nothing of chat rooms or hubs.
 */
package org.jvmchat.ai;
