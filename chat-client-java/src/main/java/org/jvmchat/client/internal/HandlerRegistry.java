package org.jvmchat.client.internal;

import java.lang.reflect.Type;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jvmchat.client.MessageHandler;
import org.jvmchat.client.ResultHandler;
import org.jvmchat.client.Subscription;

/**
 * The {@code on(...)} handlers of a connection, by method name (case-insensitive, as the official
 * clients match them). Every handler of one method declares the same parameter types, which is what
 * the protocol binds the arguments to.
 */
final class HandlerRegistry {
  /** Exactly one of {@code plain} / {@code withResult} is set. */
  record Registration(MessageHandler plain, ResultHandler withResult, List<Type> types) {}

  private final ConcurrentHashMap<String, CopyOnWriteArrayList<Registration>> byMethod =
      new ConcurrentHashMap<>();

  Subscription add(String method, MessageHandler plain, ResultHandler withResult, Type[] types) {
    if (method == null || method.isEmpty()) {
      throw new IllegalArgumentException("method must not be null or empty");
    }
    for (Type t : types) {
      Objects.requireNonNull(t, "parameter types must not be null");
    }
    Registration registration = new Registration(plain, withResult, List.of(types));
    String key = method.toLowerCase(Locale.ROOT);
    byMethod.compute(
        key,
        (k, list) -> {
          if (list == null) {
            list = new CopyOnWriteArrayList<>();
          } else if (!list.isEmpty() && !list.get(0).types().equals(registration.types())) {
            throw new IllegalArgumentException(
                "Every handler of '"
                    + method
                    + "' must declare the same parameter types: "
                    + list.get(0).types()
                    + " was registered before, "
                    + registration.types()
                    + " now");
          }
          list.add(registration);
          return list;
        });
    return () ->
        byMethod.computeIfPresent(
            key,
            (k, list) -> {
              list.remove(registration);
              return list.isEmpty() ? null : list;
            });
  }

  /** The handlers of {@code method}, possibly empty. */
  List<Registration> handlers(String method) {
    List<Registration> list = byMethod.get(method.toLowerCase(Locale.ROOT));
    return list == null ? List.of() : list;
  }

  /** The parameter types of {@code method}, or null when nothing handles it. */
  List<Type> parameterTypes(String method) {
    List<Registration> list = handlers(method);
    return list.isEmpty() ? null : list.get(0).types();
  }
}
