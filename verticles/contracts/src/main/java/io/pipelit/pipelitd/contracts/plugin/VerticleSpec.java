package io.pipelit.pipelitd.contracts.plugin;

import io.vertx.core.Deployable;
import io.vertx.core.ThreadingModel;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * One deployable verticle offered by a {@link PipelitdPlugin}.
 *
 * @param name             the name {@code PIPELITD_DEPLOY} refers to: lower-case letters, digits, dots,
 *                         dashes and underscores ({@code [a-z0-9][a-z0-9._-]*})
 * @param factory          makes one verticle instance per call (called once per instance deployed)
 * @param defaultInstances instances deployed when {@code PIPELITD_DEPLOY} gives no count (at least 1)
 * @param maxInstances     the most instances that make sense (1 for a verticle that must not run twice,
 *                         such as one appending to a file); a larger count is a configuration error
 * @param threadingModel   {@link ThreadingModel#EVENT_LOOP} for non-blocking code,
 *                         {@link ThreadingModel#WORKER} when the verticle blocks
 */
public record VerticleSpec(String name, Supplier<? extends Deployable> factory, int defaultInstances,
    int maxInstances, ThreadingModel threadingModel) {

  /** What a verticle name may look like. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

  public VerticleSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(factory, "factory");
    Objects.requireNonNull(threadingModel, "threadingModel");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("verticle name '" + name + "' must match " + NAME.pattern());
    }
    if (defaultInstances < 1 || maxInstances < defaultInstances) {
      throw new IllegalArgumentException("verticle " + name + ": need 1 <= defaultInstances <= maxInstances");
    }
  }

  /** An event-loop verticle with one instance by default and at most {@code maxInstances}. */
  public static VerticleSpec of(String name, Supplier<? extends Deployable> factory, int maxInstances) {
    return new VerticleSpec(name, factory, 1, maxInstances, ThreadingModel.EVENT_LOOP);
  }
}
