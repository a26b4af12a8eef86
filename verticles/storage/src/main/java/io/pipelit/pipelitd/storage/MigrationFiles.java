package io.pipelit.pipelitd.storage;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The versioned SQL migration files of Flyway locations, listed by name only (nothing is parsed or run).
 * {@code db check} and the build-time consistency test need this view because Flyway itself refuses to
 * load a set in which two files share a version, so it cannot report on such a set.
 *
 * <p>Locations are Flyway's: {@code classpath:db/migration/sqlite} (directories and jars on the class
 * path) or {@code filesystem:/some/dir}. Sub-folders are included, as Flyway includes them.
 */
public final class MigrationFiles {
  private MigrationFiles() {}

  /** {@code V<version>__<description>.sql}; the version is dot- or underscore-separated numbers. */
  private static final Pattern VERSIONED = Pattern.compile("V([0-9]+(?:[._][0-9]+)*)__(.+)\\.sql");

  /**
   * One versioned migration file.
   *
   * @param version     normalised with dots ({@code 1_1} reads as {@code 1.1})
   * @param description the part after {@code __}, underscores as spaces, like Flyway's
   * @param where       the file, for messages
   */
  public record File(String version, String description, String where) {}

  /** Every {@code V...__...sql} file under the locations, sorted by version, duplicates kept. */
  public static List<File> list(List<String> locations, ClassLoader classLoader) {
    List<File> files = new ArrayList<>();
    for (String location : locations) {
      if (location.startsWith("filesystem:")) {
        walk(Path.of(location.substring("filesystem:".length())), files);
      } else {
        String path = location.startsWith("classpath:") ? location.substring("classpath:".length()) : location;
        scanClasspath(path.replaceAll("^/+", ""), classLoader, files);
      }
    }
    files.sort(Comparator.comparing((File f) -> versionKey(f.version())).thenComparing(File::where));
    return files;
  }

  /** The version of a migration file name, or null when the name is not a versioned migration. */
  public static String versionOf(String fileName) {
    Matcher m = VERSIONED.matcher(fileName);
    return m.matches() ? m.group(1).replace('_', '.') : null;
  }

  /** A sort key: versions compare number by number, so V10 comes after V9. */
  public static String versionKey(String version) {
    StringBuilder key = new StringBuilder();
    for (String part : version.split("\\.")) {
      key.append(String.format("%012d.", Long.parseLong(part)));
    }
    return key.toString();
  }

  private static void add(String fileName, String where, List<File> files) {
    Matcher m = VERSIONED.matcher(fileName);
    if (m.matches()) {
      files.add(new File(m.group(1).replace('_', '.'), m.group(2).replace('_', ' '), where));
    }
  }

  private static void walk(Path root, List<File> files) {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.filter(Files::isRegularFile).forEach(p -> add(p.getFileName().toString(), p.toString(), files));
    } catch (IOException e) {
      throw new IllegalStateException("Cannot list migrations in " + root + ": " + e.getMessage(), e);
    }
  }

  private static void scanClasspath(String path, ClassLoader classLoader, List<File> files) {
    try {
      Enumeration<URL> roots = classLoader.getResources(path);
      while (roots.hasMoreElements()) {
        URL root = roots.nextElement();
        if ("file".equals(root.getProtocol())) {
          walk(Path.of(root.toURI()), files);
        } else if ("jar".equals(root.getProtocol())) {
          JarURLConnection connection = (JarURLConnection) root.openConnection();
          connection.setUseCaches(false);
          try (JarFile jar = connection.getJarFile()) {
            String prefix = path.endsWith("/") ? path : path + "/";
            for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
              JarEntry entry = entries.nextElement();
              if (!entry.isDirectory() && entry.getName().startsWith(prefix)) {
                String name = entry.getName().substring(entry.getName().lastIndexOf('/') + 1);
                add(name, root + "/" + entry.getName().substring(prefix.length()), files);
              }
            }
          }
        }
      }
    } catch (IOException | URISyntaxException e) {
      throw new IllegalStateException("Cannot list migrations in classpath:" + path + ": " + e.getMessage(), e);
    }
  }
}
