package org.jvmchat.hub.internal.dispatch;

import java.lang.reflect.Type;
import org.jvmchat.hub.GroupManager;
import org.jvmchat.hub.HubCallerClients;
import org.jvmchat.hub.HubCallerContext;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.internal.SerialExecutor;

/**
 * What the dispatcher sees of a connection: who calls (its caller context, proxies and groups), the
 * serial order its invocations run in, the invocation queue's count, its streams, and where
 * completions and stream items go. Nothing of its transport, state or timeouts.
 */
public interface CallerConnection {
  String connectionId();

  /** The user's id, or null when anonymous. */
  String userIdentifier();

  HubCallerContext callerContext();

  HubCallerClients callerClients();

  GroupManager groupManager();

  /** The serial order of the connection's invocations (one at a time, on the hub executor). */
  SerialExecutor serial();

  /** Server-to-client streams in progress, by invocation id. */
  ActiveStreams activeStreams();

  /**
   * Executor, while the message is routed: counts the invocation just read into the queue.
   *
   * @return its size, to hand back to {@link #invocationFinished} when it completes
   */
  long invocationQueued();

  /** Any thread: a queued invocation completed. */
  void invocationFinished(long bytes);

  /** Registers a client-to-server stream (a hub thread); null when the id is in use. */
  UploadStream openUploadStream(String streamId, Type itemType);

  void closeUploadStream(String streamId);

  /** Queues a message to the client; false when the connection has ended. Never blocks. */
  boolean write(HubMessage message);
}
