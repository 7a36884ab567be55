package org.jvmchat.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One hub mapping: the path, the hub factory, the hub's options and filters, and whether anonymous
 * requests are refused. Immutable; built with {@link #builder(String, Supplier)}:
 *
 * <pre>{@code
 * HubServer.builder()
 *     .hub(HubMapping.builder("/hubs/chat", ChatHub::new)
 *         .options(options)
 *         .filter(new LoggingFilter())
 *         .requireAuthenticatedUser(true)
 *         .build())
 * }</pre>
 */
public final class HubMapping {
  private final String path;
  private final Supplier<? extends Hub> factory;
  private final HubOptions options;
  private final List<HubFilter> filters;
  private final boolean requireAuthenticatedUser;
  private final ConnectionAdmission admission;

  private HubMapping(Builder b) {
    this.admission = b.admission;
    this.path = b.path;
    this.factory = b.factory;
    this.options = b.options;
    this.filters = List.copyOf(b.filters);
    this.requireAuthenticatedUser = b.requireAuthenticatedUser;
  }

  /**
   * A mapping of {@code factory}'s hubs to {@code path} with default options, no filters of its
   * own, anonymous users allowed.
   *
   * @param path starts with {@code /} and does not end with it, e.g. {@code /hubs/chat}
   * @param factory a new hub instance per invocation
   * @throws IllegalArgumentException for a path that does not start with {@code /} or ends with it
   */
  public static Builder builder(String path, Supplier<? extends Hub> factory) {
    return new Builder(path, factory);
  }

  public String path() {
    return path;
  }

  public Supplier<? extends Hub> factory() {
    return factory;
  }

  public HubOptions options() {
    return options;
  }

  /** Filters of this hub only; they run after the server-wide ones. */
  public List<HubFilter> filters() {
    return filters;
  }

  /** True when anonymous requests get 401 and never open a connection. */
  public boolean requireAuthenticatedUser() {
    return requireAuthenticatedUser;
  }

  /** Who may open connections to this hub (see {@link ConnectionAdmission}); null admits all. */
  public ConnectionAdmission admission() {
    return admission;
  }

  @Override
  public String toString() {
    return "HubMapping["
        + path
        + (requireAuthenticatedUser ? ", authenticated users only" : "")
        + ", "
        + filters.size()
        + " filter(s)]";
  }

  /** Builds a {@link HubMapping}. */
  public static final class Builder {
    private final String path;
    private final Supplier<? extends Hub> factory;
    private HubOptions options = HubOptions.defaults();
    private final List<HubFilter> filters = new ArrayList<>();
    private boolean requireAuthenticatedUser;
    private ConnectionAdmission admission;

    private Builder(String path, Supplier<? extends Hub> factory) {
      if (path == null || !path.startsWith("/") || path.endsWith("/")) {
        throw new IllegalArgumentException(
            "A hub path starts with '/' and does not end with it (was " + path + ")");
      }
      this.path = path;
      this.factory = Objects.requireNonNull(factory, "factory");
    }

    /** The hub's options; default {@link HubOptions#defaults()}. */
    public Builder options(HubOptions options) {
      this.options = Objects.requireNonNull(options, "options");
      return this;
    }

    /** Adds a filter for this hub only, run after the server-wide ones, in the order added. */
    public Builder filter(HubFilter filter) {
      filters.add(Objects.requireNonNull(filter, "filter"));
      return this;
    }

    /** Adds filters for this hub only (see {@link #filter(HubFilter)}). */
    public Builder filters(List<? extends HubFilter> filters) {
      filters.forEach(this::filter);
      return this;
    }

    /**
     * When true, requests the authenticator finds no user for get 401 and never open a connection.
     * Default false (anonymous users may connect).
     */
    public Builder requireAuthenticatedUser(boolean require) {
      this.requireAuthenticatedUser = require;
      return this;
    }

    /**
     * Asked before each new connection of this hub (negotiate, or a WebSocket that skips it) and
     * told when connections open and close; a refusal is sent as the answer, e.g. 429. Default
     * none: every authenticated request may connect.
     */
    public Builder admission(ConnectionAdmission admission) {
      this.admission = admission;
      return this;
    }

    public HubMapping build() {
      return new HubMapping(this);
    }
  }
}
