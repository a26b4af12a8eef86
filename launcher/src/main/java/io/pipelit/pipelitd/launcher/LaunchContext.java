package io.pipelit.pipelitd.launcher;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * What a command sees of its process: standard streams, environment, working directory, and how a
 * running daemon is told to stop. {@link #system()} is the real process; tests build their own with
 * {@link #of} so that commands run in-process without touching {@code System.out}, the environment or
 * the JVM's shutdown hooks.
 */
public final class LaunchContext {
  private final PrintStream out;
  private final PrintStream err;
  private final InputStream in;
  private final Map<String, String> env;
  private final Path workingDir;
  private final boolean shutdownHook;
  private final CompletionStage<?> stopSignal;
  private final Consumer<Daemon> readyListener;

  private LaunchContext(PrintStream out, PrintStream err, InputStream in, Map<String, String> env, Path workingDir,
      boolean shutdownHook, CompletionStage<?> stopSignal, Consumer<Daemon> readyListener) {
    this.out = Objects.requireNonNull(out, "out");
    this.err = Objects.requireNonNull(err, "err");
    this.in = Objects.requireNonNull(in, "in");
    this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
    this.workingDir = Objects.requireNonNull(workingDir, "workingDir").toAbsolutePath().normalize();
    this.shutdownHook = shutdownHook;
    this.stopSignal = stopSignal;
    this.readyListener = readyListener;
  }

  /** The real process: System streams, {@code System.getenv()}, the JVM's working directory, a shutdown hook. */
  public static LaunchContext system() {
    return new LaunchContext(System.out, System.err, System.in, System.getenv(), Path.of(""), true, null, null);
  }

  /** An in-process context; {@code run} stops when {@link #withStopSignal} completes (no shutdown hook). */
  public static LaunchContext of(PrintStream out, PrintStream err, InputStream in, Map<String, String> env,
      Path workingDir) {
    return new LaunchContext(out, err, in == null ? new ByteArrayInputStream(new byte[0]) : in, env, workingDir,
        false, null, null);
  }

  /** {@code run} stops gracefully (exit code 0) when this stage completes. */
  public LaunchContext withStopSignal(CompletionStage<?> signal) {
    return new LaunchContext(out, err, in, env, workingDir, shutdownHook, signal, readyListener);
  }

  /** Called by {@code run} once both verticles are deployed (after the ready line is logged). */
  public LaunchContext withReadyListener(Consumer<Daemon> listener) {
    return new LaunchContext(out, err, in, env, workingDir, shutdownHook, stopSignal, listener);
  }

  public PrintStream out() {
    return out;
  }

  public PrintStream err() {
    return err;
  }

  public InputStream in() {
    return in;
  }

  public Map<String, String> env() {
    return env;
  }

  public Path workingDir() {
    return workingDir;
  }

  /** Whether {@code run} installs a JVM shutdown hook (SIGTERM/SIGINT) to stop gracefully. */
  public boolean installsShutdownHook() {
    return shutdownHook;
  }

  public Optional<CompletionStage<?>> stopSignal() {
    return Optional.ofNullable(stopSignal);
  }

  public Optional<Consumer<Daemon>> readyListener() {
    return Optional.ofNullable(readyListener);
  }
}
