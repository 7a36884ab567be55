package org.jvmchat.spring.boot.security;

import org.jvmchat.hub.HubUser;
import org.springframework.security.core.Authentication;

/**
 * Turns Spring Security's {@link Authentication} of a hub request into the hub's {@link HubUser}
 * (whose id addresses {@code clients().user(id)}). The default ({@link DefaultHubUserMapper}) takes
 * the id from {@link Authentication#getName()} (the JWT's {@code sub}), the display name from a
 * {@code name} or {@code preferred_username} claim, and the token's claims; declare a bean of this
 * type to map users differently.
 */
@FunctionalInterface
public interface HubUserMapper {
  /**
   * @return the hub user, or {@code null} for an anonymous request
   */
  HubUser toHubUser(Authentication authentication);
}
