package io.pipelit.pipelitd.launcher;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A parser for {@code .env} files, close to python-dotenv (the {@code .env} may be shared with Pipelit):
 * <ul>
 *   <li>{@code KEY=VALUE} lines; blank lines and lines starting with {@code #} are ignored;</li>
 *   <li>an optional {@code export } prefix;</li>
 *   <li>only the first {@code =} separates: {@code A=b=c} gives {@code b=c};</li>
 *   <li>unquoted values are trimmed and end at a {@code #} preceded by whitespace (an inline comment);</li>
 *   <li>{@code 'single'} quotes are literal (only {@code \'} and {@code \\} are unescaped);</li>
 *   <li>{@code "double"} quotes unescape {@code \n \r \t \" \\} and may span several lines;</li>
 *   <li>no {@code ${VAR}} interpolation;</li>
 *   <li>a later line for the same key wins.</li>
 * </ul>
 * Lines that cannot be parsed are reported as {@link Problem}s (with the key when one was read) and
 * skipped, like python-dotenv does; the caller decides whether a problem is fatal.
 */
public final class DotEnv {
  private DotEnv() {}

  private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");

  /** A line that could not be parsed. {@code key} is null when no key could be read. */
  public record Problem(int line, String key, String message) {}

  /** The parsed values, in file order, and the problems met. */
  public record Result(Map<String, String> values, List<Problem> problems) {}

  public static Result parse(String text) {
    Map<String, String> values = new LinkedHashMap<>();
    List<Problem> problems = new ArrayList<>();
    int n = text.length();
    int i = 0;
    int line = 1;
    while (i < n) {
      char c = text.charAt(i);
      if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\uFEFF') {
        i++;
        continue;
      }
      if (c == '\n') {
        i++;
        line++;
        continue;
      }
      int startLine = line;
      int eol = endOfLine(text, i);
      if (c == '#') {
        i = eol;
        continue;
      }
      if (text.startsWith("export", i) && i + 6 < eol && isBlank(text.charAt(i + 6))) {
        i += 6;
        while (i < eol && isBlank(text.charAt(i))) {
          i++;
        }
      }
      int equals = text.indexOf('=', i);
      if (equals < 0 || equals >= eol) {
        problems.add(new Problem(startLine, null, "expected KEY=VALUE"));
        i = eol;
        continue;
      }
      String key = text.substring(i, equals).trim();
      if (!KEY.matcher(key).matches()) {
        problems.add(new Problem(startLine, null, "invalid variable name '" + key + "'"));
        i = eol;
        continue;
      }
      i = equals + 1;
      while (i < eol && isBlank(text.charAt(i))) {
        i++;
      }
      if (i < n && (text.charAt(i) == '"' || text.charAt(i) == '\'')) {
        char quote = text.charAt(i);
        StringBuilder value = new StringBuilder();
        int j = i + 1;
        int lines = 0;
        boolean closed = false;
        while (j < n) {
          char ch = text.charAt(j);
          if (ch == quote) {
            closed = true;
            j++;
            break;
          }
          if (ch == '\\' && j + 1 < n) {
            char next = text.charAt(j + 1);
            String unescaped = quote == '"' ? doubleQuoteEscape(next) : singleQuoteEscape(next);
            if (unescaped != null) {
              value.append(unescaped);
              j += 2;
              continue;
            }
          }
          if (ch == '\n') {
            lines++;
          }
          value.append(ch);
          j++;
        }
        if (!closed) {
          problems.add(new Problem(startLine, key, "unterminated " + (quote == '"' ? "double" : "single")
              + "-quoted value"));
          i = eol;
          continue;
        }
        line += lines;
        int rest = endOfLine(text, j);
        String trailing = text.substring(j, rest).trim();
        if (!trailing.isEmpty() && !trailing.startsWith("#")) {
          problems.add(new Problem(line, key, "unexpected text after the closing quote"));
          i = rest;
          continue;
        }
        values.put(key, value.toString());
        i = rest;
      } else {
        values.put(key, stripInlineComment(text.substring(i, eol)).trim());
        i = eol;
      }
    }
    return new Result(Collections.unmodifiableMap(values), List.copyOf(problems));
  }

  private static int endOfLine(String text, int from) {
    int eol = text.indexOf('\n', from);
    return eol < 0 ? text.length() : eol;
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }

  private static String stripInlineComment(String raw) {
    for (int k = 1; k < raw.length(); k++) {
      if (raw.charAt(k) == '#' && isBlank(raw.charAt(k - 1))) {
        return raw.substring(0, k);
      }
    }
    return raw;
  }

  private static String doubleQuoteEscape(char next) {
    return switch (next) {
      case 'n' -> "\n";
      case 'r' -> "\r";
      case 't' -> "\t";
      case '"' -> "\"";
      case '\\' -> "\\";
      default -> null;
    };
  }

  private static String singleQuoteEscape(char next) {
    return switch (next) {
      case '\'' -> "'";
      case '\\' -> "\\";
      default -> null;
    };
  }
}
