package io.pipelit.pipelitd.persistence.impl;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.List;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * Pipelit's log level names (Python's) and the Logback root logger. Python has WARNING and CRITICAL
 * where Logback has WARN and ERROR (the most severe Logback level), so CRITICAL shows ERROR lines.
 */
final class LogLevels {
  private LogLevels() {}

  /** The accepted names, least severe first. */
  static final List<String> NAMES = List.of("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL");

  /** The Python name for a request value (any case), or null when it names no level. */
  static String normalize(String name) {
    String upper = name.toUpperCase(Locale.ROOT);
    return NAMES.contains(upper) ? upper : null;
  }

  /** Sets the root logger's level at once; false when logging is not Logback (nothing changed). */
  static boolean apply(String pythonName) {
    if (!(LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root)) {
      return false;
    }
    root.setLevel(switch (pythonName) {
      case "DEBUG" -> Level.DEBUG;
      case "INFO" -> Level.INFO;
      case "WARNING" -> Level.WARN;
      default -> Level.ERROR; // ERROR, CRITICAL
    });
    return true;
  }

  /** The root logger's level as a Python name (INFO when logging is not Logback). */
  static String current() {
    if (!(LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root)
        || root.getLevel() == null) {
      return "INFO";
    }
    Level level = root.getLevel();
    if (level.isGreaterOrEqual(Level.ERROR)) {
      return "ERROR";
    }
    if (level.isGreaterOrEqual(Level.WARN)) {
      return "WARNING";
    }
    return level.isGreaterOrEqual(Level.INFO) ? "INFO" : "DEBUG";
  }
}
