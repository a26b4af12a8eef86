package io.pipelit.pipelitd.contracts;

import io.vertx.core.Vertx;

/**
 * Whether this node runs the scheduled jobs that must run once per cluster (backups, retention pruning,
 * execution recovery, checkpoint pruning). On a single node: always. In a cluster: only the node that
 * holds the cluster-wide lock {@link #LEADER_LOCK} (the launcher takes and keeps it; when that node dies,
 * Hazelcast releases the lock and another node takes it within a few seconds). Every scheduled job asks
 * {@link #mayRun} at each tick and skips the tick when the answer is no.
 */
public final class ScheduledJobs {
  private ScheduledJobs() {}

  /** The cluster-wide lock whose holder runs the scheduled jobs. */
  public static final String LEADER_LOCK = "pipelitd.jobs.leader";
  /** Local shared map and key where the launcher records that this node holds the lock. */
  public static final String LOCAL_MAP = "pipelitd.jobs";
  public static final String LEADER_KEY = "leader";

  /** True when this node should run a scheduled job's tick now. */
  public static boolean mayRun(Vertx vertx) {
    return !vertx.isClustered()
        || Boolean.TRUE.equals(vertx.sharedData().getLocalMap(LOCAL_MAP).get(LEADER_KEY));
  }
}
