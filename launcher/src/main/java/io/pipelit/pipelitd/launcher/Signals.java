package io.pipelit.pipelitd.launcher;

import java.lang.reflect.Proxy;
import java.util.List;

/**
 * Turns SIGTERM and SIGINT into a graceful stop that ends with exit code 0, as systemd expects from a
 * clean {@code systemctl stop}. Without this the JVM's default handler starts its shutdown sequence
 * and the process exits with 143 (128 + SIGTERM) whatever the shutdown hooks do.
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported) is reached by reflection so that the build stays
 * free of "internal proprietary API" warnings; where it is missing, the caller's shutdown hook remains
 * the fallback.
 */
final class Signals {
  private Signals() {}

  /** Calls {@code onSignal} (once per signal received) on TERM and INT; false if not supported here. */
  static boolean onTerminate(Runnable onSignal) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Object handler = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handlerClass},
          (proxy, method, args) -> {
            if ("handle".equals(method.getName())) {
              onSignal.run();
              return null;
            }
            return switch (method.getName()) {
              case "hashCode" -> System.identityHashCode(proxy);
              case "equals" -> proxy == args[0];
              default -> "pipelitd signal handler";
            };
          });
      for (String name : List.of("TERM", "INT")) {
        Object signal = signalClass.getConstructor(String.class).newInstance(name);
        signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
      }
      return true;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      Main.LOG.debug("signal handlers not installed, relying on the shutdown hook: {}", e.toString());
      return false;
    }
  }
}
