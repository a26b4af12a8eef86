package io.pipelit.pipelitd.contracts;

/**
 * Change events published after commit ({@code pipelit.events.*}). At-most-once over the bus.
 *
 * <p>Body: {@code {"type": "<event name>", "workflow_slug": "...", "data": {...}}} with Pipelit's event
 * names: {@code workflow_updated}, {@code workflow_deleted}, {@code node_created}, {@code node_updated},
 * {@code node_deleted}, {@code edge_created}, {@code edge_updated}, {@code edge_deleted},
 * {@code execution_created}, {@code execution_updated}, {@code execution_cancelled}.
 *
 * <p>Delivery is at-most-once: an event published while a follower is disconnected, or dropped because its
 * socket could not keep up, is not replayed. Each event carries {@code seq}, a number that grows by one
 * per event published on that address by one pipelitd process, and {@code origin}, that process's id; a
 * follower that sees a jump in {@code seq} for the same {@code origin} missed events and re-reads the
 * state over the request addresses.
 */
public final class EventAddresses {
  private EventAddresses() {}

  /** Every event address starts with this. */
  public static final String PREFIX = "pipelit.events.";

  public static final String WORKFLOW_PREFIX = PREFIX + "workflow.";

  /**
   * Every change event of every workflow, with the same body, published right after the one on
   * {@link #workflow(String)} (the event bus has no wildcard consumers): for followers of all changes,
   * such as the audit-log plugin. Per publisher, events arrive in commit order.
   */
  public static final String ALL = PREFIX + "all";

  /**
   * Checkpoint store changes ({@code checkpoint_put}, {@code checkpoint_writes_put}, {@code thread_deleted},
   * {@code checkpoints_pruned}, {@code checkpoints_deleted}), body {@code {"type", "thread_id"?, "data", "seq",
   * "origin"}}. The checkpoint store is admin-only, so is following this address.
   */
  public static final String CHECKPOINTS = PREFIX + "checkpoints";

  /** Field of every event body: the event's number on its address (see the class comment). */
  public static final String SEQ = "seq";
  /** Field of every event body: the id of the pipelitd process that published it. */
  public static final String ORIGIN = "origin";

  /** The address on which changes of one workflow (and its nodes, edges and executions) are published. */
  public static String workflow(String slug) {
    return WORKFLOW_PREFIX + slug;
  }

  /**
   * Settings changes (PATCH /settings/), published after commit. Body: the full settings config object
   * with secrets masked, as {@code GET /settings/} answers it (e.g. the execution-recovery job reads
   * {@code zombie_execution_threshold_seconds} from it).
   */
  public static final String SETTINGS = "pipelit.events.settings";
}
