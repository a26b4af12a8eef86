package io.pipelit.pipelitd.launcher;

import com.hazelcast.config.Config;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.XmlConfigBuilder;
import io.pipelit.pipelitd.contracts.config.CheckpointConfig;
import io.pipelit.pipelitd.contracts.config.ConfigException;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.contracts.config.ConfigValues;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.NodeListener;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode ({@code run --cluster}): the Hazelcast cluster manager and the clustered event bus, from
 * {@code conf/cluster.xml} (or the bundled copy of it) and the {@code PIPELITD_CLUSTER_*} keys. Only
 * on PostgreSQL: several nodes cannot share SQLite files (each would be its own single writer).
 */
final class ClusterSetup {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterSetup.class);

  private ClusterSetup() {}

  /** The classpath copy of conf/cluster.xml (the launcher's build bundles it). */
  static final String BUNDLED_CONFIG = "cluster.xml";

  /** Refuses cluster mode on SQLite (main or checkpoint database) with a message saying why. */
  static void requirePostgres(PipelitdConfig config) {
    if (config.databaseUrl().backend() != DatabaseUrl.Backend.POSTGRESQL) {
      throw new ConfigException(ConfigKeys.DATABASE_URL, "must be a postgresql:// URL in cluster mode: several"
          + " nodes cannot share a SQLite file (each would be a second writer); run one node without --cluster");
    }
    DatabaseUrl checkpoints = DatabaseUrl.parse(CheckpointConfig.from(config.json()).url(), config.workingDir());
    if (checkpoints.backend() != DatabaseUrl.Backend.POSTGRESQL) {
      throw new ConfigException(ConfigKeys.CHECKPOINTS_DATABASE_URL, "must be a postgresql:// URL in cluster mode"
          + " (it may be the same database as DATABASE_URL)");
    }
  }

  /** The address this node binds and announces. */
  static String host(JsonObject config) {
    String host = ConfigValues.string(config, ConfigKeys.CLUSTER_HOST, ConfigKeys.DEFAULT_CLUSTER_HOST);
    if (host.contains(" ") || host.contains("/") || host.equals("0.0.0.0") || host.equals("::")) {
      throw new ConfigException(ConfigKeys.CLUSTER_HOST, "must be this node's address as the other members reach it"
          + " (got '" + host + "')");
    }
    return host;
  }

  static EventBusOptions eventBusOptions(JsonObject config) {
    String host = host(config);
    return new EventBusOptions().setHost(host).setPort(0).setClusterPublicHost(host);
  }

  static HazelcastClusterManager clusterManager(JsonObject config, Path workingDir) {
    // Before the first Hazelcast class logs: its lines go through SLF4J/Logback like every other.
    System.setProperty("hazelcast.logging.type", "slf4j");
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcastConfig(config, workingDir));
    manager.nodeListener(new NodeListener() {
      @Override
      public void nodeAdded(String nodeId) {
        LOG.info("cluster: node {} joined ({} nodes)", nodeId, manager.getNodes().size());
      }

      @Override
      public void nodeLeft(String nodeId) {
        LOG.info("cluster: node {} left ({} nodes)", nodeId, manager.getNodes().size());
      }
    });
    return manager;
  }

  /** The Hazelcast configuration: the file, then the keys' overrides of interface, port and members. */
  static Config hazelcastConfig(JsonObject config, Path workingDir) {
    Path file = workingDir.resolve(ConfigValues.string(config, ConfigKeys.CLUSTER_CONFIG,
        ConfigKeys.DEFAULT_CLUSTER_CONFIG));
    Config hazelcast;
    try (InputStream in = Files.isRegularFile(file) ? Files.newInputStream(file)
        : ClusterSetup.class.getClassLoader().getResourceAsStream(BUNDLED_CONFIG)) {
      if (in == null) {
        throw new IllegalStateException("the bundled " + BUNDLED_CONFIG + " is missing from the jar");
      }
      hazelcast = new XmlConfigBuilder(in).build();
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalStateException) {
        throw (IllegalStateException) e;
      }
      throw new ConfigException(ConfigKeys.CLUSTER_CONFIG, "cannot be read as a Hazelcast configuration ("
          + file + "): " + e.getMessage());
    }
    String host = host(config);
    NetworkConfig network = hazelcast.getNetworkConfig();
    network.setPort((int) ConfigValues.integer(config, ConfigKeys.CLUSTER_PORT, ConfigKeys.DEFAULT_CLUSTER_PORT,
        1, 65_535));
    network.getInterfaces().setEnabled(true).clear().addInterface(host);
    List<String> members = members(config);
    if (!members.isEmpty()) {
      network.getJoin().getTcpIpConfig().setEnabled(true).setMembers(members);
    }
    // Whatever the file says: no multicast discovery and no calls to Hazelcast's servers.
    network.getJoin().getMulticastConfig().setEnabled(false);
    hazelcast.setProperty("hazelcast.phone.home.enabled", "false");
    hazelcast.setProperty("hazelcast.shutdownhook.enabled", "false");
    return hazelcast;
  }

  static List<String> members(JsonObject config) {
    String list = ConfigValues.string(config, ConfigKeys.CLUSTER_MEMBERS, "");
    return Arrays.stream(list.split(",")).map(String::trim).filter(m -> !m.isEmpty()).toList();
  }
}
