package io.pipelit.pipelitd.storage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The "multiple heads" check of pipelitd ({@code db check}): problems of a migration set and of a
 * database's history against it, each in one plain sentence. Blocking (reads files and the database).
 *
 * <ul>
 *   <li>{@link #packaged}: two files with one version (Flyway would refuse to start), and gaps in the
 *       numbering (V4 next to V2 with no V3: a file lost in a merge).</li>
 *   <li>{@link #parity}: versions present in one dialect's set but not in the other's.</li>
 *   <li>{@link #database}: applied migrations the set lacks, files changed after they were applied
 *       (checksum drift), migrations skipped while a later one was applied (out of order), failed ones.</li>
 * </ul>
 */
public final class MigrationCheck {
  private MigrationCheck() {}

  /** What kind of problem; the JSON output carries the lower-case name. */
  public enum Kind {
    DUPLICATE_VERSION, MISSING_VERSION, DIALECT_MISMATCH, OUT_OF_ORDER, APPLIED_NOT_PACKAGED, CHECKSUM_DRIFT,
    DESCRIPTION_DRIFT, FAILED
  }

  /** One problem, with the version concerned (null when none) and a sentence for people. */
  public record Problem(Kind kind, String version, String message) {}

  /** Duplicate versions and numbering gaps among {@code files} (from {@link MigrationFiles#list}). */
  public static List<Problem> packaged(String setName, List<MigrationFiles.File> files) {
    List<Problem> problems = new ArrayList<>();
    Map<String, List<MigrationFiles.File>> byVersion = files.stream()
        .collect(Collectors.groupingBy(MigrationFiles.File::version, LinkedHashMap::new, Collectors.toList()));
    byVersion.forEach((version, same) -> {
      if (same.size() > 1) {
        problems.add(new Problem(Kind.DUPLICATE_VERSION, version, "the " + setName + " migrations have "
            + same.size() + " files with version " + version + ": " + same.stream().map(MigrationFiles.File::where)
            .collect(Collectors.joining(", ")) + ". Give each its own version (Flyway refuses to run such a set)."));
      }
    });
    // Gaps only among whole-number versions (V1, V2, ...), the numbering this project uses.
    TreeSet<Long> whole = byVersion.keySet().stream().filter(v -> v.matches("[0-9]+")).map(Long::parseLong)
        .collect(Collectors.toCollection(TreeSet::new));
    if (!whole.isEmpty()) {
      for (long v = whole.first() + 1; v < whole.last(); v++) {
        if (!whole.contains(v)) {
          problems.add(new Problem(Kind.MISSING_VERSION, String.valueOf(v), "the " + setName
              + " migrations skip version " + v + " (there are V" + whole.lower(v) + " and V" + whole.higher(v)
              + "): a migration file is missing."));
        }
      }
    }
    return problems;
  }

  /** Versions one dialect's set has and the other's lacks: both must build the same schema. */
  public static List<Problem> parity(String nameA, List<MigrationFiles.File> a, String nameB,
      List<MigrationFiles.File> b) {
    List<Problem> problems = new ArrayList<>();
    TreeSet<String> versionsA = a.stream().map(MigrationFiles.File::version)
        .collect(Collectors.toCollection(() -> new TreeSet<>((x, y) ->
            MigrationFiles.versionKey(x).compareTo(MigrationFiles.versionKey(y)))));
    TreeSet<String> versionsB = new TreeSet<>(versionsA.comparator());
    b.forEach(f -> versionsB.add(f.version()));
    for (String v : versionsA) {
      if (!versionsB.contains(v)) {
        problems.add(new Problem(Kind.DIALECT_MISMATCH, v, "V" + v + " exists in the " + nameA
            + " migrations but not in the " + nameB + " ones."));
      }
    }
    for (String v : versionsB) {
      if (!versionsA.contains(v)) {
        problems.add(new Problem(Kind.DIALECT_MISMATCH, v, "V" + v + " exists in the " + nameB
            + " migrations but not in the " + nameA + " ones."));
      }
    }
    return problems;
  }

  /** The database's history against the runner's migration set (pending migrations are no problem). */
  public static List<Problem> database(FlywayRunner runner) {
    List<Problem> problems = new ArrayList<>();
    String db = runner.description();
    for (FlywayRunner.Entry e : runner.info()) {
      String name = e.version() == null ? e.description() : "V" + e.version() + " (" + e.description() + ")";
      switch (e.rawState()) {
        case FAILED, MISSING_FAILED, FUTURE_FAILED -> problems.add(new Problem(Kind.FAILED, e.version(),
            name + " failed when it was applied to " + db + " (" + e.installedOn() + "); repair the schema by"
                + " hand, then run `pipelitd db repair` to clear the entry."));
        case MISSING_SUCCESS, FUTURE_SUCCESS -> problems.add(new Problem(Kind.APPLIED_NOT_PACKAGED, e.version(),
            name + " was applied to " + db + " on " + e.installedOn() + " but is not among the packaged"
                + " migrations: the database was migrated by a newer pipelitd, or the file was removed."));
        case IGNORED -> problems.add(new Problem(Kind.OUT_OF_ORDER, e.version(), name + " is packaged but was"
            + " never applied to " + db + ", although a later version was: it came out of order (renumber it"
            + " above the current version)."));
        case OUT_OF_ORDER -> problems.add(new Problem(Kind.OUT_OF_ORDER, e.version(), name + " was applied to "
            + db + " after a later version (out of order)."));
        default -> { }
      }
      if (e.applied() && !e.checksumMatches()) {
        problems.add(new Problem(Kind.CHECKSUM_DRIFT, e.version(), name + " changed after it was applied to "
            + db + ": checksum " + e.checksum() + " in the history, " + e.fileChecksum() + " in the file. Restore"
            + " the file, or, if the change is intended and harmless, run `pipelitd db repair`."));
      }
      if (e.applied() && !e.descriptionMatches()) {
        problems.add(new Problem(Kind.DESCRIPTION_DRIFT, e.version(), name + ": the file's description"
            + " differs from the one recorded in " + db + " (renamed after it was applied)."));
      }
    }
    return problems;
  }
}
