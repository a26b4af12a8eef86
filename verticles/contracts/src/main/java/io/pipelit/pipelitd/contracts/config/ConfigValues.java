package io.pipelit.pipelitd.contracts.config;

import io.vertx.core.json.JsonObject;

/**
 * Typed reads of configuration values that may arrive as JSON numbers/booleans (conf file) or as
 * strings (.env, environment, flags). Every failure is a {@link ConfigException} naming the key.
 */
public final class ConfigValues {
  private ConfigValues() {}

  public static String string(JsonObject config, String key, String defaultValue) {
    Object value = config.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    String text = value.toString().trim();
    return text.isEmpty() ? defaultValue : text;
  }

  public static long integer(JsonObject config, String key, long defaultValue, long min, long max) {
    Object value = config.getValue(key);
    long result;
    if (value == null || (value instanceof String s && s.isBlank())) {
      result = defaultValue;
    } else if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      result = n.longValue();
    } else {
      try {
        result = Long.parseLong(value.toString().trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(key, "must be a whole number between " + min + " and " + max
            + " (got '" + value + "')");
      }
    }
    if (result < min || result > max) {
      throw new ConfigException(key, "must be between " + min + " and " + max + " (got " + result + ")");
    }
    return result;
  }

  public static boolean bool(JsonObject config, String key, boolean defaultValue) {
    Object value = config.getValue(key);
    if (value == null || (value instanceof String s && s.isBlank())) {
      return defaultValue;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    switch (value.toString().trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "1", "yes", "on":
        return true;
      case "false", "0", "no", "off":
        return false;
      default:
        throw new ConfigException(key, "must be true or false (got '" + value + "')");
    }
  }
}
