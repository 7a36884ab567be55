package org.jvmchat.client;

import java.time.Duration;

/**
 * What a {@link RetryPolicy} knows when it picks the next delay.
 *
 * @param previousRetryCount attempts already made in this reconnect cycle (0 before the first)
 * @param elapsed time since the connection was lost
 * @param retryReason why the connection was lost, or why the previous attempt failed (may be null)
 */
public record RetryContext(long previousRetryCount, Duration elapsed, Throwable retryReason) {}
