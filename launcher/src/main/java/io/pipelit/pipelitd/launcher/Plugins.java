package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.contracts.config.ConfigException;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.contracts.config.ConfigValues;
import io.pipelit.pipelitd.contracts.plugin.PipelitdPlugin;
import io.pipelit.pipelitd.contracts.plugin.VerticleSpec;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugin registry: every {@link PipelitdPlugin} found with {@link ServiceLoader} on the launcher's
 * classpath and in the {@code *.jar} files of the plugins folder ({@link ConfigKeys#PLUGINS_DIR}), keyed
 * by verticle name; and {@link ConfigKeys#DEPLOY}, resolved against it.
 *
 * <p>Jars of the plugins folder share one class loader whose parent is the launcher's, so a plugin sees
 * the launcher's contracts and Vert.x (it must not bundle its own). The loader stays open for the life of
 * the process. A jar that is also on the classpath is found once (ServiceLoader skips a provider class
 * it has already seen).
 */
final class Plugins {
  private static final Logger LOG = LoggerFactory.getLogger(Plugins.class);

  /** A verticle offered by a plugin. */
  record Offer(PipelitdPlugin plugin, VerticleSpec spec) {}

  /** One entry of {@link ConfigKeys#DEPLOY}: a name and, when given, an instance count. */
  record Request(String name, Optional<Integer> instances) {}

  /** A resolved entry: what to deploy and how many instances. */
  record Deployment(Offer offer, int instances) {
    String name() {
      return offer.spec().name();
    }
  }

  private final Map<String, Offer> offers;

  private Plugins(Map<String, Offer> offers) {
    this.offers = offers;
  }

  /** A registry of the given plugins (tests); two offers of one verticle name fail with exit code 2. */
  static Plugins of(List<? extends PipelitdPlugin> plugins) {
    Map<String, Offer> offers = new TreeMap<>();
    for (PipelitdPlugin plugin : plugins) {
      List<VerticleSpec> specs = plugin.verticles();
      for (VerticleSpec spec : specs == null ? List.<VerticleSpec>of() : specs) {
        Offer earlier = offers.putIfAbsent(spec.name(), new Offer(plugin, spec));
        if (earlier != null) {
          throw new Failures.UserFacingException("plugins " + describe(earlier.plugin()) + " and "
              + describe(plugin) + " both offer a verticle named '" + spec.name() + "'", ExitCodes.USAGE, null);
        }
      }
    }
    return new Plugins(offers);
  }

  /**
   * Loads the plugins of the launcher's classpath and of the plugins folder named in the configuration
   * (relative to {@code workingDir}); a missing folder is no error. A plugin that cannot be loaded fails
   * with exit code 2 and one line naming it.
   */
  static Plugins load(JsonObject config, Path workingDir) {
    Path folder = workingDir.resolve(ConfigValues.string(config, ConfigKeys.PLUGINS_DIR,
        ConfigKeys.DEFAULT_PLUGINS_DIR)).normalize();
    List<URL> jars = jars(folder);
    ClassLoader parent = Plugins.class.getClassLoader();
    // Never closed: the plugins' classes are needed until the process exits.
    ClassLoader loader = jars.isEmpty() ? parent
        : new URLClassLoader("pipelitd-plugins", jars.toArray(URL[]::new), parent);
    List<PipelitdPlugin> found = new ArrayList<>();
    try {
      for (PipelitdPlugin plugin : ServiceLoader.load(PipelitdPlugin.class, loader)) {
        found.add(plugin);
      }
    } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
      throw new Failures.UserFacingException("cannot load the plugins (" + folder + ", classpath): "
          + Failures.oneLine(e.getMessage() == null ? e.toString() : e.getMessage()), ExitCodes.USAGE, e);
    }
    Plugins plugins = of(found);
    for (PipelitdPlugin plugin : found) {
      LOG.debug("plugin {} found: verticles {}", describe(plugin),
          plugin.verticles().stream().map(VerticleSpec::name).toList());
    }
    return plugins;
  }

  private static List<URL> jars(Path folder) {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(folder)) {
      List<URL> urls = new ArrayList<>();
      for (Path jar : files.filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f))
          .sorted().toList()) {
        urls.add(jar.toUri().toURL());
      }
      return urls;
    } catch (MalformedURLException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new Failures.UserFacingException("cannot read the plugins folder " + folder + ": " + e,
          ExitCodes.USAGE, e);
    }
  }

  private static String describe(PipelitdPlugin plugin) {
    return plugin.name() + " (" + plugin.getClass().getName() + ")";
  }

  /** The verticle names {@link ConfigKeys#DEPLOY} may use, sorted. */
  Set<String> knownNames() {
    return Collections.unmodifiableSet(offers.keySet());
  }

  /**
   * Resolves {@link ConfigKeys#DEPLOY} against the registry.
   *
   * @throws ConfigException naming the key: an unknown name (with the list of known ones), a name given
   *                         twice, or an instance count outside 1 .. the verticle's maximum
   */
  List<Deployment> resolve(JsonObject config) {
    List<Deployment> deployments = new ArrayList<>();
    for (Request request : parseDeploy(config.getValue(ConfigKeys.DEPLOY))) {
      Offer offer = offers.get(request.name());
      if (offer == null) {
        throw new ConfigException(ConfigKeys.DEPLOY, "names an unknown verticle '" + request.name() + "' (known: "
            + (offers.isEmpty() ? "none; no plugin found" : String.join(", ", offers.keySet())) + ")");
      }
      int instances = request.instances().orElse(offer.spec().defaultInstances());
      if (instances > offer.spec().maxInstances()) {
        throw new ConfigException(ConfigKeys.DEPLOY, "asks for " + instances + " instances of '" + request.name()
            + "', which runs at most " + offer.spec().maxInstances());
      }
      deployments.add(new Deployment(offer, instances));
    }
    return deployments;
  }

  /**
   * Parses {@link ConfigKeys#DEPLOY}: null (none), a JSON array of strings, or a string that is either a
   * JSON array or comma-separated entries; each entry {@code name} or {@code name:instances} with
   * instances a whole number from 1.
   */
  static List<Request> parseDeploy(Object value) {
    if (value == null) {
      return List.of();
    }
    List<String> entries = new ArrayList<>();
    if (value instanceof JsonArray array) {
      for (Object item : array) {
        if (!(item instanceof String s)) {
          throw new ConfigException(ConfigKeys.DEPLOY, "must list names as strings (got " + item + ")");
        }
        entries.add(s);
      }
    } else if (value instanceof String text && text.strip().startsWith("[")) {
      try {
        return parseDeploy(new JsonArray(text.strip()));
      } catch (DecodeException e) {
        throw new ConfigException(ConfigKeys.DEPLOY, "is not a valid JSON array");
      }
    } else if (value instanceof String text) {
      for (String part : text.split(",", -1)) {
        if (!part.isBlank()) {
          entries.add(part);
        }
      }
    } else {
      throw new ConfigException(ConfigKeys.DEPLOY,
          "must be a JSON array of names or a comma-separated string (got " + value + ")");
    }
    Set<String> seen = new LinkedHashSet<>();
    List<Request> requests = new ArrayList<>();
    for (String raw : entries) {
      String entry = raw.strip();
      int colon = entry.indexOf(':');
      String name = (colon < 0 ? entry : entry.substring(0, colon)).strip();
      Optional<Integer> instances = Optional.empty();
      if (name.isEmpty()) {
        throw new ConfigException(ConfigKeys.DEPLOY, "has an entry without a name ('" + entry + "')");
      }
      if (colon >= 0) {
        String count = entry.substring(colon + 1).strip();
        int n;
        try {
          n = Integer.parseInt(count);
        } catch (NumberFormatException e) {
          n = 0;
        }
        if (n < 1) {
          throw new ConfigException(ConfigKeys.DEPLOY, "entry '" + entry
              + "': the instance count must be a whole number from 1 (name:instances)");
        }
        instances = Optional.of(n);
      }
      if (!seen.add(name)) {
        throw new ConfigException(ConfigKeys.DEPLOY, "lists '" + name + "' twice");
      }
      requests.add(new Request(name, instances));
    }
    return requests;
  }

  /**
   * Deploys the resolved verticles one after another with the merged configuration plus
   * {@link PipelitdPlugin#WORKING_DIR_KEY} (without {@code FIELD_ENCRYPTION_KEY}); when one fails, those
   * already deployed are undeployed again before the failure (naming the verticle) is reported.
   */
  static Future<Deployed> deploy(Vertx vertx, PipelitdConfig config, List<Deployment> deployments) {
    Deployed deployed = new Deployed(vertx);
    Future<Void> chain = Future.succeededFuture();
    for (Deployment deployment : deployments) {
      chain = chain.compose(ignored -> {
        VerticleSpec spec = deployment.offer().spec();
        JsonObject verticleConfig = config.json().copy()
            .put(PipelitdPlugin.WORKING_DIR_KEY, config.workingDir().toString());
        verticleConfig.remove(ConfigKeys.FIELD_ENCRYPTION_KEY); // no plugin needs the key to the stored secrets
        DeploymentOptions options = new DeploymentOptions().setConfig(verticleConfig)
            .setInstances(deployment.instances()).setThreadingModel(spec.threadingModel())
            .setClassLoader(deployment.offer().plugin().getClass().getClassLoader());
        return vertx.deployVerticle(spec.factory(), options)
            .recover(failure -> deployed.undeploy().transform(done -> Future.<String>failedFuture(
                new Failures.UserFacingException("plugin verticle " + spec.name() + " failed to start: "
                    + Failures.message(failure), ExitCodes.FAILURE, failure))))
            .map(id -> {
              deployed.add(spec.name(), id);
              LOG.info("plugin verticle {} deployed ({} instance{})", spec.name(), deployment.instances(),
                  deployment.instances() == 1 ? "" : "s");
              return null;
            });
      });
    }
    return chain.map(deployed);
  }

  /** The plugin verticles deployed by {@link #deploy}. */
  static final class Deployed {
    private final Vertx vertx;
    private final List<String> names = new ArrayList<>();
    private final List<String> ids = new ArrayList<>();

    Deployed(Vertx vertx) {
      this.vertx = vertx;
    }

    synchronized void add(String name, String id) {
      names.add(name);
      ids.add(id);
    }

    synchronized List<String> names() {
      return List.copyOf(names);
    }

    /** Undeploys in reverse order; a failure is logged and does not stop the others. */
    Future<Void> undeploy() {
      List<String> idsNow;
      List<String> namesNow;
      synchronized (this) {
        idsNow = new ArrayList<>(ids);
        namesNow = new ArrayList<>(names);
        ids.clear();
        names.clear();
      }
      Future<Void> chain = Future.succeededFuture();
      for (int i = idsNow.size() - 1; i >= 0; i--) {
        String id = idsNow.get(i);
        String name = namesNow.get(i);
        chain = chain.transform(ignored -> vertx.undeploy(id)
            .onFailure(e -> LOG.warn("stopping plugin verticle {} failed: {}", name, e.toString()))
            .otherwiseEmpty());
      }
      return chain;
    }
  }
}
