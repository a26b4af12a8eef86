package io.pipelit.pipelitd.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Strict reads of the fields of a {@code pipelit.*} request (see {@link StoreAddresses} for the
 * contract), shared by every store so that all of them answer bad input the same way.
 *
 * <p>Strict reads of request fields. Every problem is a VALIDATION_FAILED {@link StoreException} whose
 * detail names the field, e.g. {@code "name: field required"}. Unknown extra fields are ignored, as
 * Pipelit does, so its clients keep working.
 */
public final class RequestFields {
  private RequestFields() {}

  /** The request's {@code body} object; {@code {}} when absent. */
  public static JsonObject body(JsonObject request) {
    Object body = request.getValue("body");
    if (body == null) {
      return new JsonObject();
    }
    if (!(body instanceof JsonObject object)) {
      throw StoreException.validation("Request body must be a JSON object.");
    }
    return object;
  }

  public static boolean has(JsonObject o, String name) {
    return o.containsKey(name);
  }

  public static String requiredString(JsonObject o, String name, int maxLength) {
    Object value = o.getValue(name);
    if (value == null) {
      throw StoreException.validation(name + ": field required");
    }
    String text = asString(name, value, maxLength);
    if (text.isBlank()) {
      throw StoreException.validation(name + ": must not be empty");
    }
    return text;
  }

  /** A string, or {@code defaultValue} when the field is absent or null. */
  public static String optionalString(JsonObject o, String name, int maxLength, String defaultValue) {
    Object value = o.getValue(name);
    return value == null ? defaultValue : asString(name, value, maxLength);
  }

  private static String asString(String name, Object value, int maxLength) {
    if (!(value instanceof String text)) {
      throw StoreException.validation(name + ": must be a string");
    }
    if (text.length() > maxLength) {
      throw StoreException.validation(name + ": must be at most " + maxLength + " characters");
    }
    return text;
  }

  public static String oneOf(JsonObject o, String name, Set<String> allowed, String defaultValue) {
    String value = optionalString(o, name, 100, defaultValue);
    if (value != null && !allowed.contains(value)) {
      throw StoreException.validation(name + ": must be one of " + sorted(allowed) + " (got '" + value + "')");
    }
    return value;
  }

  private static List<String> sorted(Set<String> values) {
    List<String> list = new ArrayList<>(values);
    list.sort(null);
    return list;
  }

  public static boolean optionalBool(JsonObject o, String name, boolean defaultValue) {
    Object value = o.getValue(name);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Boolean b)) {
      throw StoreException.validation(name + ": must be a boolean");
    }
    return b;
  }

  /** A whole number in [min, max], or {@code defaultValue} when absent or null. */
  public static Long optionalLong(JsonObject o, String name, long min, long max, Long defaultValue) {
    Object value = o.getValue(name);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
        || Double.isInfinite(n.doubleValue())) {
      throw StoreException.validation(name + ": must be an integer");
    }
    long result;
    try {
      // Jackson hands big numbers over as BigInteger/BigDecimal: longValue() would wrap silently.
      result = n instanceof java.math.BigInteger big ? big.longValueExact()
          : n instanceof java.math.BigDecimal decimal ? decimal.longValueExact()
          : n.longValue();
    } catch (ArithmeticException tooBig) {
      throw StoreException.validation(name + ": must be between " + min + " and " + max);
    }
    if (result < min || result > max) {
      throw StoreException.validation(name + ": must be between " + min + " and " + max);
    }
    return result;
  }

  public static Double optionalDouble(JsonObject o, String name, double min, double max, Double defaultValue) {
    Object value = o.getValue(name);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Number n) || Double.isNaN(n.doubleValue()) || Double.isInfinite(n.doubleValue())) {
      throw StoreException.validation(name + ": must be a number");
    }
    double result = n.doubleValue();
    if (result < min || result > max) {
      throw StoreException.validation(name + ": must be between " + min + " and " + max);
    }
    return result;
  }

  public static JsonObject optionalObject(JsonObject o, String name, JsonObject defaultValue) {
    Object value = o.getValue(name);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof JsonObject object)) {
      throw StoreException.validation(name + ": must be a JSON object");
    }
    return object;
  }

  /** A list of strings, or null when absent or null. */
  public static List<String> optionalStringList(JsonObject o, String name, int maxItems, int maxLength) {
    Object value = o.getValue(name);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray array)) {
      throw StoreException.validation(name + ": must be a list of strings");
    }
    if (array.size() > maxItems) {
      throw StoreException.validation(name + ": must have at most " + maxItems + " items");
    }
    List<String> result = new ArrayList<>(array.size());
    for (Object item : array) {
      if (!(item instanceof String text)) {
        throw StoreException.validation(name + ": must be a list of strings");
      }
      if (text.length() > maxLength) {
        throw StoreException.validation(name + ": items must be at most " + maxLength + " characters");
      }
      result.add(text);
    }
    return result;
  }

  /** Any JSON value encoded as text, or null when absent or null. */
  public static String optionalJsonText(JsonObject o, String name) {
    Object value = o.getValue(name);
    return value == null ? null : io.vertx.core.json.Json.encode(value);
  }

  /**
   * An ISO-8601 timestamp: with an offset or 'Z', or naive (taken as UTC, as Pipelit does).
   * Null when absent or null.
   */
  public static Instant optionalTimestamp(JsonObject o, String name) {
    Object value = o.getValue(name);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text)) {
      throw StoreException.validation(name + ": must be an ISO-8601 timestamp string");
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return LocalDateTime.parse(text.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e2) {
        throw StoreException.validation(name + ": must be an ISO-8601 timestamp (got '" + text + "')");
      }
    }
  }

  /** {@code limit} (1..1000, default 50) from a request. */
  public static int limit(JsonObject request) {
    return optionalLong(request, "limit", 1, 1000, 50L).intValue();
  }

  /** {@code offset} (≥ 0, default 0) from a request. */
  public static long offset(JsonObject request) {
    return optionalLong(request, "offset", 0, Long.MAX_VALUE / 2, 0L);
  }

  /**
   * A path identifier (slug, node id): non-empty, at most {@code maxLength}, no slash or control
   * characters, so that it can always be addressed in a URL.
   */
  public static String identifier(JsonObject o, String name, int maxLength) {
    String value = requiredString(o, name, maxLength);
    checkIdentifier(name, value);
    return value;
  }

  public static void checkIdentifier(String name, String value) {
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      if (ch == '/' || ch == '\\' || ch == '?' || ch == '#' || ch == '%' || Character.isISOControl(ch)
          || Character.isWhitespace(ch)) {
        throw StoreException.validation(name + ": must not contain '/', '\\', '?', '#', '%' or spaces");
      }
    }
  }
}
