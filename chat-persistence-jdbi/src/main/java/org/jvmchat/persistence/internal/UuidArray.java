package org.jvmchat.persistence.internal;

import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.util.UUID;
import org.postgresql.util.PGBinaryObject;
import org.postgresql.util.PGobject;

/**
 * A {@code uuid[]} statement parameter that the driver sends in PostgreSQL's binary array format
 * (when {@code binaryTransferEnable} names {@code uuid[]}, which {@link
 * PostgresStoreFactory#driverProperties} does), so the server copies each id instead of parsing its
 * text. The driver sends a {@code UUID[]} as a text literal, which PostgreSQL takes apart with
 * {@code array_in} and then {@code uuid_in} — sixteen {@code strtoul} calls per id, 7% of the
 * database's time per stored message in chat-load's echo (2026-12-07). Without binary sending the
 * driver falls back to {@link #getValue()}, the same array as text.
 */
final class UuidArray extends PGobject implements PGBinaryObject {
  private static final long serialVersionUID = 1L;

  /** {@code uuid}'s type oid, the element type in the array's header. */
  private static final int UUID_OID = 2950;

  private final UUID[] values;

  UuidArray(UUID[] values) {
    this.values = values.clone();
    this.type = "uuid[]";
  }

  @Override
  public int lengthInBytes() {
    // ndim, has-null flag, element type; then per dimension its length and lower bound; then per
    // element its length and its 16 bytes. An empty array has no dimension.
    return values.length == 0 ? 12 : 20 + 20 * values.length;
  }

  @Override
  public void toBytes(byte[] bytes, int offset) {
    ByteBuffer out = ByteBuffer.wrap(bytes, offset, lengthInBytes()); // big-endian, as the protocol
    out.putInt(values.length == 0 ? 0 : 1);
    out.putInt(0);
    out.putInt(UUID_OID);
    if (values.length == 0) {
      return;
    }
    out.putInt(values.length);
    out.putInt(1);
    for (UUID id : values) {
      out.putInt(16);
      out.putLong(id.getMostSignificantBits());
      out.putLong(id.getLeastSignificantBits());
    }
  }

  @Override
  public void setByteValue(byte[] value, int offset) throws SQLException {
    throw new SQLException("UuidArray is a statement parameter only; it is never read");
  }

  @Override
  public String getValue() {
    StringBuilder text = new StringBuilder(2 + 37 * values.length).append('{');
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        text.append(',');
      }
      text.append(values[i]);
    }
    return text.append('}').toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UuidArray other && java.util.Arrays.equals(values, other.values);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(values);
  }
}
