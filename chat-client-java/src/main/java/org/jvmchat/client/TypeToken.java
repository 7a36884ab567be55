package org.jvmchat.client;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Objects;

/**
 * Captures a generic type for {@link HubConnection#invoke(TypeToken, String, Object...)} and {@link
 * HubConnection#stream(TypeToken, String, Object...)}: {@code new TypeToken<List<Room>>() {}}. Use
 * {@link #of(Type)} when the {@link Type} is already at hand.
 */
public abstract class TypeToken<T> {
  private final Type type;

  protected TypeToken() {
    Type superclass = getClass().getGenericSuperclass();
    if (!(superclass instanceof ParameterizedType parameterized)) {
      throw new IllegalStateException(
          "TypeToken must be created with a type argument: new TypeToken<List<String>>() {}");
    }
    this.type = parameterized.getActualTypeArguments()[0];
  }

  private TypeToken(Type type) {
    this.type = Objects.requireNonNull(type, "type");
  }

  /** A token for a type known only at run time. */
  public static <T> TypeToken<T> of(Type type) {
    return new TypeToken<T>(type) {};
  }

  public final Type type() {
    return type;
  }

  @Override
  public String toString() {
    return type.getTypeName();
  }
}
