package org.jvmchat.protocol.internal.msgpack;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.ser.BeanSerializer;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jvmchat.protocol.HubProtocolException;
import org.jvmchat.protocol.internal.Mappers;
import org.msgpack.core.ExtensionTypeHeader;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.jackson.dataformat.MessagePackExtensionType;
import org.msgpack.value.ValueType;

/**
 * Payload values written and read with msgpack-core directly, by a writer or reader prepared once
 * per type: strings, numbers, booleans, {@code byte[]} (bin), {@link Instant} (timestamp extension
 * -1), {@link OffsetDateTime} (ASP.NET's {@code DateTimeOffset}: {@code [timestamp of the local
 * time, offset minutes]}), lists, maps with string keys, and records and POJOs whose Jackson view
 * is plain (property names and order, nothing else customised). Anything else goes through the
 * payload {@link ObjectMapper}, and so does any value the prepared reader cannot decide on (a value
 * of the wrong shape, a missing or repeated property): it throws {@link #MISMATCH} and the caller
 * binds again with Jackson, which then gives the usual result or error. The first value of each
 * bean type is also written (or read) by Jackson and compared; a type whose bytes differ is handed
 * to Jackson for good. Thread-safe.
 */
public final class ValueCodecs {
  /** The prepared path cannot decide on a value: bind it with the mapper instead. */
  public static final RuntimeException MISMATCH = new Mismatch();

