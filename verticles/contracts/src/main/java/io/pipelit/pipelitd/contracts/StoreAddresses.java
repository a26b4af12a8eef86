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
 *       {@link StoreHeaders#USER_ROLE}; every address except {@link #HEALTH}, {@link #AUTHENTICATE},
 *       {@link #AUTH_TOKEN}, {@link #AUTH_MFA_LOGIN_VERIFY}, {@link #SETUP_ADMIN} and the CLI's
 *       {@code *.cli.*} addresses requires them.</li>
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

  // Authentication and MFA (§3.2). AUTH_TOKEN and AUTH_MFA_LOGIN_VERIFY need no identity.
  /**
   * {@code {"body": {"username", "password"}}} → {@code {"key", "requires_mfa": false}}, rotating the
   * user's "session" key; with MFA on → {@code {"key": "", "requires_mfa": true, "mfa_token"}} (a
   * single-use ticket for {@link #AUTH_MFA_LOGIN_VERIFY}, valid 5 minutes). UNAUTHENTICATED
   * "Invalid credentials." otherwise (also for a deactivated user).
   */
  public static final String AUTH_TOKEN = PREFIX + "auth.token";
  /** {@code {"body": {"username", "code", "mfa_token"}}} → {@code {"key", "requires_mfa": false}}. */
  public static final String AUTH_MFA_LOGIN_VERIFY = PREFIX + "auth.mfa.login_verify";
  /** {@code {}} → {@code {"username", "mfa_enabled"}}. */
  public static final String AUTH_ME = PREFIX + "auth.me";
  public static final String AUTH_MFA_SETUP = PREFIX + "auth.mfa.setup";
  public static final String AUTH_MFA_VERIFY = PREFIX + "auth.mfa.verify";
  public static final String AUTH_MFA_DISABLE = PREFIX + "auth.mfa.disable";
  public static final String AUTH_MFA_STATUS = PREFIX + "auth.mfa.status";
  /** Clears the caller's MFA. The HTTP API forwards it only from a loopback client address. */
  public static final String AUTH_MFA_RESET = PREFIX + "auth.mfa.reset";

  // Users and API keys (§3.3). USERS_* except USERS_ME_* are admin-only (FORBIDDEN otherwise).
  public static final String USERS_ME_GET = PREFIX + "users.me.get";
  public static final String USERS_ME_UPDATE = PREFIX + "users.me.update";
  /** {@code {"limit", "offset"}} → {@code {"users": [UserOut], "total"}}. */
  public static final String USERS_LIST = PREFIX + "users.list";
  public static final String USERS_CREATE = PREFIX + "users.create";
  /** {@code {"user_id"}} → UserOut. */
  public static final String USERS_GET = PREFIX + "users.get";
  public static final String USERS_UPDATE = PREFIX + "users.update";
  /** Deactivates the user and all their keys (they can no longer log in); refuses the last admin. */
  public static final String USERS_DELETE = PREFIX + "users.delete";
  /**
   * Key addresses act on the caller's keys, or, with a {@code user_id} field, on that user's keys
   * (admin only). {@code {"body": {"name", "expires_at"?}}} → APIKeyCreatedOut.
   */
  public static final String KEYS_CREATE = PREFIX + "keys.create";
  /** → {@code [APIKeyOut]}, newest first, inactive keys included. */
  public static final String KEYS_LIST = PREFIX + "keys.list";
  /** {@code {"key_id"}} → {@code {}}; deactivates the key. */
  public static final String KEYS_REVOKE = PREFIX + "keys.revoke";

  // The command line's trusted requests: registered as LOCAL consumers (never reachable from another
  // cluster node), never routed over HTTP or the bridge, no identity headers.
  /** {@code {"username", "password", "role"?, "first_name"?, "last_name"?}} → UserOut. */
  public static final String USERS_CLI_CREATE = PREFIX + "users.cli.create";
  /** {@code {}} → {@code {"users": [UserOut], "total"}}. */
  public static final String USERS_CLI_LIST = PREFIX + "users.cli.list";
  /** {@code {"username", "password"}} → UserOut. */
  public static final String USERS_CLI_SET_PASSWORD = PREFIX + "users.cli.set_password";
  /** {@code {"username"}} → UserOut; refuses the last active admin. */
  public static final String USERS_CLI_DEACTIVATE = PREFIX + "users.cli.deactivate";
  /** {@code {"username", "name"?, "expires_at"?}} → APIKeyCreatedOut. */
  public static final String KEYS_CLI_CREATE = PREFIX + "keys.cli.create";

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

  /** Credentials (§3.11); the path id travels as {@code credential_id} (an integer). */
  public static final String CREDENTIALS_LIST = PREFIX + "credentials.list";
  public static final String CREDENTIALS_CREATE = PREFIX + "credentials.create";
  public static final String CREDENTIALS_GET = PREFIX + "credentials.get";
  public static final String CREDENTIALS_UPDATE = PREFIX + "credentials.update";
  public static final String CREDENTIALS_DELETE = PREFIX + "credentials.delete";
  public static final String CREDENTIALS_BATCH_DELETE = PREFIX + "credentials.batch_delete";

  /**
   * Schedules (§3.12), scoped through the workflow's owner (admins see all; others' jobs are NOT_FOUND).
   * The path id travels as {@code job_id}. LIST: {@code {"limit", "offset", "status"?, "workflow_id"?}} →
   * {@code {"items": [ScheduledJobOut], "total"}}, newest first. CREATE: {@code {"body": {"name",
   * "workflow_id", "interval_seconds", ...}}} → ScheduledJobOut with {@code next_run_at} = now + interval.
   * PAUSE needs status {@code active}, RESUME {@code paused} (BAD_REQUEST otherwise). BATCH_DELETE:
   * {@code {"body": {"schedule_ids": [id]}}} → {@code {}}, skipping ids outside the caller's scope.
   */
  public static final String SCHEDULES_LIST = PREFIX + "schedules.list";
  public static final String SCHEDULES_CREATE = PREFIX + "schedules.create";
  public static final String SCHEDULES_GET = PREFIX + "schedules.get";
  public static final String SCHEDULES_UPDATE = PREFIX + "schedules.update";
  public static final String SCHEDULES_DELETE = PREFIX + "schedules.delete";
  public static final String SCHEDULES_PAUSE = PREFIX + "schedules.pause";
  public static final String SCHEDULES_RESUME = PREFIX + "schedules.resume";
  public static final String SCHEDULES_BATCH_DELETE = PREFIX + "schedules.batch_delete";
  /**
   * For the engine that runs the schedules (§6.6; no REST route). DUE: {@code {"limit"?}} →
   * {@code {"items": [ScheduledJobOut]}}, the active jobs whose {@code next_run_at} has passed, most
   * overdue first. RECORD_RUN: {@code {"job_id", "body": {"outcome": "success"|"failure"|"skipped",
   * "error"?}}} → ScheduledJobOut, advancing Pipelit's state machine (repeats, retries with backoff,
   * {@code done}, {@code dead}) and setting the next run; CONFLICT when the job is not active.
   */
  public static final String SCHEDULES_DUE = PREFIX + "schedules.due";
  public static final String SCHEDULES_RECORD_RUN = PREFIX + "schedules.record_run";
  /**
   * The schedule actions on a {@code trigger_schedule} node (§3.5): {@code {"slug", "node_id"}} → NodeOut
   * with its {@code schedule_job}. START creates or restarts the node's job from its
   * {@code extra_config}; PAUSE pauses it; STOP deletes it. Each sets the trigger's {@code is_active}.
   */
  public static final String NODE_SCHEDULE_START = PREFIX + "nodes.schedule.start";
  public static final String NODE_SCHEDULE_PAUSE = PREFIX + "nodes.schedule.pause";
  public static final String NODE_SCHEDULE_STOP = PREFIX + "nodes.schedule.stop";

  /**
   * Human-in-the-loop confirmations (§1.6) for the execution engine; Pipelit has no REST route for them,
   * so neither has pipelitd. Scoped through the execution's workflow owner. CREATE: {@code {"body":
   * {"execution_id", "node_id", "prompt", "chat_id"?, "credential_id"?, "expires_at"? | "timeout_seconds"?
   * (default 300)}}} → PendingTaskOut {@code {task_id, execution_id, user_profile_id, chat_id,
   * credential_id, node_id, prompt, created_at, expires_at}} with an 8-hex {@code task_id}. GET and
   * DELETE: {@code {"task_id"}}. LIST: {@code {"execution_id"?, "limit", "offset"}} → {@code {"items",
   * "total"}}, newest first.
   */
  public static final String PENDING_TASKS_CREATE = PREFIX + "pending_tasks.create";
  public static final String PENDING_TASKS_GET = PREFIX + "pending_tasks.get";
  public static final String PENDING_TASKS_LIST = PREFIX + "pending_tasks.list";
  public static final String PENDING_TASKS_DELETE = PREFIX + "pending_tasks.delete";

  /**
   * Conversations (§1.10; dormant in Pipelit, no REST route), scoped through the workflow's owner.
   * CREATE: {@code {"body": {"workflow_id", "thread_id", "execution_id"?, "metadata"?}}} →
   * ConversationOut {@code {id, user_profile_id, thread_id, workflow_id, execution_id, metadata,
   * created_at, updated_at}}. GET, UPDATE ({@code body: {"execution_id"?, "metadata"?}}) and DELETE:
   * {@code {"conversation_id"}}. LIST: {@code {"workflow_id"?, "thread_id"?, "limit", "offset"}} →
   * {@code {"items", "total"}}, newest first.
   */
  public static final String CONVERSATIONS_CREATE = PREFIX + "conversations.create";
  public static final String CONVERSATIONS_GET = PREFIX + "conversations.get";
  public static final String CONVERSATIONS_LIST = PREFIX + "conversations.list";
  public static final String CONVERSATIONS_UPDATE = PREFIX + "conversations.update";
  public static final String CONVERSATIONS_DELETE = PREFIX + "conversations.delete";

  /**
   * One batch of {@code keys rotate}: {@code {"table", "column", "after_id"?, "limit"?}} →
   * {@code {"last_id", "seen", "rotated", "current", "plaintext", "undecryptable_ids", "changed_meanwhile",
   * "done"}}. No identity; trusted, in-process only (the CLI), never exposed over HTTP or the bridge.
   */
  public static final String KEYS_ROTATE_BATCH = PREFIX + "keys.rotate_batch";
}
