package org.jvmchat.hub.internal.dispatch;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.jvmchat.hub.Hub;
import org.jvmchat.hub.HubMethodName;
import org.jvmchat.hub.NonBlocking;

/** The callable methods of a hub class, by case-insensitive name. */
public final class HubMethods {
  private final Map<String, HubMethodDescriptor> byName;

  private HubMethods(Map<String, HubMethodDescriptor> byName) {
    this.byName = byName;
  }

  /**
   * Finds the public instance methods declared by the hub class and its superclasses below {@link
   * Hub} (lifecycle methods excluded).
   *
   * @throws IllegalArgumentException on overloads (names equal ignoring case)
   */
  public static HubMethods of(Class<? extends Hub> hubClass) {
    Map<String, HubMethodDescriptor> methods = new HashMap<>();
    for (Class<?> c = hubClass;
        c != null && c != Hub.class && c != Object.class;
        c = c.getSuperclass()) {
      for (Method m : c.getDeclaredMethods()) {
        int mod = m.getModifiers();
        if (!Modifier.isPublic(mod) || Modifier.isStatic(mod) || m.isSynthetic() || m.isBridge()) {
          continue;
        }
        if (isLifecycle(m)) {
          if (m.isAnnotationPresent(NonBlocking.class) && !m.getName().equals("onConnectedAsync")) {
            throw new IllegalArgumentException(
                "@NonBlocking on "
                    + hubClass.getName()
                    + "."
                    + m.getName()
                    + ": only onConnectedAsync, which returns a stage, can be non-blocking.");
          }
          continue;
        }
        HubMethodName rename = m.getAnnotation(HubMethodName.class);
        String name = rename != null ? rename.value() : m.getName();
        String key = name.toLowerCase(Locale.ROOT);
        HubMethodDescriptor existing = methods.get(key);
        if (existing != null) {
          if (overrides(existing.method(), m)) {
            continue; // a subclass override was seen first
          }
          throw new IllegalArgumentException(
              "Duplicate definitions of '"
                  + name
                  + "' on hub "
                  + hubClass.getName()
                  + ": overloads are not supported.");
        }
        methods.put(key, new HubMethodDescriptor(name, m));
      }
    }
    return new HubMethods(Map.copyOf(methods));
  }

  /**
   * Whether the hub class's {@link Hub#onConnectedAsync} (its most derived declaration) is marked
   * {@link NonBlocking}.
   */
  public static boolean nonBlockingOnConnected(Class<? extends Hub> hubClass) {
    try {
      return hubClass.getMethod("onConnectedAsync").isAnnotationPresent(NonBlocking.class);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("Hub.onConnectedAsync is missing", e);
    }
  }

  private static boolean overrides(Method sub, Method sup) {
    return sub.getName().equals(sup.getName())
        && java.util.Arrays.equals(sub.getParameterTypes(), sup.getParameterTypes());
  }

  private static boolean isLifecycle(Method m) {
    return ((m.getName().equals("onConnected") || m.getName().equals("onConnectedAsync"))
            && m.getParameterCount() == 0)
        || (m.getName().equals("onDisconnected")
            && m.getParameterCount() == 1
            && m.getParameterTypes()[0] == Throwable.class);
  }

  public HubMethodDescriptor find(String name) {
    return byName.get(name.toLowerCase(Locale.ROOT));
  }
}
