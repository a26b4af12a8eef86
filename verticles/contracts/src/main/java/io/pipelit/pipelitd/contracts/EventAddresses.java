package io.pipelit.pipelitd.contracts;

/**
 * Change events published after commit ({@code pipelit.events.*}). At-most-once over the bus.
 *
 * <p>Body: {@code {"type": "<event name>", "workflow_slug": "...", "data": {...}}} with Pipelit's event
 * names: {@code workflow_updated}, {@code workflow_deleted}, {@code node_created}, {@code node_updated},
 * {@code node_deleted}, {@code edge_created}, {@code edge_updated}, {@code edge_deleted},
 * {@code execution_created}, {@code execution_updated}, {@code execution_cancelled}.
 */
public final class EventAddresses {
  private EventAddresses() {}

  public static final String WORKFLOW_PREFIX = "pipelit.events.workflow.";

  /**
   * Every change event of every workflow, with the same body, published right after the one on
   * {@link #workflow(String)} (the event bus has no wildcard consumers): for followers of all changes,
   * such as the audit-log plugin. Per publisher, events arrive in commit order.
   */
  public static final String ALL = "pipelit.events.all";

  /**
   * The system settings, published after a change (by the settings store): the settings object, with
   * at least {@code zombie_execution_threshold_seconds}; execution recovery hot-reloads its threshold
   * from it.
   */
  public static final String SETTINGS = "pipelit.events.settings";

  /** The address on which changes of one workflow (and its nodes, edges and executions) are published. */
  public static String workflow(String slug) {
    return WORKFLOW_PREFIX + slug;
  }
}
