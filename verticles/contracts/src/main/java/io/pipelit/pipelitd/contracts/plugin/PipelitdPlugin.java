package io.pipelit.pipelitd.contracts.plugin;

import java.util.List;

/**
 * The plugin SPI: a jar adds verticles to pipelitd by implementing this interface and listing the
 * implementation in {@code META-INF/services/io.pipelit.pipelitd.contracts.plugin.PipelitdPlugin}.
 *
 * <p>The launcher finds plugins with {@link java.util.ServiceLoader} on its own classpath and in every
 * {@code *.jar} of the plugins folder ({@code PIPELITD_PLUGINS_DIR}, default {@code plugins/} in the
 * working directory). Finding a plugin deploys nothing: {@code PIPELITD_DEPLOY} names the verticles to
 * deploy ({@code "name"} or {@code "name:instances"}); an unknown name stops the start with exit code 2
 * and the list of known names. Plugin verticles are deployed after the core verticles (store,
 * checkpoints, HTTP API) have started, so they may use the store's event-bus addresses at once, and are
 * undeployed first on stop.
 *
 * <p>A plugin depends only on {@code pipelitd-contracts} and {@code vertx-core} (both provided by the
 * launcher: do not bundle them). Its verticles receive the merged pipelitd configuration as their
 * deployment config (without {@code FIELD_ENCRYPTION_KEY}), plus {@link #WORKING_DIR_KEY}. Only keys of
 * {@link io.pipelit.pipelitd.contracts.config.ConfigKeys#ALL} are read from {@code .env} and the
 * environment; other keys of a plugin come from {@code conf/pipelitd.json}.
 *
 * <p>Plugins cannot (yet) add database migrations or HTTP routes: they talk to the store and to clients
 * over the event bus.
 */
public interface PipelitdPlugin {

  /**
   * Deployment-config key holding the absolute working directory of the daemon, against which a plugin
   * resolves its relative paths (the JVM's own working directory may differ).
   */
  String WORKING_DIR_KEY = "pipelitd.working_dir";

  /** The plugin's name, for logs and error messages (for example {@code audit-log}). */
  String name();

  /**
   * The verticles this plugin offers. Their names share one namespace across all plugins: two plugins
   * offering the same verticle name stop the start with exit code 2.
   */
  List<VerticleSpec> verticles();
}
