package io.pipelit.pipelitd.contracts.config;

import io.vertx.core.json.JsonObject;

/**
 * Settings of the TCP event-bus bridge.
 *
 * @param host            bind address
 * @param port            TCP port; -1 means no bridge, 0 any free port
 * @param tlsCertPath     PEM certificate chain, or null for plain TCP
 * @param tlsKeyPath      PEM private key, or null for plain TCP
 * @param maxFrameBytes   largest frame accepted, bytes
 * @param maxRefusals     refused frames before the connection is closed
 * @param maxInFlight     requests one connection may have waiting for their answers
 */
public record BridgeConfig(String host, int port, String tlsCertPath, String tlsKeyPath, long maxFrameBytes,
    int maxRefusals, int maxInFlight) {

  public boolean enabled() {
    return port >= 0;
  }

  public boolean tls() {
    return tlsCertPath != null;
  }

  /** Reads and validates the bridge settings; a bad value throws {@link ConfigException}. */
  public static BridgeConfig from(JsonObject config) {
    String host = ConfigValues.string(config, ConfigKeys.BRIDGE_HOST, ConfigKeys.DEFAULT_BRIDGE_HOST);
    if (host.contains(" ") || host.contains("/")) {
      throw new ConfigException(ConfigKeys.BRIDGE_HOST, "must be a host name or IP address (got '" + host + "')");
    }
    String cert = ConfigValues.string(config, ConfigKeys.BRIDGE_TLS_CERT, null);
    String key = ConfigValues.string(config, ConfigKeys.BRIDGE_TLS_KEY, null);
    if ((cert == null) != (key == null)) {
      throw new ConfigException(cert == null ? ConfigKeys.BRIDGE_TLS_CERT : ConfigKeys.BRIDGE_TLS_KEY,
          "must be set together with " + (cert == null ? ConfigKeys.BRIDGE_TLS_KEY : ConfigKeys.BRIDGE_TLS_CERT));
    }
    return new BridgeConfig(host,
        (int) ConfigValues.integer(config, ConfigKeys.BRIDGE_PORT, ConfigKeys.DEFAULT_BRIDGE_PORT, -1, 65_535),
        cert, key,
        ConfigValues.integer(config, ConfigKeys.BRIDGE_MAX_FRAME_BYTES, ConfigKeys.DEFAULT_BRIDGE_MAX_FRAME_BYTES,
            1_024, Integer.MAX_VALUE - 8),
        (int) ConfigValues.integer(config, ConfigKeys.BRIDGE_MAX_REFUSALS, ConfigKeys.DEFAULT_BRIDGE_MAX_REFUSALS,
            1, 1_000),
        (int) ConfigValues.integer(config, ConfigKeys.BRIDGE_MAX_IN_FLIGHT, ConfigKeys.DEFAULT_BRIDGE_MAX_IN_FLIGHT,
            1, 65_536));
  }
}
