package org.jvmchat.server.assistant;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.jvmchat.ai.AssistantClient;
import org.jvmchat.ai.ChatRequest;
import org.jvmchat.hub.HubContext;
import org.jvmchat.persistence.ChatIds;
import org.jvmchat.persistence.ChatMessage;
import org.jvmchat.persistence.MessageKind;
import org.jvmchat.persistence.NewMessage;
import org.jvmchat.protocol.HubException;
import org.jvmchat.server.chat.ChatService;
import org.jvmchat.server.chat.RoomGroups;
import org.jvmchat.server.config.AssistantSettings;
import org.jvmchat.server.model.AssistantChunk;
import org.jvmchat.server.model.MessageDto;
import org.jvmchat.server.ops.ChatMetrics;
import org.jvmchat.server.ops.HealthService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code @gpt} assistant of the chat: answers mentions in rooms (streamed to the room as {@code
 * ReceiveAssistantChunk}, then stored and sent as one {@code ReceiveMessage}) and streams private
 * answers for {@code StreamAssistant}. One answer at a time per room, a sliding-window rate limit
 * per user, failures as readable {@code system} messages. Without a client (no {@code
 * OPENAI_API_KEY}) a mention gets a "not configured" system reply and StreamAssistant fails.
 *
 * <p>Threads: {@link #onUserMessage} never blocks (it may run on any thread); the blocking history
 * read of a mention runs on this service's small executor ({@value #THREADS} threads, a queue of
 * {@value #QUEUE_CAPACITY}; when full the mention gets a "try again" system reply). Deltas arrive
 * on the assistant client's threads and are handed to the hub without blocking.
 */
public final class AssistantService implements AutoCloseable {
  /** Sender of the assistant's messages. */
  public static final String ASSISTANT_ID = "assistant";

  public static final String ASSISTANT_NAME = "Assistant";

  /** Sender of the server's notices. */
  public static final String SYSTEM_ID = "system";

  public static final String SYSTEM_NAME = "System";

  /** Told in a room when a mention arrives and the assistant is off. */
  public static final String NOT_CONFIGURED =
      "The assistant is not configured on this server (OPENAI_API_KEY is not set), so @gpt gets"
          + " no answer.";

  /** Told in a room when a mention arrives while the assistant is answering there. */
  public static final String ALREADY_ANSWERING =
      "The assistant is already answering in this room; ask again when that answer is finished.";

  static final int THREADS = 2;
  static final int QUEUE_CAPACITY = 256;

  private static final Logger log = LoggerFactory.getLogger(AssistantService.class);

  /** {@code @gpt} as a word, any case: not inside a word, an address or a longer mention. */
  private static final Pattern MENTION =
      Pattern.compile(
          "(?<![\\p{L}\\p{N}_@.])@gpt(?![\\p{L}\\p{N}_])",
          Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

  private final AssistantSettings settings;
  private final AssistantClient client;
  private final String model;
  private final ChatService chat;
  private final ChatMetrics metrics;
  private final RateLimiter limiter;
  private final java.util.Set<String> answeringRooms =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final ThreadPoolExecutor executor;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicReference<String> lastOutcome = new AtomicReference<>("none yet");
  private volatile HubContext hub;

  /**
   * @param client the assistant client (closed by {@link #close()}), or {@code null} when the
   *     assistant is off
   * @param model the model name, for messages
   */
  public AssistantService(
      AssistantSettings settings,
      AssistantClient client,
      String model,
      ChatService chat,
      ChatMetrics metrics) {
    this.settings = settings;
    this.client = client;
    this.model = model;
    this.chat = chat;
    this.metrics = metrics;
    this.limiter =
        new RateLimiter(settings.rateLimit(), settings.rateLimitWindow(), System::nanoTime);
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE_CAPACITY),
            r -> {
              Thread t = new Thread(r, "chat-assistant-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.executor.allowCoreThreadTimeOut(true);
  }

  /** Where replies are sent; set once the hub server is built. */
  public void bind(HubContext hubContext) {
    this.hub = hubContext;
  }

  /** Whether the assistant is on. */
  public boolean enabled() {
    return client != null;
  }

  /** Whether {@code content} mentions the assistant: {@code @gpt} as a word, any case. */
  public static boolean mentionsAssistant(String content) {
    // Most messages hold no "@gpt" in any case: skip the regex (its look-behind is tried at
    // every index) unless they do.
    return content != null && containsAtGpt(content) && MENTION.matcher(content).find();
  }

  private static boolean containsAtGpt(String s) {
    for (int i = s.indexOf('@'); i >= 0 && i + 3 < s.length(); i = s.indexOf('@', i + 1)) {
      if (s.regionMatches(true, i + 1, "gpt", 0, 3)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Called once a user's message is stored and sent to the room; answers it when it mentions
   * {@code @gpt}. Never blocks and never throws.
   */
  public void onUserMessage(String roomId, String senderId, String content) {
    if (!mentionsAssistant(content) || closed.get()) {
      return;
    }
    try {
      if (client == null) {
        postSystem(roomId, NOT_CONFIGURED);
        return;
      }
      if (!answeringRooms.add(roomId)) {
        postSystem(roomId, ALREADY_ANSWERING);
        return;
      }
      Duration wait = limiter.tryAcquire(senderId);
      if (!wait.isZero()) {
        answeringRooms.remove(roomId);
        tellUser(roomId, senderId, rateLimited(wait));
        return;
      }
      try {
        executor.execute(() -> answer(roomId));
      } catch (RejectedExecutionException e) {
        answeringRooms.remove(roomId);
        if (!closed.get()) {
          postSystem(
              roomId,
              "The assistant could not answer: too many questions are waiting; try again shortly.");
        }
      }
    } catch (RuntimeException e) {
      answeringRooms.remove(roomId);
      log.error("Handling a mention of the assistant in room {} failed", roomId, e);
    }
  }

  /**
   * The private answer of StreamAssistant: the room's history plus {@code prompt} (from {@code
   * senderName}) as context, streamed to the caller alone; nothing is stored or broadcast. Blocking
   * (reads history): call from a hub method. Errors of the stream are {@link HubException}s with a
   * readable message.
   *
   * @throws HubException when the assistant is off or the user is over the rate limit
   */
  public Flow.Publisher<String> privateAnswer(
      String roomId, String userId, String senderName, String prompt) {
    if (client == null) {
      throw new HubException(
          "The assistant is not configured on this server (OPENAI_API_KEY is not set).");
    }
    Duration wait = limiter.tryAcquire(userId);
    if (!wait.isZero()) {
      throw new HubException(rateLimited(wait));
    }
    List<ChatMessage> history =
        chat.store().history(roomId, null, settings.historyMessages()).items();
    ChatRequest request = Conversation.request(settings, history, senderName, prompt);
    return subscriber -> {
      Flow.Publisher<String> deltas;
      try {
        deltas = client.stream(request);
      } catch (IllegalStateException closedClient) {
        subscriber.onSubscribe(
            new Flow.Subscription() {
              @Override
              public void request(long n) {}

              @Override
              public void cancel() {}
            });
        subscriber.onError(
            new HubException("The assistant could not answer: the server is shutting down."));
        return;
      }
      deltas.subscribe(
          new Flow.Subscriber<String>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
              subscriber.onSubscribe(s);
            }

            @Override
            public void onNext(String delta) {
              subscriber.onNext(delta);
            }

            @Override
            public void onError(Throwable error) {
              log.warn(
                  "A StreamAssistant answer in room {} failed: {}", roomId, error.getMessage());
              outcome("failed", error);
              subscriber.onError(
                  new HubException(
                      "The assistant could not answer: "
                          + AssistantFailures.describe(error, model)
                          + "."));
            }

            @Override
            public void onComplete() {
              outcome("ok", null);
              subscriber.onComplete();
            }
          });
    };
  }

  /** The {@code assistant} entry of {@code /health}; never calls the provider. */
  public HealthService.Entry health() {
    if (client == null) {
      return new HealthService.Entry(HealthService.Status.DISABLED, "OPENAI_API_KEY is not set", 0);
    }
    return new HealthService.Entry(
        HealthService.Status.HEALTHY,
        "configured (model "
            + model
            + "); health checks do not call the provider; last answer: "
            + lastOutcome.get(),
        0);
  }

  /** Stops answering: answers in flight fail (nothing more is posted), the client is closed. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      executor.shutdownNow();
      if (client != null) {
        client.close();
      }
    }
  }

  /** Runs on the executor: reads the context and starts the streamed reply. */
  private void answer(String roomId) {
    Reply reply = new Reply(roomId, ChatIds.newId());
    ChatRequest request;
    Flow.Publisher<String> deltas;
    try {
      List<ChatMessage> history =
          chat.store().history(roomId, null, settings.historyMessages()).items();
      request = Conversation.request(settings, history, null, null);
      deltas = client.stream(request);
    } catch (RuntimeException e) {
      log.warn("The assistant could not start an answer in room {}", roomId, e);
      reply.finish(e);
      return;
    }
    deltas.subscribe(reply);
  }

  /** One streamed reply in a room. Signals arrive one at a time. */
  private final class Reply implements Flow.Subscriber<String> {
    private final String roomId;
    private final String messageId;
    private final ReplyText text = new ReplyText();
    private final AtomicBoolean done = new AtomicBoolean();
    private Flow.Subscription subscription;
    private CompletableFuture<Void> lastChunk = CompletableFuture.completedFuture(null);

    Reply(String roomId, String messageId) {
      this.roomId = roomId;
      this.messageId = messageId;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      this.subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String delta) {
      if (done.get()) {
        return;
      }
      chunk(text.accept(delta));
      if (text.full()) {
        subscription.cancel();
        finish(null);
      }
    }

    @Override
    public void onError(Throwable error) {
      finish(error);
    }

    @Override
    public void onComplete() {
      chunk(text.finish());
      finish(null);
    }

    private void chunk(String piece) {
      if (!piece.isEmpty()) {
        lastChunk =
            hub.clients()
                .group(roomGroup(roomId))
                .send("ReceiveAssistantChunk", new AssistantChunk(roomId, messageId, piece));
      }
    }

    void finish(Throwable error) {
      if (!done.compareAndSet(false, true)) {
        return;
      }
      String content = text.text();
      CompletableFuture<Void> chunksSent = lastChunk.handle((v, x) -> null);
      // The room takes the next mention once the last message is stored, before it is sent: a
      // client that sees the answer may ask again at once.
      Runnable release = () -> answeringRooms.remove(roomId);
      CompletableFuture<Void> posted;
      if (error == null) {
        outcome("ok", null);
        posted =
            chunksSent.thenCompose(
                v ->
                    content.isEmpty()
                        ? store(
                            systemMessage(roomId, "The assistant sent an empty answer."), release)
                        : store(assistantMessage(content), release));
      } else {
        log.warn("The assistant could not answer in room {}: {}", roomId, error.getMessage());
        outcome("failed", error);
        String notice =
            "The assistant could not answer: " + AssistantFailures.describe(error, model) + ".";
        posted =
            chunksSent
                // what the room already saw is kept, under the id its chunks announced
                .thenCompose(
                    v ->
                        content.isEmpty() || closed.get()
                            ? done()
                            : store(assistantMessage(content), null))
                .handle((v, x) -> null)
                .thenCompose(
                    v -> closed.get() ? done() : store(systemMessage(roomId, notice), release));
      }
      posted.whenComplete(
          (v, x) -> {
            release.run();
            if (x != null) {
              log.warn("Storing or sending the assistant's answer in room {} failed", roomId, x);
            }
          });
    }

    private NewMessage assistantMessage(String content) {
      return new NewMessage(
          messageId, roomId, ASSISTANT_ID, ASSISTANT_NAME, content, MessageKind.ASSISTANT);
    }
  }

  /** Stores a system notice in the room and sends it to the room. */
  private CompletableFuture<Void> postSystem(String roomId, String text) {
    return store(systemMessage(roomId, text), null);
  }

  private static NewMessage systemMessage(String roomId, String text) {
    return new NewMessage(null, roomId, SYSTEM_ID, SYSTEM_NAME, text, MessageKind.SYSTEM);
  }

  /**
   * Stores the message, runs {@code afterStored} (when not null), then sends the message to the
   * room as ReceiveMessage.
   */
  private CompletableFuture<Void> store(NewMessage message, Runnable afterStored) {
    return chat.store()
        .append(message)
        .thenCompose(
            stored -> {
              if (afterStored != null) {
                afterStored.run();
              }
              metrics.chatMessageStored();
              return hub.clients()
                  .group(roomGroup(stored.roomId()))
                  .send("ReceiveMessage", MessageDto.of(stored));
            });
  }

  /**
   * A system notice for one user's connections only; not stored, so it is not in the room's
   * sequence: it carries {@code seq} 0, which gap-recovering clients show without tracking.
   */
  private void tellUser(String roomId, String userId, String text) {
    hub.clients()
        .user(userId)
        .send(
            "ReceiveMessage",
            new MessageDto(
                ChatIds.newId(),
                roomId,
                0L,
                SYSTEM_ID,
                SYSTEM_NAME,
                text,
                MessageKind.SYSTEM.wireName(),
                Instant.now()));
  }

  private String rateLimited(Duration wait) {
    long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
    Duration window = settings.rateLimitWindow();
    String per =
        window.toSeconds() % 60 == 0 && window.toSeconds() > 0
            ? (window.toMinutes() == 1 ? "minute" : window.toMinutes() + " minutes")
            : window.toMillis() + " ms";
    return "You asked the assistant too often: at most "
        + settings.rateLimit()
        + " requests per "
        + per
        + ". Try again in "
        + seconds
        + " s.";
  }

  private void outcome(String what, Throwable error) {
    lastOutcome.set(
        what
            + " at "
            + Instant.now()
            + (error == null ? "" : " (" + AssistantFailures.describe(error, model) + ")"));
  }

  private static CompletableFuture<Void> done() {
    return CompletableFuture.completedFuture(null);
  }

  private static String roomGroup(String roomId) {
    return RoomGroups.of(roomId);
  }
}
