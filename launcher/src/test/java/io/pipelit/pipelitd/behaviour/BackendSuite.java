package io.pipelit.pipelitd.behaviour;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The behaviour suite's frame: every subclass runs once per {@link Backend}, against its own daemon on a
 * fresh database of that backend. One suite, parameterised by backend, not a copy per database.
 * (Suite classes run one after another, so one static daemon at a time is enough.)
 */
@ParameterizedClass(name = "[{0}]")
@EnumSource(Backend.class)
abstract class BackendSuite {
  static Daemon daemon;

  /** The backend of this run (JUnit injects it; the daemon is started from it before the tests). */
  @Parameter
  Backend backend;

  @BeforeParameterizedClassInvocation
  static void startDaemon(Backend backend) throws Exception {
    Path folder = Files.createTempDirectory("pipelitd-behaviour-");
    daemon = Daemon.start(backend, folder);
  }

  @AfterParameterizedClassInvocation
  static void stopDaemon() {
    if (daemon != null) {
      daemon.close();
      daemon = null;
    }
  }
}
