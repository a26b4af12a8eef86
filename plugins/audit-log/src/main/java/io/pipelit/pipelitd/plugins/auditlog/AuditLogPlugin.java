package io.pipelit.pipelitd.plugins.auditlog;

import io.pipelit.pipelitd.contracts.plugin.PipelitdPlugin;
import io.pipelit.pipelitd.contracts.plugin.VerticleSpec;
import java.util.List;

/**
 * The audit-log plugin: offers one verticle, {@value #VERTICLE}, which appends every change event to a
 * file ({@link AuditLogVerticle}). At most one instance: two would write every event twice.
 */
public final class AuditLogPlugin implements PipelitdPlugin {
  /** The name {@code PIPELITD_DEPLOY} uses. */
  public static final String VERTICLE = "audit-log";

  @Override
  public String name() {
    return "audit-log";
  }

  @Override
  public List<VerticleSpec> verticles() {
    return List.of(VerticleSpec.of(VERTICLE, AuditLogVerticle::new, 1));
  }
}
