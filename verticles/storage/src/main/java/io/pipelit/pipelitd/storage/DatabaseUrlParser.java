package io.pipelit.pipelitd.storage;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parses {@code DATABASE_URL} in SQLAlchemy's forms (see {@link DatabaseUrl}).
 *
 * <p>Every error message is built from fixed text plus, at most, the scheme: never from the rest of the
 * input, which may hold a password (also when the URL is malformed and we cannot tell where it is).
 */
final class DatabaseUrlParser {

  static final String EXPECTED =
      "expected sqlite:///path or postgresql://user:pass@host:5432/db";

  private static final int DEFAULT_POSTGRES_PORT = 5432;

  /** RFC 3986 scheme characters; bounded so that a pasted secret is never mistaken for a scheme. */
  private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.-]{0,31}");

  private DatabaseUrlParser() {}

  static DatabaseUrl parse(String url, Path workingDirectory) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("DATABASE_URL is empty: " + EXPECTED);
    }
    String text = url.strip();
    int separator = text.indexOf("://");
    if (separator <= 0) {
      throw malformed();
    }
    String scheme = text.substring(0, separator).toLowerCase(Locale.ROOT);
    if (!SCHEME.matcher(scheme).matches()) {
      throw malformed();
    }
    String rest = text.substring(separator + 3);
    return switch (scheme) {
      case "sqlite", "sqlite+pysqlite" -> sqlite(rest, workingDirectory);
      case "postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg" -> postgres(rest);
      default -> throw new IllegalArgumentException(
          "DATABASE_URL has the unsupported scheme '" + scheme + "': " + EXPECTED);
    };
  }

  private static DatabaseUrl sqlite(String rest, Path workingDirectory) {
    int query = rest.indexOf('?');
    String pathPart = query < 0 ? rest : rest.substring(0, query);
    Map<String, String> options = query < 0 ? Map.of() : options(rest.substring(query + 1));
    if (pathPart.isEmpty() || pathPart.equals("/")) {
      throw new IllegalArgumentException("DATABASE_URL 'sqlite://' without a file path means an in-memory "
          + "database, which pipelitd does not support: use sqlite:///relative/path or sqlite:////absolute/path");
    }
    if (!pathPart.startsWith("/")) {
      // sqlite://host/path: SQLite has no host part; the usual mistake is one slash too few.
      throw new IllegalArgumentException("DATABASE_URL for SQLite needs three slashes before a relative path "
          + "(sqlite:///platform/db.sqlite3) or four before an absolute one (sqlite:////var/lib/db.sqlite3)");
    }
    String file = pathPart.substring(1);
    if (file.equals(":memory:") || file.startsWith("file:")) {
      throw new IllegalArgumentException("DATABASE_URL points to an in-memory SQLite database, which pipelitd "
          + "does not support: use sqlite:///relative/path or sqlite:////absolute/path");
    }
    Path path;
    try {
      path = Path.of(file);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("DATABASE_URL holds an invalid SQLite file path");
    }
    if (!path.isAbsolute()) {
      if (workingDirectory == null) {
        throw new IllegalArgumentException("DATABASE_URL has a relative SQLite path but no working directory");
      }
      path = workingDirectory.resolve(path);
    }
    return new DatabaseUrl(DatabaseUrl.Backend.SQLITE, path.toAbsolutePath().normalize(),
        null, 0, null, null, null, options);
  }

  private static DatabaseUrl postgres(String rest) {
    String user = null;
    String password = null;
    String remainder = rest;
    // The user info ends at the last '@' (SQLAlchemy 2 does the same), so an unencoded '@' in the
    // password still parses; a user name never holds ':' '/' or '?', which rules out an '@' in the query.
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      String userInfo = rest.substring(0, at);
      int colon = userInfo.indexOf(':');
      String rawUser = colon < 0 ? userInfo : userInfo.substring(0, colon);
      if (rawUser.indexOf('/') < 0 && rawUser.indexOf('?') < 0) {
        user = emptyToNull(decode(rawUser, false, "user name"));
        password = colon < 0 ? null : decode(userInfo.substring(colon + 1), false, "password");
        remainder = rest.substring(at + 1);
      }
    }

    int query = remainder.indexOf('?');
    String beforeQuery = query < 0 ? remainder : remainder.substring(0, query);
    Map<String, String> options = query < 0 ? Map.of() : options(remainder.substring(query + 1));

    int slash = beforeQuery.indexOf('/');
    String hostPort = slash < 0 ? beforeQuery : beforeQuery.substring(0, slash);
    String database = slash < 0 ? "" : decode(beforeQuery.substring(slash + 1), false, "database name");

    String host;
    String portText = null;
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      if (close < 0) {
        throw malformed();
      }
      host = hostPort.substring(1, close);
      String after = hostPort.substring(close + 1);
      if (!after.isEmpty()) {
        if (!after.startsWith(":")) {
          throw malformed();
        }
        portText = after.substring(1);
      }
    } else {
      int colon = hostPort.indexOf(':');
      host = colon < 0 ? hostPort : hostPort.substring(0, colon);
      portText = colon < 0 ? null : hostPort.substring(colon + 1);
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("DATABASE_URL has no PostgreSQL host: " + EXPECTED);
    }
    if (database.isEmpty() || database.indexOf('/') >= 0) {
      throw new IllegalArgumentException("DATABASE_URL has no PostgreSQL database name: " + EXPECTED);
    }
    return new DatabaseUrl(DatabaseUrl.Backend.POSTGRESQL, null, host, port(portText), database,
        user, password, options);
  }

  private static int port(String text) {
    if (text == null || text.isEmpty()) {
      return DEFAULT_POSTGRES_PORT;
    }
    if (text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("DATABASE_URL has an invalid port: it must be a number from 1 to 65535");
    }
    int port = Integer.parseInt(text);
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("DATABASE_URL has an invalid port: it must be a number from 1 to 65535");
    }
    return port;
  }

  /** Query options, form-decoded ('+' is a space), in order; a repeated key keeps its last value. */
  private static Map<String, String> options(String query) {
    Map<String, String> options = new LinkedHashMap<>();
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq), true, "query option");
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1), true, "query option");
      if (key.isEmpty()) {
        throw malformed();
      }
      options.put(key, value);
    }
    return Collections.unmodifiableMap(options);
  }

  /**
   * Percent-decodes UTF-8. Unlike {@link java.net.URLDecoder}, a '+' stays a '+' unless {@code plusIsSpace}
   * (user info keeps '+', query strings use form encoding). {@code what} names the part in errors.
   */
  private static String decode(String text, boolean plusIsSpace, String what) {
    if (text.indexOf('%') < 0 && !(plusIsSpace && text.indexOf('+') >= 0)) {
      return text;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%') {
        int high = i + 1 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
        int low = i + 2 < text.length() ? Character.digit(text.charAt(i + 2), 16) : -1;
        if (high < 0 || low < 0) {
          throw new IllegalArgumentException("DATABASE_URL has an invalid %-escape in the " + what
              + " (a literal '%' must be written %25)");
        }
        bytes.write((high << 4) | low);
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        bytes.write(' ');
      } else {
        byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < text.length()) {
          encoded = text.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
          i++;
        }
        bytes.writeBytes(encoded);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static String emptyToNull(String value) {
    return value == null || value.isEmpty() ? null : value;
  }

  private static IllegalArgumentException malformed() {
    return new IllegalArgumentException("DATABASE_URL is not a valid URL: " + EXPECTED);
  }
}