  private static final class Mismatch extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Mismatch() {
      super("prepared binding mismatch", null, false, false);
    }
  }

  /** Writes one value of a known class. */
  interface Writer {
    void write(MessagePacker p, Object value) throws IOException;
  }

  /** Reads one value; throws {@link #MISMATCH} when it cannot. */
  public interface Reader {
    Object read(ReadContext c, int depth) throws IOException;
  }

  private static final int MAX_DEPTH = Mappers.MAX_NESTING_DEPTH;
  private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

  private final ObjectMapper mapper;
  private final boolean beans;
  private final Map<Class<?>, Writer> writers = new ConcurrentHashMap<>();
  private final Map<Type, TypedReader> readers = new ConcurrentHashMap<>();
  private final Writer jacksonWriter;
  private final Reader generic = this::readGeneric;

  public ValueCodecs(ObjectMapper mapper) {
    this.mapper = mapper;
    this.jacksonWriter = (p, v) -> p.writePayload(mapper.writeValueAsBytes(v));
    JsonInclude.Include inclusion =
        mapper.getSerializationConfig().getDefaultPropertyInclusion().getValueInclusion();
    this.beans =
        mapper.mixInCount() == 0
            && !mapper.isEnabled(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
            && (inclusion == JsonInclude.Include.ALWAYS
                || inclusion == JsonInclude.Include.USE_DEFAULTS);
  }

  // ---------------------------------------------------------------------------------- writing

  /** Writes {@code value}, dispatching on its runtime class. */
  public void write(MessagePacker p, Object value) throws IOException {
    if (value == null) {
      p.packNil();
    } else if (value instanceof String s) {
      p.packString(s);
    } else if (value instanceof Integer i) {
      p.packInt(i);
    } else if (value instanceof Long l) {
      p.packLong(l);
    } else if (value instanceof Boolean b) {
      p.packBoolean(b);
    } else {
      Class<?> c = value.getClass();
      Writer w = writers.get(c);
      if (w == null) {
        w = writers.computeIfAbsent(c, this::createWriter);
      }
      w.write(p, value);
    }
  }

  private Writer createWriter(Class<?> c) {
    if (c == Double.class) {
      return (p, v) -> p.packDouble((Double) v);
    }
    if (c == Float.class) {
      return (p, v) -> p.packFloat((Float) v);
    }
    if (c == Short.class) {
      return (p, v) -> p.packShort((Short) v);
    }
    if (c == Byte.class) {
      return (p, v) -> p.packByte((Byte) v);
    }
    if (c == byte[].class) {
      return (p, v) -> {
        byte[] b = (byte[]) v;
        p.packBinaryHeader(b.length).writePayload(b);
      };
    }
    if (c == Instant.class) {
      return (p, v) -> p.packTimestamp((Instant) v);
    }
    if (c == OffsetDateTime.class) {
      return (p, v) -> writeOffsetDateTime(p, (OffsetDateTime) v);
    }
    if (isJdk(c) && Collection.class.isAssignableFrom(c)) {
      return (p, v) -> {
        Collection<?> items = (Collection<?>) v;
        p.packArrayHeader(items.size());
        for (Object item : items) {
          write(p, item);
        }
      };
    }
    if (isJdk(c) && Map.class.isAssignableFrom(c)) {
      return (p, v) -> writeMap(p, (Map<?, ?>) v);
    }
    Writer bean = beans ? beanWriter(c) : null;
    return bean != null ? bean : jacksonWriter;
  }

  private void writeMap(MessagePacker p, Map<?, ?> map) throws IOException {
    for (Object key : map.keySet()) {
      if (!(key instanceof String)) {
        jacksonWriter.write(p, map);
        return;
      }
    }
    p.packMapHeader(map.size());
    for (Map.Entry<?, ?> e : map.entrySet()) {
      p.packString((String) e.getKey());
      write(p, e.getValue());
    }
  }

  /** ASP.NET's DateTimeOffset: [timestamp of the local date-time taken as UTC, offset minutes]. */
  public static void writeOffsetDateTime(MessagePacker p, OffsetDateTime value) throws IOException {
    p.packArrayHeader(2);
    p.packTimestamp(value.toLocalDateTime().toInstant(java.time.ZoneOffset.UTC));
    p.packShort((short) (value.getOffset().getTotalSeconds() / 60));
  }

  private static boolean isJdk(Class<?> c) {
    String n = c.getName();
    return n.startsWith("java.");
  }

  /** A writer for a plain record or POJO, or null when Jackson must write it. */
  private Writer beanWriter(Class<?> c) {
    try {
      if (isJdk(c)
          || c.getName().startsWith("javax.")
          || c.isEnum()
          || c.isArray()
          || c.isPrimitive()
          || c.isAnonymousClass()
          || Map.Entry.class.isAssignableFrom(c)
          || Iterable.class.isAssignableFrom(c)
          || !plainAnnotations(c)) {
        return null;
      }
      JsonSerializer<Object> ser = mapper.getSerializerProviderInstance().findValueSerializer(c);
      if (ser.getClass() != BeanSerializer.class) {
        return null;
      }
      JavaType type = mapper.constructType(c);
      BeanDescription bd = mapper.getSerializationConfig().introspect(type);
      List<byte[]> names = new ArrayList<>();
      List<MethodHandle> getters = new ArrayList<>();
      for (BeanPropertyDefinition prop : bd.findProperties()) {
        if (!prop.couldSerialize()) {
          continue;
        }
        AnnotatedMember accessor = prop.getAccessor();
        if (accessor == null) {
          continue;
        }
        MethodHandle getter = getter(accessor.getMember());
        if (getter == null) {
          return null;
        }
        names.add(encodedString(prop.getName()));
        getters.add(getter);
      }
      return new BeanWriter(c, names.toArray(new byte[0][]), getters.toArray(new MethodHandle[0]));
    } catch (RuntimeException | ReflectiveOperationException | IOException e) {
      return null;
    }
  }

  private static MethodHandle getter(Member member) throws IllegalAccessException {
    MethodHandle h;
    if (member instanceof Method m) {
      if (m.getParameterCount() != 0) {
        return null;
      }
      m.setAccessible(true);
      h = LOOKUP.unreflect(m);
    } else if (member instanceof Field f) {
      f.setAccessible(true);
      h = LOOKUP.unreflectGetter(f);
    } else {
      return null;
    }
    return h.asType(MethodType.methodType(Object.class, Object.class));
  }

  private static byte[] encodedString(String s) throws IOException {
    MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
    p.packString(s);
    return p.toByteArray();
  }

  private final class BeanWriter implements Writer {
    private final Class<?> type;
    private final byte[][] names;
    private final MethodHandle[] getters;
    private volatile boolean verified;

    BeanWriter(Class<?> type, byte[][] names, MethodHandle[] getters) {
      this.type = type;
      this.names = names;
      this.getters = getters;
    }

    @Override
    public void write(MessagePacker p, Object value) throws IOException {
      if (!verified) {
        byte[] expected = mapper.writeValueAsBytes(value);
        MessageBufferPacker mine = MessagePack.newDefaultBufferPacker();
        writeFields(mine, value);
        if (!Arrays.equals(expected, mine.toByteArray())) {
          // Jackson writes this type differently (a customisation we do not model): use it.
          writers.put(type, jacksonWriter);
          p.writePayload(expected);
          return;
        }
        verified = true;
      }
      writeFields(p, value);
    }

    private void writeFields(MessagePacker p, Object value) throws IOException {
      p.packMapHeader(names.length);
      for (int i = 0; i < names.length; i++) {
        p.writePayload(names[i]);
        Object field;
        try {
          field = getters[i].invokeExact(value);
        } catch (RuntimeException | Error e) {
          throw e;
        } catch (Throwable t) {
          throw new IllegalStateException(t);
        }
        ValueCodecs.this.write(p, field);
      }
    }
  }

  /**
   * Only Jackson annotations that change names and order (and inclusion ALWAYS): anything else
   * (custom serializers, formats, views, type info, unwrapping...) leaves the type to Jackson.
   */
  private static boolean plainAnnotations(Class<?> c) {
    for (Class<?> k = c;
        k != null && k != Object.class && k != Record.class;
        k = k.getSuperclass()) {
      if (!plain(k.getDeclaredAnnotations())) {
        return false;
      }
      for (Field f : k.getDeclaredFields()) {
        if (!plain(f.getDeclaredAnnotations())) {
          return false;
        }
      }
      for (Method m : k.getDeclaredMethods()) {
        if (!plain(m.getDeclaredAnnotations())) {
          return false;
        }
      }
      for (Constructor<?> ctor : k.getDeclaredConstructors()) {
        if (!plain(ctor.getDeclaredAnnotations())) {
          return false;
        }
        for (Annotation[] params : ctor.getParameterAnnotations()) {
          if (!plain(params)) {
            return false;
          }
        }
      }
      if (k.isRecord()) {
        for (RecordComponent rc : k.getRecordComponents()) {
          if (!plain(rc.getDeclaredAnnotations())) {
            return false;
          }
        }
      }
    }
    for (Class<?> i : c.getInterfaces()) {
      if (!plain(i.getDeclaredAnnotations())) {
        return false;
      }
    }
    return true;
  }

  private static boolean plain(Annotation[] annotations) {
    for (Annotation a : annotations) {
      Class<? extends Annotation> t = a.annotationType();
      if (!t.getName().startsWith("com.fasterxml.jackson.")) {
        continue;
      }
      if (a instanceof JsonProperty p) {
        if (p.access() != JsonProperty.Access.AUTO) {
          return false;
        }
      } else if (a instanceof JsonInclude inc) {
        if (!(inc.value() == JsonInclude.Include.ALWAYS
            || inc.value() == JsonInclude.Include.USE_DEFAULTS)) {
          return false;
        }
      } else if (!(a instanceof JsonPropertyOrder)) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------------------------- reading

  /**
   * The prepared reader for {@code type} ({@code null}: generic), or {@code null} when the type is
   * bound by the mapper alone.
   */
  public TypedReader reader(Type type) {
    if (type == null) {
      type = Object.class;
    }
    TypedReader r = readers.get(type);
    if (r == null) {
      r = readers.computeIfAbsent(type, t -> new TypedReader(t, createReader(t, 0)));
    }
    return r.reader == null ? null : r;
  }

  /** A prepared reader of one parameter type, with the first-use check of bean types. */
  public final class TypedReader {
    private final Type type;
    private final Reader reader;
    private volatile boolean verified;
    private volatile boolean disabled;

    TypedReader(Type type, Reader reader) {
      this.type = type;
      this.reader = reader;
      this.verified = reader == null || !involvesBeans(type);
    }

    /** Reads a value; {@link #MISMATCH} when the mapper must bind it. */
    public Object read(ReadContext c) throws IOException {
      if (disabled) {
        throw MISMATCH;
      }
      if (verified) {
        return reader.read(c, 0);
      }
      int start = c.position();
      Object mine = reader.read(c, 0);
      int end = c.position();
      Object theirs;
      try {
        theirs = mapper.readValue(c.data(), start, end - start, mapper.constructType(type));
      } catch (IOException | RuntimeException e) {
        // The mapper refuses what the prepared reader accepted: the mapper decides, for good.
        disabled = true;
        throw MISMATCH;
      }
      if (!Arrays.equals(mapper.writeValueAsBytes(mine), mapper.writeValueAsBytes(theirs))) {
        disabled = true;
        return theirs;
      }
      verified = true;
      return mine;
    }
  }

  private static boolean involvesBeans(Type t) {
    if (t instanceof Class<?> c) {
      return !isJdk(c) && c != byte[].class && !c.isPrimitive();
    }
    if (t instanceof ParameterizedType pt) {
      for (Type a : pt.getActualTypeArguments()) {
        if (involvesBeans(a)) {
          return true;
        }
      }
    }
    return false;
  }

  private Reader createReader(Type t, int nesting) {
    if (nesting > 16) {
      return null;
    }
    if (t instanceof ParameterizedType pt && pt.getRawType() instanceof Class<?> raw) {
      Type[] args = pt.getActualTypeArguments();
      if (raw == List.class || raw == Collection.class || raw == ArrayList.class) {
        Reader item = createReader(args[0], nesting + 1);
        return item == null ? null : (c, depth) -> readList(c, depth, item);
      }
      if ((raw == Map.class || raw == LinkedHashMap.class) && args[0] == String.class) {
        Reader value = createReader(args[1], nesting + 1);
        return value == null ? null : (c, depth) -> readMap(c, depth, value);
      }
      return null;
    }
    if (!(t instanceof Class<?> c)) {
      return null;
    }
    if (c == Object.class) {
      return generic;
    }
    if (c == String.class) {
      return ValueCodecs::readString;
    }
    if (c == int.class || c == Integer.class) {
      boolean primitive = c.isPrimitive();
      return (ctx, depth) -> {
        MessageUnpacker u = ctx.unpacker();
        MessageFormat f = u.getNextFormat();
        if (f.getValueType() == ValueType.INTEGER) {
          long v = u.unpackLong();
          if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            return (int) v;
          }
        } else if (f == MessageFormat.NIL && !primitive) {
          u.unpackNil();
          return null;
        }
        throw MISMATCH;
      };
    }
    if (c == long.class || c == Long.class) {
      boolean primitive = c.isPrimitive();
      return (ctx, depth) -> {
        MessageUnpacker u = ctx.unpacker();
        MessageFormat f = u.getNextFormat();
        if (f.getValueType() == ValueType.INTEGER && f != MessageFormat.UINT64) {
          return u.unpackLong();
        } else if (f == MessageFormat.NIL && !primitive) {
          u.unpackNil();
          return null;
        }
        throw MISMATCH;
      };
    }
    if (c == boolean.class || c == Boolean.class) {
      boolean primitive = c.isPrimitive();
      return (ctx, depth) -> {
        MessageUnpacker u = ctx.unpacker();
        MessageFormat f = u.getNextFormat();
        if (f == MessageFormat.BOOLEAN) {
          return u.unpackBoolean();
        } else if (f == MessageFormat.NIL && !primitive) {
          u.unpackNil();
          return null;
        }
        throw MISMATCH;
      };
    }
    if (c == double.class || c == Double.class) {
      boolean primitive = c.isPrimitive();
      return (ctx, depth) -> {
        MessageUnpacker u = ctx.unpacker();
        MessageFormat f = u.getNextFormat();
        if (f.getValueType() == ValueType.FLOAT) {
          return u.unpackDouble();
        } else if (f == MessageFormat.NIL && !primitive) {
          u.unpackNil();
          return null;
        }
        throw MISMATCH;
      };
    }
    if (c == byte[].class) {
      return (ctx, depth) -> {
        MessageUnpacker u = ctx.unpacker();
        MessageFormat f = u.getNextFormat();
        if (f.getValueType() == ValueType.BINARY) {
          return u.readPayload(u.unpackBinaryHeader());
        } else if (f == MessageFormat.NIL) {
          u.unpackNil();
          return null;
        }
        throw MISMATCH;
      };
    }
    if (c == Instant.class) {
      return (ctx, depth) -> readInstant(ctx.unpacker());
    }
    if (c == OffsetDateTime.class) {
      return (ctx, depth) -> readOffsetDateTime(ctx.unpacker());
    }
    if (beans && c.isRecord() && plainAnnotations(c)) {
      return recordReader(c, nesting);
    }
    if (beans
        && !isJdk(c)
        && !c.isInterface()
        && !c.isEnum()
        && !c.isArray()
        && !Modifier.isAbstract(c.getModifiers())
        && (c.getEnclosingClass() == null || Modifier.isStatic(c.getModifiers()))
        && plainAnnotations(c)) {
      return pojoReader(c, nesting);
    }
    return null;
  }

  /** A POJO read through its no-argument constructor and its setters (or fields). */
  private Reader pojoReader(Class<?> c, int nesting) {
    try {
      Constructor<?> ctor = c.getDeclaredConstructor();
      setAccessible(ctor);
      MethodHandle create =
          LOOKUP.unreflectConstructor(ctor).asType(MethodType.methodType(Object.class));
      BeanDescription bd = mapper.getDeserializationConfig().introspect(mapper.constructType(c));
      List<byte[]> names = new ArrayList<>();
      List<Reader> readers = new ArrayList<>();
      List<MethodHandle> setters = new ArrayList<>();
      for (BeanPropertyDefinition prop : bd.findProperties()) {
        if (!prop.couldDeserialize()) {
          continue;
        }
        AnnotatedMember mutator = prop.getMutator();
        if (mutator == null || prop.getConstructorParameter() != null) {
          return null;
        }
        MethodHandle setter;
        Type type;
        if (mutator.getMember() instanceof Method m && m.getParameterCount() == 1) {
          m.setAccessible(true);
          setter = LOOKUP.unreflect(m);
          type = m.getGenericParameterTypes()[0];
        } else if (mutator.getMember() instanceof Field f && !Modifier.isFinal(f.getModifiers())) {
          f.setAccessible(true);
          setter = LOOKUP.unreflectSetter(f);
          type = f.getGenericType();
        } else {
          return null;
        }
        Reader r = createReader(type, nesting + 1);
        if (r == null) {
          return null;
        }
        names.add(prop.getName().getBytes(StandardCharsets.UTF_8));
        readers.add(r);
        setters.add(setter.asType(MethodType.methodType(void.class, Object.class, Object.class)));
      }
      if (names.size() > 64) {
        return null;
      }
      return new PojoReader(
          create,
          names.toArray(new byte[0][]),
          readers.toArray(new Reader[0]),
          setters.toArray(new MethodHandle[0]));
    } catch (RuntimeException | ReflectiveOperationException e) {
      return null;
    }
  }

  private static final class PojoReader implements Reader {
    private final MethodHandle create;
    private final byte[][] names;
    private final Reader[] readers;
    private final MethodHandle[] setters;

    PojoReader(MethodHandle create, byte[][] names, Reader[] readers, MethodHandle[] setters) {
      this.create = create;
      this.names = names;
      this.readers = readers;
      this.setters = setters;
    }

    @Override
    public Object read(ReadContext ctx, int depth) throws IOException {
      MessageUnpacker u = ctx.unpacker();
      int n = containerHeader(u, ValueType.MAP, depth);
      if (n < 0) {
        return null;
      }
      Object bean;
      try {
        bean = create.invokeExact();
      } catch (Error e) {
        throw e;
      } catch (Throwable t) {
        throw MISMATCH;
      }
      long seen = 0;
      for (int i = 0; i < n; i++) {
        int index = propertyIndex(ctx, names, i);
        if (index < 0) {
          skip(u, depth + 1);
          continue;
        }
        if ((seen & (1L << index)) != 0) {
          throw MISMATCH;
        }
        seen |= 1L << index;
        Object value = readers[index].read(ctx, depth + 1);
        try {
          setters[index].invokeExact(bean, value);
        } catch (Error e) {
          throw e;
        } catch (Throwable t) {
          throw MISMATCH;
        }
      }
      return bean;
    }
  }

  private static Object readString(ReadContext ctx, int depth) throws IOException {
    MessageUnpacker u = ctx.unpacker();
    MessageFormat f = u.getNextFormat();
    if (f.getValueType() == ValueType.STRING) {
      return u.unpackString();
    } else if (f == MessageFormat.NIL) {
      u.unpackNil();
      return null;
    }
    throw MISMATCH;
  }

  private static Instant readInstant(MessageUnpacker u) throws IOException {
    MessageFormat f = u.getNextFormat();
    if (f.getValueType() == ValueType.EXTENSION) {
      ExtensionTypeHeader h = u.unpackExtensionTypeHeader();
      if (h.getType() == -1) {
        return u.unpackTimestamp(h);
      }
    } else if (f == MessageFormat.NIL) {
      u.unpackNil();
      return null;
    }
    throw MISMATCH;
  }

  /** ASP.NET's DateTimeOffset: {@code [timestamp of the local date-time, offset minutes]}. */
  public static OffsetDateTime readOffsetDateTime(MessageUnpacker u) throws IOException {
    MessageFormat f = u.getNextFormat();
    if (f == MessageFormat.NIL) {
      u.unpackNil();
      return null;
    }
    if (f.getValueType() != ValueType.ARRAY || u.unpackArrayHeader() != 2) {
      throw MISMATCH;
    }
    Instant local = readInstant(u);
    if (local == null || u.getNextFormat().getValueType() != ValueType.INTEGER) {
      throw MISMATCH;
    }
    long minutes = u.unpackLong();
    if (minutes < -18 * 60 || minutes > 18 * 60) {
      throw MISMATCH;
    }
    return OffsetDateTime.of(
        java.time.LocalDateTime.ofEpochSecond(
            local.getEpochSecond(), local.getNano(), java.time.ZoneOffset.UTC),
        java.time.ZoneOffset.ofTotalSeconds((int) minutes * 60));
  }

  private static void enter(int depth) {
    if (depth >= MAX_DEPTH) {
      throw new HubProtocolException("The payload is nested deeper than " + MAX_DEPTH + " levels.");
    }
  }

  /**
   * The size of the array or map ({@code type}) that comes next, or -1 for nil (consumed); any
   * other value is a mismatch, and a container at {@code depth} past the limit is refused.
   */
  private static int containerHeader(MessageUnpacker u, ValueType type, int depth)
      throws IOException {
    MessageFormat f = u.getNextFormat();
    if (f == MessageFormat.NIL) {
      u.unpackNil();
      return -1;
    }
    if (f.getValueType() != type) {
      throw MISMATCH;
    }
    enter(depth);
    return type == ValueType.MAP ? u.unpackMapHeader() : u.unpackArrayHeader();
  }

  /**
   * Reads the next map key (it must be a string) and returns its index in {@code names}, or -1 when
   * it names none of them; {@code hint} is the index tried first (the writer's order).
   */
  private static int propertyIndex(ReadContext ctx, byte[][] names, int hint) throws IOException {
    MessageUnpacker u = ctx.unpacker();
    if (u.getNextFormat().getValueType() != ValueType.STRING) {
      throw MISMATCH;
    }
    int length = u.unpackRawStringHeader();
    byte[] key = ctx.scratch(length);
    u.readPayload(key, 0, length);
    return RecordReader.find(names, key, length, hint);
  }

  private Object readList(ReadContext ctx, int depth, Reader item) throws IOException {
    MessageUnpacker u = ctx.unpacker();
    int n = containerHeader(u, ValueType.ARRAY, depth);
    if (n < 0) {
      return null;
    }
    List<Object> list = new ArrayList<>(Math.min(n, 16));
    for (int i = 0; i < n; i++) {
      list.add(item.read(ctx, depth + 1));
    }
    return list;
  }

  private Object readMap(ReadContext ctx, int depth, Reader value) throws IOException {
    MessageUnpacker u = ctx.unpacker();
    int n = containerHeader(u, ValueType.MAP, depth);
    if (n < 0) {
      return null;
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      if (u.getNextFormat().getValueType() != ValueType.STRING) {
        throw MISMATCH;
      }
      String key = u.unpackString();
      if (map.put(key, value.read(ctx, depth + 1)) != null) {
        // Jackson keeps the last of repeated keys too, but a null value hides a repeat: let it
        // decide.
        throw MISMATCH;
      }
    }
    return map;
  }

  /**
   * Any value as Jackson's untyped binding over msgpack-jackson gives it: maps (string keys) as
   * {@link LinkedHashMap}, arrays as {@link ArrayList}, integers as Integer, Long or BigInteger,
   * floats as Double, bin as byte[], extensions as {@link MessagePackExtensionType}.
   */
  public Object readGeneric(ReadContext ctx, int depth) throws IOException {
    MessageUnpacker u = ctx.unpacker();
    MessageFormat f = u.getNextFormat();
    switch (f.getValueType()) {
      case NIL:
        u.unpackNil();
        return null;
      case BOOLEAN:
        return u.unpackBoolean();
      case INTEGER:
        if (f == MessageFormat.UINT64) {
          BigInteger big = u.unpackBigInteger();
          return big.bitLength() <= 31
              ? (Object) big.intValue()
              : big.bitLength() <= 63 ? (Object) big.longValue() : big;
        }
        long v = u.unpackLong();
        return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? (Object) (int) v : (Object) v;
      case FLOAT:
        return u.unpackDouble();
      case STRING:
        return u.unpackString();
      case BINARY:
        return u.readPayload(u.unpackBinaryHeader());
      case ARRAY:
        {
          enter(depth);
          int n = u.unpackArrayHeader();
          List<Object> list = new ArrayList<>(Math.min(n, 16));
          for (int i = 0; i < n; i++) {
            list.add(readGeneric(ctx, depth + 1));
          }
          return list;
        }
      case MAP:
        {
          enter(depth);
          int n = u.unpackMapHeader();
          Map<String, Object> map = new LinkedHashMap<>();
          for (int i = 0; i < n; i++) {
            if (u.getNextFormat().getValueType() != ValueType.STRING) {
              throw MISMATCH;
            }
            String key = u.unpackString();
            map.put(key, readGeneric(ctx, depth + 1));
          }
          return map;
        }
      case EXTENSION:
        {
          ExtensionTypeHeader h = u.unpackExtensionTypeHeader();
          return new MessagePackExtensionType(h.getType(), u.readPayload(h.getLength()));
        }
      default:
        throw MISMATCH;
    }
  }

  /** A record read through its canonical constructor; every component exactly once. */
  private Reader recordReader(Class<?> c, int nesting) {
    try {
      JavaType type = mapper.constructType(c);
      BeanDescription bd = mapper.getDeserializationConfig().introspect(type);
      Map<String, String> external = new HashMap<>();
      for (BeanPropertyDefinition prop : bd.findProperties()) {
        external.put(prop.getInternalName(), prop.getName());
      }
      RecordComponent[] components = c.getRecordComponents();
      byte[][] names = new byte[components.length][];
      Reader[] readers = new Reader[components.length];
      Class<?>[] types = new Class<?>[components.length];
      for (int i = 0; i < components.length; i++) {
        String name = external.get(components[i].getName());
        if (name == null) {
          return null;
        }
        names[i] = name.getBytes(StandardCharsets.UTF_8);
        readers[i] = createReader(components[i].getGenericType(), nesting + 1);
        if (readers[i] == null) {
          return null;
        }
        types[i] = components[i].getType();
      }
      Constructor<?> ctor = c.getDeclaredConstructor(types);
      setAccessible(ctor);
      MethodHandle create =
          LOOKUP
              .unreflectConstructor(ctor)
              .asSpreader(Object[].class, components.length)
              .asType(MethodType.methodType(Object.class, Object[].class));
      return new RecordReader(names, readers, create);
    } catch (RuntimeException | ReflectiveOperationException e) {
      return null;
    }
  }

  private static void setAccessible(AccessibleObject o) {
    if (!o.canAccess(null) || !Modifier.isPublic(((Member) o).getDeclaringClass().getModifiers())) {
      o.setAccessible(true);
    }
  }

  private static final class RecordReader implements Reader {
    private final byte[][] names;
    private final Reader[] readers;
    private final MethodHandle create;

    RecordReader(byte[][] names, Reader[] readers, MethodHandle create) {
      this.names = names;
      this.readers = readers;
      this.create = create;
    }

    @Override
    public Object read(ReadContext ctx, int depth) throws IOException {
      MessageUnpacker u = ctx.unpacker();
      int n = containerHeader(u, ValueType.MAP, depth);
      if (n < 0) {
        return null;
      }
      Object[] values = new Object[names.length];
      int seen = 0;
      long seenBits = 0;
      for (int i = 0; i < n; i++) {
        int index = propertyIndex(ctx, names, i);
        if (index < 0) {
          skip(u, depth + 1);
          continue;
        }
        if (index < 64 && (seenBits & (1L << index)) != 0) {
          throw MISMATCH;
        }
        seenBits |= index < 64 ? 1L << index : 0;
        values[index] = readers[index].read(ctx, depth + 1);
        seen++;
      }
      if (seen != names.length || names.length > 64) {
        throw MISMATCH;
      }
      try {
        return create.invokeExact(values);
      } catch (Error e) {
        throw e;
      } catch (Throwable t) {
        // The constructor refused the values: the mapper reports that as a binding failure.
        throw MISMATCH;
      }
    }

    static int find(byte[][] names, byte[] key, int length, int hint) {
      if (hint < names.length && equal(names[hint], key, length)) {
        return hint;
      }
      for (int i = 0; i < names.length; i++) {
        if (equal(names[i], key, length)) {
          return i;
        }
      }
      return -1;
    }

    private static boolean equal(byte[] name, byte[] key, int length) {
      return name.length == length && Arrays.equals(name, 0, length, key, 0, length);
    }
  }

  /** Skips one value, refusing nesting deeper than the limit. Iterative. */
  public static void skip(MessageUnpacker u, int depth) throws IOException {
    long pending = 1;
    long[] stack = null;
    int level = 0;
    while (true) {
      if (pending == 0) {
        if (level == 0) {
          return;
        }
        pending = stack[--level];
        continue;
      }
      pending--;
      MessageFormat f = u.getNextFormat();
      ValueType vt = f.getValueType();
      if (vt == ValueType.ARRAY || vt == ValueType.MAP) {
        long n = vt == ValueType.ARRAY ? u.unpackArrayHeader() : 2L * u.unpackMapHeader();
        if (depth + level >= MAX_DEPTH) {
          throw new HubProtocolException(
              "The payload is nested deeper than " + MAX_DEPTH + " levels.");
        }
        if (stack == null) {
          stack = new long[MAX_DEPTH + 1];
        }
        stack[level++] = pending;
        pending = n;
      } else {
        u.skipValue();
      }
    }
  }
}
