package org.jvmchat.persistence.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatabaseTargetTest {
  @Test
  void postgresUrlsBecomeJdbcUrlsWithSeparateCredentials() {
    DatabaseTarget t = DatabaseTarget.parse("postgres://chat:s3cr%40t@db.example:6543/chatdb");
    assertThat(t.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/chatdb");
    assertThat(t.user()).isEqualTo("chat");
    assertThat(t.password()).isEqualTo("s3cr@t");
    assertThat(t.description()).isEqualTo("db.example:6543/chatdb");
    assertThat(t.toString()).doesNotContain("s3cr");
  }

  @Test
  void portUserPasswordAndDatabaseAreOptionalAndParametersAreKept() {
    DatabaseTarget t = DatabaseTarget.parse("postgresql://localhost?sslmode=require");
    assertThat(t.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/postgres?sslmode=require");
    assertThat(t.user()).isNull();
    assertThat(t.password()).isNull();

    DatabaseTarget onlyUser = DatabaseTarget.parse("postgresql://postgres@127.0.0.1:5432/test");
    assertThat(onlyUser.user()).isEqualTo("postgres");
    assertThat(onlyUser.password()).isNull();
    assertThat(onlyUser.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/test");
  }

  @Test
  void ipv6HostsKeepTheirBrackets() {
    assertThat(DatabaseTarget.parse("postgres://u@[::1]:5433/db").jdbcUrl())
        .isEqualTo("jdbc:postgresql://[::1]:5433/db");
  }

  @Test
  void jdbcUrlsPassThroughAndAreDescribedWithoutTheirParameters() {
    DatabaseTarget t =
        DatabaseTarget.parse("jdbc:postgresql://h:1234/db?user=u&password=topsecret");
    assertThat(t.jdbcUrl()).isEqualTo("jdbc:postgresql://h:1234/db?user=u&password=topsecret");
    assertThat(t.user()).isNull();
    assertThat(t.description()).isEqualTo("h:1234/db");
  }

  @Test
  void otherUrlsAreRejectedReadably() {
    assertThatThrownBy(() -> DatabaseTarget.parse("mysql://h/db"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("DATABASE_URL must start with postgres://, postgresql:// or jdbc:postgresql:");
    assertThatThrownBy(() -> DatabaseTarget.parse("postgres:///db"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no host");
    assertThatThrownBy(() -> DatabaseTarget.parse(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("DATABASE_URL is empty");
  }
}
