package org.jvmchat.server.chat;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jvmchat.persistence.ChatStore;

/**
 * A {@link ChatStore} in front of another that counts the calls of each method by name, for tests
 * of what a cache still asks the store; an {@link Around} may run code around a call or fail it.
 */
final class CountingStore {
  /** Wraps one call: {@code proceed} makes it on the real store and returns its result. */
  interface Around {
    Object call(String method, Proceed proceed) throws Throwable;
  }

  /** The real call. */
  interface Proceed {
    Object run() throws Throwable;
  }

  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final ChatStore store;

  CountingStore(ChatStore delegate) {
    this(delegate, (method, proceed) -> proceed.run());
  }

  CountingStore(ChatStore delegate, Around around) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          calls.computeIfAbsent(method.getName(), k -> new AtomicInteger()).incrementAndGet();
          return around.call(method.getName(), () -> invoke(method, delegate, args));
        };
    this.store =
        (ChatStore)
            Proxy.newProxyInstance(
                ChatStore.class.getClassLoader(), new Class<?>[] {ChatStore.class}, handler);
  }

  private static Object invoke(Method method, ChatStore delegate, Object[] args) throws Throwable {
    try {
      return method.invoke(delegate, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** The counting store. */
  ChatStore store() {
    return store;
  }

  /** How many times {@code method} was called since the start or {@link #clear}. */
  int calls(String method) {
    AtomicInteger n = calls.get(method);
    return n == null ? 0 : n.get();
  }

  /** Forgets the counts. */
  void clear() {
    calls.clear();
  }
}
