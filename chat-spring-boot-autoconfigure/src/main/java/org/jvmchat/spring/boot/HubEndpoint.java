package org.jvmchat.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.context.annotation.Scope;
import org.springframework.core.annotation.AliasFor;
import org.springframework.stereotype.Component;

/**
 * Maps a {@link org.jvmchat.hub.Hub} class to a path, as ASP.NET Core's {@code
 * app.MapHub<ChatHub>("/hubs/chat")}:
 *
 * <pre>
 * &#64;HubEndpoint("/hubs/chat")
 * public class ChatHub extends Hub {
 *   private final RoomService rooms;            // constructor injection, like any bean
 *   public ChatHub(RoomService rooms) { this.rooms = rooms; }
 *   public String echo(String text) { return text; }
 * }
 * </pre>
 *
 * <p>The class becomes a <b>prototype</b>-scoped component (found by component scanning): a hub
 * instance lives for one invocation or lifecycle event, as in ASP.NET Core, so the starter asks the
 * bean factory for a new one each time. Keep state in singleton services, in {@code
 * context().items()} or in groups. The hub uses the options of the {@code jvmchat.hub.*}
 * properties; for options of its own, declare a {@link org.jvmchat.hub.HubMapping HubMapping} bean
 * instead.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Component
@Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
public @interface HubEndpoint {
  /** The hub's path, e.g. {@code /hubs/chat}; clients connect to it (and to its /negotiate). */
  @AliasFor("path")
  String value() default "";

  /** Alias of {@link #value()}. */
  @AliasFor("value")
  String path() default "";

  /** When true, requests without an authenticated user get 401 (ASP.NET Core's [Authorize]). */
  boolean requireAuthenticatedUser() default false;
}
