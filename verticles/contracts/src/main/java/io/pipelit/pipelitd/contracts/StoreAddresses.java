package io.pipelit.pipelitd.contracts;

/**
 * Event-bus addresses of the persistence service ({@code pipelit.store.*}).
 *
 * <p>Request contract, the same for every address:
 * <ul>
 *   <li>The body is a JSON object. Path and query parameters of the matching HTTP route are top-level
 *       fields named as in the URL ({@code slug}, {@code node_id}, {@code execution_id}, {@code limit},
 *       {@code offset}, ...); the HTTP request body, when the route has one, travels as {@code body}.</li>
 *   <li>The caller's identity travels in the headers {@link StoreHeaders#USER_ID} and
 *       {@link StoreHeaders#USER_ROLE}; every address except {@link #HEALTH}, {@link #AUTHENTICATE} and
 *       {@link #SETUP_ADMIN} requires them.</li>
 *   <li>A success reply carries the same JSON the HTTP route answers with (an object, or an array for
 *       the bare-array lists); a failure is {@code message.fail(ErrorCode.value(), detail)}.</li>
 * </ul>
 */
public final class StoreAddresses {
  private StoreAddresses() {}

  public static final String PREFIX = "pipelit.store.";

  /** {@code {}} → {@code {"database": bool, "write_queue": int}}. No identity needed. */
  public static final String HEALTH = PREFIX + "health";
  /** {@code {"key"}} → {@code {"user_id", "username", "role", "key_id"}}; UNAUTHENTICATED otherwise. */
  public static final String AUTHENTICATE = PREFIX + "auth.authenticate";
  /**
   * {@code {"username", "password", "first_name"?, "last_name"?}} → {@code {"user": UserOut, "key": "<full key>"}}.
   * Creates the first admin user; CONFLICT when an admin already exists. Trusted, in-process only
   * (the CLI's {@code setup}); it is never exposed over HTTP or the bridge.
   */
  public static final String SETUP_ADMIN = PREFIX + "users.setup_admin";

  public static final String WORKFLOWS_LIST = PREFIX + "workflows.list";
  public static final String WORKFLOWS_CREATE = PREFIX + "workflows.create";
  public static final String WORKFLOWS_GET = PREFIX + "workflows.get";
  public static final String WORKFLOWS_UPDATE = PREFIX + "workflows.update";
  public static final String WORKFLOWS_DELETE = PREFIX + "workflows.delete";
  public static final String WORKFLOWS_BATCH_DELETE = PREFIX + "workflows.batch_delete";

  public static final String NODES_LIST = PREFIX + "nodes.list";
  public static final String NODES_CREATE = PREFIX + "nodes.create";
  public static final String NODES_UPDATE = PREFIX + "nodes.update";
  public static final String NODES_DELETE = PREFIX + "nodes.delete";

  public static final String EDGES_LIST = PREFIX + "edges.list";
  public static final String EDGES_CREATE = PREFIX + "edges.create";
  public static final String EDGES_UPDATE = PREFIX + "edges.update";
  public static final String EDGES_DELETE = PREFIX + "edges.delete";

  public static final String EXECUTIONS_LIST = PREFIX + "executions.list";
  public static final String EXECUTIONS_GET = PREFIX + "executions.get";
  public static final String EXECUTIONS_CREATE = PREFIX + "executions.create";
  public static final String EXECUTIONS_UPDATE = PREFIX + "executions.update";
  public static final String EXECUTIONS_CANCEL = PREFIX + "executions.cancel";
  public static final String EXECUTIONS_BATCH_DELETE = PREFIX + "executions.batch_delete";
  public static final String EXECUTIONS_APPEND_LOG = PREFIX + "executions.append_log";
}
