package io.pipelit.pipelitd.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the Fernet specification's vector files (test resources {@code fernet-spec/}). They are flat
 * arrays of flat objects whose values are strings, integers or integer arrays, so a few patterns do,
 * and the module keeps no JSON dependency.
 */
final class SpecVectors {
  private SpecVectors() {}

  private static final Pattern OBJECT = Pattern.compile("\\{([^{}]*)}");
  private static final Pattern FIELD =
      Pattern.compile("\"(\\w+)\"\\s*:\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|\\[([^\\]]*)]|(-?\\d+))");

  /** One vector: its fields by name. */
  record Vector(Map<String, String> fields) {
    String text(String name) {
      String v = fields.get(name);
      if (v == null) {
        throw new IllegalStateException("vector has no field " + name + ": " + fields.keySet());
      }
      return v;
    }

    long epochSeconds(String name) {
      return OffsetDateTime.parse(text(name)).toEpochSecond();
    }

    long number(String name) {
      return Long.parseLong(text(name));
    }

    byte[] bytes(String name) {
      String[] parts = text(name).split(",");
      byte[] out = new byte[parts.length];
      for (int i = 0; i < parts.length; i++) {
        out[i] = (byte) Integer.parseInt(parts[i].strip());
      }
      return out;
    }
  }

  static List<Vector> load(String file) {
    String json;
    try (InputStream in = SpecVectors.class.getResourceAsStream("/fernet-spec/" + file)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource fernet-spec/" + file);
      }
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Vector> vectors = new ArrayList<>();
    Matcher objects = OBJECT.matcher(json);
    while (objects.find()) {
      Map<String, String> fields = new LinkedHashMap<>();
      Matcher f = FIELD.matcher(objects.group(1));
      while (f.find()) {
        String value = f.group(3) != null ? f.group(3) : f.group(4) != null ? f.group(4) : f.group(5);
        fields.put(f.group(1), value);
      }
      vectors.add(new Vector(fields));
    }
    if (vectors.isEmpty()) {
      throw new IllegalStateException("no vectors in fernet-spec/" + file);
    }
    return vectors;
  }
}
