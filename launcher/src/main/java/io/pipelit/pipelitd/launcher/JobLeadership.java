package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.contracts.ScheduledJobs;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In cluster mode, competes for {@link ScheduledJobs#LEADER_LOCK}: the node that holds it runs the
 * cluster's scheduled jobs until it stops or dies (Hazelcast then frees the lock of the departed member).
 * The others try again every {@link #RETRY_MS} ms. On a single node it does nothing (every job runs).
 */
final class JobLeadership {
  private static final Logger LOG = LoggerFactory.getLogger(JobLeadership.class);

  /** How often a node that does not lead tries to take the lock, in milliseconds. */
  static final long RETRY_MS = 2_000;
  /** How long one attempt waits for the lock, in milliseconds (short: the holder keeps it for good). */
  static final long ATTEMPT_MS = 200;

  private final Vertx vertx;
  private long timer = -1;
  private Lock held;
  private boolean attempting;
  private volatile boolean stopped;

  private JobLeadership(Vertx vertx) {
    this.vertx = vertx;
  }

  static JobLeadership start(Vertx vertx) {
    JobLeadership leadership = new JobLeadership(vertx);
    if (vertx.isClustered()) {
      // A context of its own, so that the timer and the lock callbacks run on one thread.
      vertx.getOrCreateContext().runOnContext(ignored -> {
        leadership.attempt();
        leadership.timer = vertx.setPeriodic(RETRY_MS, id -> leadership.attempt());
      });
    }
    return leadership;
  }

  private void attempt() {
    if (held != null || attempting || stopped) {
      return;
    }
    attempting = true;
    vertx.sharedData().getLockWithTimeout(ScheduledJobs.LEADER_LOCK, ATTEMPT_MS)
        .onSuccess(lock -> {
          if (stopped) {
            lock.release();
            return;
          }
          held = lock;
          vertx.sharedData().getLocalMap(ScheduledJobs.LOCAL_MAP).put(ScheduledJobs.LEADER_KEY, true);
          LOG.info("this node now runs the cluster's scheduled jobs (backups, pruning, execution recovery)");
        })
        .onComplete(done -> attempting = false);
  }

  /** Gives the jobs up (another node takes them); before the verticles stop. */
  void stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    vertx.sharedData().getLocalMap(ScheduledJobs.LOCAL_MAP).remove(ScheduledJobs.LEADER_KEY);
    if (held != null) {
      held.release();
      held = null;
    }
  }
}
