/**
 * Implementation of {@code org.jvmchat.ai}: the HTTP exchange, SSE parsing, retries, the bounded
 * delta buffer. Not an API: anything here may change at any time.
 */
package org.jvmchat.ai.internal;
