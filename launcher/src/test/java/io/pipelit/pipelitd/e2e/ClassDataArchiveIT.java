package io.pipelit.pipelitd.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * scripts/cds-archive and its use by scripts/pipelitd: the training start leaves nothing but the archive,
 * the JVM can map the archive (-Xshare:on refuses to start otherwise), and the wrapper's output carries no
 * CDS messages (commands print JSON on stdout).
 */
class ClassDataArchiveIT extends ProcessTestBase {
  private static final Path JAR = ROOT.resolve("launcher/target/pipelitd.jar");
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  private record Outcome(int exit, String output) {}

  private Outcome exec(List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    process.getOutputStream().close();
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "did not finish: " + command);
    return new Outcome(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void theTrainingStartLeavesOnlyAnArchiveTheJvmCanMap() throws Exception {
    Path archive = workDir.resolve("pipelitd.jsa");
    Outcome made = exec(List.of(ROOT.resolve("scripts/cds-archive").toString(), JAR.toString(), archive.toString(), JAVA));
    assertEquals(0, made.exit(), made.output());
    assertTrue(Files.size(archive) > 1_000_000, "archive of " + Files.size(archive) + " bytes");
    try (Stream<Path> left = Files.list(workDir)) {
      assertEquals(List.of(archive), left.toList(), "the scratch folder of the training start is removed");
    }
    Outcome mapped = exec(List.of(JAVA, "-XX:SharedArchiveFile=" + archive, "-Xshare:on", "-jar", JAR.toString(), "--version"));
    assertEquals(0, mapped.exit(), mapped.output());
    assertTrue(mapped.output().startsWith("pipelitd "), mapped.output());
  }

  @Test
  void theWrapperPrintsNothingButTheCommandsOwnOutput() throws Exception {
    Result version = run(Map.of("JAVA", JAVA), null, "--version");
    assertEquals(0, version.exit(), version.stderr());
    assertTrue(version.stdout().matches("pipelitd \\S+\\n"), "stdout: [" + version.stdout() + "]");
    try (Stream<Path> archives = Files.list(ROOT.resolve("launcher/target"))) {
      assertTrue(archives.anyMatch(p -> p.getFileName().toString().matches("pipelitd-\\d+\\.jsa")),
          "the wrapper made its archive in launcher/target");
    }
  }

  @Test
  void wrongArgumentsAreAUsageError() throws Exception {
    Outcome usage = exec(List.of(ROOT.resolve("scripts/cds-archive").toString(), JAR.toString()));
    assertEquals(2, usage.exit(), usage.output());
    assertTrue(usage.output().contains("usage: scripts/cds-archive JAR ARCHIVE [JAVA]"), usage.output());
  }
}
