package org.jvmchat.persistence.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.jvmchat.persistence.StoreOptions;
import org.jvmchat.persistence.TestDatabases;
import org.postgresql.core.BaseConnection;

/**
 * {@link UuidArray} on the real PostgreSQL: the store's connections send it in binary, and the
 * server reads back the very ids, in order, from the binary form and from the text form a
 * connection without binary sending falls back to.
 */
class UuidArrayTest {
  private static final UUID[] IDS = {
    UUID.fromString("01a24fe4-6d72-7000-b54b-4b2c28c07665"),
    UUID.fromString("ffffffff-ffff-ffff-ffff-ffffffffffff"),
    UUID.fromString("00000000-0000-0000-0000-000000000001"),
    UUID.randomUUID()
  };

  @Test
  void theStoresConnectionsSendItInBinaryAndTheServerReadsTheSameIds() throws Exception {
    StoreOptions settings = TestDatabases.externalSettings().build();
    DatabaseTarget target = DatabaseTarget.parse(settings.databaseUrl());
    Properties props = PostgresStoreFactory.driverProperties(settings);
    props.remove("currentSchema");
    if (target.user() != null) {
      props.setProperty("user", target.user());
    }
    if (target.password() != null) {
      props.setProperty("password", target.password());
    }
    try (Connection c = DriverManager.getConnection(target.jdbcUrl(), props)) {
      assertThat(c.unwrap(BaseConnection.class).binaryTransferSend(2951)).isTrue();
      assertThat(roundTrip(c, IDS)).containsExactly(IDS);
      assertThat(roundTrip(c, new UUID[0])).isEmpty();
    }
  }

  @Test
  void withoutBinarySendingItGoesAsTextAndStillReadsTheSame() throws Exception {
    try (Connection c = TestDatabases.connect(TestDatabases.databaseUrl(), null)) {
      assertThat(c.unwrap(BaseConnection.class).binaryTransferSend(2951)).isFalse();
      assertThat(roundTrip(c, IDS)).containsExactly(IDS);
      assertThat(roundTrip(c, new UUID[0])).isEmpty();
    }
  }

  @Test
  void itsTextFormIsPostgresqlsArrayLiteral() {
    assertThat(new UuidArray(new UUID[] {IDS[0], IDS[1]}).getValue())
        .isEqualTo("{01a24fe4-6d72-7000-b54b-4b2c28c07665,ffffffff-ffff-ffff-ffff-ffffffffffff}");
    assertThat(new UuidArray(new UUID[0]).getValue()).isEqualTo("{}");
  }

  /** The ids as the server sees them: each element of the parameter, in order, as text. */
  private static UUID[] roundTrip(Connection c, UUID[] ids) throws Exception {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select coalesce(array_agg(u::text order by n), '{}') from unnest(?::uuid[])"
                + " with ordinality as t(u, n)")) {
      ps.setObject(1, new UuidArray(ids));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        String[] texts = (String[]) rs.getArray(1).getArray();
        UUID[] read = new UUID[texts.length];
        for (int i = 0; i < texts.length; i++) {
          read[i] = UUID.fromString(texts[i]);
        }
        return read;
      }
    }
  }
}
