package org.jvmchat.hub.internal.dispatch;

import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.stream.Stream;
import org.jvmchat.hub.NonBlocking;

/** A callable hub method, analysed once when the hub is mapped. */
public final class HubMethodDescriptor {
  /** How the method's return value is delivered. */
  public enum ResultKind {
    VOID,
    VALUE,
    ASYNC,
    PUBLISHER,
    ITERATOR,
    STREAM
  }

  private final String name;
  private final Method method;
  private final List<Type> argumentTypes;
  private final int[] streamParameterIndexes;
  private final List<Type> streamItemTypes;
  private final ResultKind resultKind;
  private final boolean nonBlocking;

  HubMethodDescriptor(String name, Method method) {
    this.name = name;
    this.method = method;
    method.setAccessible(true);
    Type[] params = method.getGenericParameterTypes();
    List<Type> args = new ArrayList<>();
    List<Integer> streamIndexes = new ArrayList<>();
    List<Type> itemTypes = new ArrayList<>();
    for (int i = 0; i < params.length; i++) {
      if (rawType(params[i]) == Flow.Publisher.class) {
        streamIndexes.add(i);
        itemTypes.add(typeArgument(params[i]));
      } else {
        args.add(params[i]);
      }
    }
    this.argumentTypes = List.copyOf(args);
    this.streamParameterIndexes = streamIndexes.stream().mapToInt(Integer::intValue).toArray();
    this.streamItemTypes = List.copyOf(itemTypes);
    Class<?> ret = method.getReturnType();
    if (ret == void.class || ret == Void.class) {
      resultKind = ResultKind.VOID;
    } else if (Flow.Publisher.class.isAssignableFrom(ret)) {
      resultKind = ResultKind.PUBLISHER;
    } else if (Iterator.class.isAssignableFrom(ret)) {
      resultKind = ResultKind.ITERATOR;
    } else if (Stream.class.isAssignableFrom(ret)) {
      resultKind = ResultKind.STREAM;
    } else if (CompletionStage.class.isAssignableFrom(ret)) {
      resultKind = ResultKind.ASYNC;
    } else {
      resultKind = ResultKind.VALUE;
    }
    this.nonBlocking = method.isAnnotationPresent(NonBlocking.class);
    if (nonBlocking && (isStreaming() || streamParameterIndexes.length > 0)) {
      throw new IllegalArgumentException(
          "@NonBlocking is not supported on the streaming hub method '"
              + name
              + "' ("
              + method
              + "): only methods returning a value, void or a CompletionStage, without stream"
              + " parameters, may run on the I/O thread.");
    }
  }

  static Class<?> rawType(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return Object.class;
  }

  static Type typeArgument(Type type) {
    if (type instanceof ParameterizedType p) {
      Type arg = p.getActualTypeArguments()[0];
      if (arg instanceof WildcardType w) {
        Type[] upper = w.getUpperBounds();
        return upper.length > 0 ? upper[0] : Object.class;
      }
      return arg;
    }
    return Object.class;
  }

  public String name() {
    return name;
  }

  public Method method() {
    return method;
  }

  /** Types of the {@code arguments} array (stream parameters excluded). */
  public List<Type> argumentTypes() {
    return argumentTypes;
  }

  public int parameterCount() {
    return method.getParameterCount();
  }

  public int[] streamParameterIndexes() {
    return streamParameterIndexes;
  }

  public List<Type> streamItemTypes() {
    return streamItemTypes;
  }

  public ResultKind resultKind() {
    return resultKind;
  }

  /** Marked {@link NonBlocking}: called on the I/O thread when the connection's lane is idle. */
  public boolean nonBlocking() {
    return nonBlocking;
  }

  public boolean isStreaming() {
    return resultKind == ResultKind.PUBLISHER
        || resultKind == ResultKind.ITERATOR
        || resultKind == ResultKind.STREAM;
  }
}
