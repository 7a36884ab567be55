package org.jvmchat.hub;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares that a hub method never blocks: it does only CPU work before returning, and waits for
 * anything slow (a database write, another service) through the {@link
 * java.util.concurrent.CompletionStage} it returns. Such a method is called on the connection's I/O
 * thread when no earlier invocation of the connection is still running, saving the hand-off to the
 * hub executor; otherwise it waits its turn like any other invocation and runs on the executor.
 *
 * <p>The rule is opt-in because it cannot be checked: a method that blocks (a synchronous JDBC
 * call, {@code Thread.sleep}, {@code future.get()}, a synchronous group change) stalls every
 * connection served by that I/O thread while it does. Without the annotation every method,
 * asynchronous or not, runs on the hub executor, where blocking is allowed.
 *
 * <p>Everything else is as without it: one invocation at a time per connection in arrival order
 * (the next invocation starts when this one's stage completes), the same bounded invocation queue,
 * hub filters around the call (they run on the I/O thread too, so they must not block either), and
 * a thrown exception or a failed stage completes the invocation with an error. Allowed on methods
 * returning a value, {@code void} or a {@code CompletionStage}; not on streaming methods nor on
 * methods with a client-to-server stream parameter (the hub refuses to be mapped).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface NonBlocking {}
