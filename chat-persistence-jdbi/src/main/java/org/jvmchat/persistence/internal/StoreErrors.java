package org.jvmchat.persistence.internal;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.jdbi.v3.core.ConnectionException;
import org.jvmchat.persistence.ChatStoreException;
import org.jvmchat.persistence.StoreUnavailableException;

/** Turns driver, pool and Jdbi failures into the store's readable exceptions. */
final class StoreErrors {
  private StoreErrors() {}

  /**
   * The exception a caller sees for {@code failure} while doing {@code action} (e.g. "storing the
   * message"). Exceptions the store raises on purpose pass through unchanged.
   */
  static RuntimeException translate(String action, Throwable failure) {
    if (failure instanceof ChatStoreException e) {
      return e;
    }
    if (failure instanceof IllegalArgumentException e) {
      return e;
    }
    if (isConnectionFailure(failure)) {
      return new StoreUnavailableException(
          action + " failed: the database is unavailable (" + rootMessage(failure) + ")", failure);
    }
    return new ChatStoreException(action + " failed: " + rootMessage(failure), failure);
  }

  /** Whether {@code failure} means the database could not be reached or the connection broke. */
  static boolean isConnectionFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException
          || t instanceof ConnectionException
          || t instanceof IOException) {
        return true;
      }
      if (t instanceof SQLException sql) {
        String state = sql.getSQLState();
        if (state != null
            && (state.startsWith("08") || state.startsWith("57P") || state.equals("53300"))) {
          return true; // connection exception, admin shutdown, too many connections
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /** A row names a room (or other parent) that does not exist. */
  static boolean isForeignKeyViolation(Throwable failure) {
    return "23503".equals(sqlState(failure));
  }

  /** The SQLState of the first {@link SQLException} in the chain, or {@code null}. */
  static String sqlState(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        return sql.getSQLState();
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  /**
   * The most specific message in the chain: the innermost SQL error's (the driver's, not the pool's
   * or Jdbi's), else the innermost one.
   */
  static String rootMessage(Throwable failure) {
    String message = failure.toString();
    String sqlMessage = null;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getMessage();
        if (t instanceof SQLException) {
          sqlMessage = t.getMessage();
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    if (sqlMessage != null) {
      message = sqlMessage;
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
