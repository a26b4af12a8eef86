package io.pipelit.pipelitd.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/** The pipelitd version, from the Maven-filtered resource {@code pipelitd-version.properties}. */
public final class Version {
  private Version() {}

  static final String RESOURCE = "pipelitd-version.properties";
  private static final String UNKNOWN = "unknown";
  private static volatile String cached;

  /** The project version (for example {@code 0.1.0-SNAPSHOT}), or {@code unknown} outside a build. */
  public static String current() {
    String version = cached;
    if (version == null) {
      version = read();
      cached = version;
    }
    return version;
  }

  private static String read() {
    try (InputStream in = Version.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return UNKNOWN;
      }
      Properties properties = new Properties();
      properties.load(in);
      String version = properties.getProperty("version", "").trim();
      return version.isEmpty() || version.startsWith("${") ? UNKNOWN : version;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** picocli's {@code --version}: {@code pipelitd <version>}. */
  public static final class Provider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"pipelitd " + current()};
    }
  }
}
