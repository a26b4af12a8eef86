package io.pipelit.pipelitd.contracts.config;

import io.vertx.core.json.JsonObject;

/**
 * Settings of the HTTP API.
 *
 * @param host         bind address
 * @param port         TCP port, 0 for any free port
 * @param maxBodyBytes largest request body accepted, bytes
 * @param drainTimeoutMs on stop, how long requests in flight may take, milliseconds
 * @param metricsHost    bind address of the unauthenticated metrics listener
 * @param metricsPort    its port, 0 for any free port, -1 for none
 */
public record HttpConfig(String host, int port, long maxBodyBytes, long drainTimeoutMs, String metricsHost,
    int metricsPort) {

  /** Reads and validates the HTTP settings; a bad value throws {@link ConfigException}. */
  public static HttpConfig from(JsonObject config) {
    String host = ConfigValues.string(config, ConfigKeys.HTTP_HOST, ConfigKeys.DEFAULT_HTTP_HOST);
    if (host.contains(" ") || host.contains("/")) {
      throw new ConfigException(ConfigKeys.HTTP_HOST, "must be a host name or IP address (got '" + host + "')");
    }
    return new HttpConfig(
        host,
        (int) ConfigValues.integer(config, ConfigKeys.HTTP_PORT, ConfigKeys.DEFAULT_HTTP_PORT, 0, 65_535),
        ConfigValues.integer(config, ConfigKeys.HTTP_MAX_BODY_BYTES, ConfigKeys.DEFAULT_HTTP_MAX_BODY_BYTES,
            1_024, 1L << 31),
        ConfigValues.integer(config, ConfigKeys.HTTP_DRAIN_TIMEOUT_MS, ConfigKeys.DEFAULT_HTTP_DRAIN_TIMEOUT_MS,
            0, 600_000),
        ConfigValues.string(config, ConfigKeys.METRICS_HOST, ConfigKeys.DEFAULT_METRICS_HOST),
        (int) ConfigValues.integer(config, ConfigKeys.METRICS_PORT, ConfigKeys.DEFAULT_METRICS_PORT, -1, 65_535));
  }
}
