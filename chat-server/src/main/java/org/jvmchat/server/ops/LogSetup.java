package org.jvmchat.server.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code LOG_LEVEL} and {@code LOG_FORMAT} to Logback once the settings are read: the root
 * level, and with {@code json} one JSON object a line on standard output (logstash-logback-encoder:
 * {@code @timestamp}, {@code level}, {@code logger_name}, {@code thread_name}, {@code message},
 * {@code stack_trace}, and the MDC keys at the top level: {@code connectionId}, {@code userId},
 * {@code traceId}, {@code spanId}). {@code text} keeps {@code logback.xml}'s pattern.
 */
public final class LogSetup {
  private LogSetup() {}

  /**
   * @param format {@code text} or {@code json}
   * @param level a Logback level name
   */
  public static void apply(String format, String level) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return; // another SLF4J binding: its own configuration rules
    }
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(level, Level.INFO));
    if (!"json".equals(format)) {
      return;
    }
    LogstashEncoder encoder = new LogstashEncoder();
    encoder.setContext(context);
    encoder.start();
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName("JSON");
    appender.setEncoder(encoder);
    appender.start();
    root.detachAndStopAllAppenders();
    root.addAppender(appender);
  }
}
