package io.pipelit.pipelitd.storage;

import java.nio.file.Path;
import java.util.List;

/** Run by FlywayRunnerTest in a child JVM: migrates args[0] and prints how many migrations it applied. */
public final class MigrateInAnotherProcess {
  private MigrateInAnotherProcess() {}

  public static void main(String[] args) {
    FlywayRunner.MigrateResult result = FlywayRunner.forSqlite(Path.of(args[0]), List.of("classpath:db/testmigration")).migrate();
    System.out.println("applied=" + result.applied());
  }
}
