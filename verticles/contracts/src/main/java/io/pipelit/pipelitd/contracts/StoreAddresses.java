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
  /**
   * {@code {"key"}} → {@code {"user_id", "username", "role", "key_id", "reuse_ms"}}; UNAUTHENTICATED
   * otherwise. {@code reuse_ms}: how long the caller may reuse this answer for the same key without asking
   * again (0: not at all), unless {@link #AUTH_INVALIDATED} comes first.
   */
  public static final String AUTHENTICATE = PREFIX + "auth.authenticate";
  /**
   * Published by the store ({@code {}}, no reply) after every committed change that can take a key's
   * identity away or change it, before it answers that change: callers that reuse AUTHENTICATE answers
   * drop them all. In-process only (ClientAddresses refuses it to outside clients).
   */
  public static final String AUTH_INVALIDATED = PREFIX + "auth.invalidated";
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
  /**
   * {@code {"workflows": [slug]?, "all": bool?, "decrypted": bool?}} → the export document
   * ({@code {"format": "pipelitd-export", "format_version": 1, "tables": {...}, ...}}); the CLI's {@code export}.
   */
  public static final String EXPORT_CLI = PREFIX + "export.cli.run";
  /**
   * {@code {"document": <export document>, "owner": username?}} → {@code {"imported": {table: n},
   * "workflows": [{"slug", "old_slug"}], "users_matched", "matched": {table: n}}}; all or nothing. The CLI's
   * {@code import}.
   */
  public static final String IMPORT_CLI = PREFIX + "import.cli.run";

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
  /**
   * {@code {"execution_id"}} → {@code {"execution_id", "workflow": slug, "status", "started_at",
   * "completed_at", "final_output", "error_message"}} (Pipelit's §3.9 status answer), owner-scoped like
   * every execution read (Pipelit answers any key here).
   */
  public static final String EXECUTIONS_STATUS = PREFIX + "executions.status";
  public static final String EXECUTIONS_CREATE = PREFIX + "executions.create";
  public static final String EXECUTIONS_UPDATE = PREFIX + "executions.update";
  public static final String EXECUTIONS_CANCEL = PREFIX + "executions.cancel";
  public static final String EXECUTIONS_BATCH_DELETE = PREFIX + "executions.batch_delete";
  public static final String EXECUTIONS_APPEND_LOG = PREFIX + "executions.append_log";

  /**
   * Retention prune (admin only; {@code POST /api/v1/maintenance/prune}): {@code {"body": {"dry_run"?,
   * "older_than_days"?, "keep_per_workflow"?, "vacuum"?, "progress_address"?}}} → {@code {"dry_run",
   * "rules", "deleted": {table: rows}, "bytes_before", "bytes_after", "bytes_freed", "space"}}. Without
   * a rule in the body, the configured rules apply; with none at all, VALIDATION_FAILED.
   */
  public static final String MAINTENANCE_PRUNE = PREFIX + "maintenance.prune";
  /** The same as {@link #MAINTENANCE_PRUNE} without identity: trusted, in-process only (the CLI). */
  public static final String MAINTENANCE_PRUNE_CLI = PREFIX + "maintenance.prune.cli";
  /**
   * One execution-recovery sweep now, with the current threshold: {@code {}} → {@code {"recovered": n}}.
   * Trusted, in-process only (tests, tools).
   */
  public static final String MAINTENANCE_RECOVER_CLI = PREFIX + "maintenance.recover.cli";

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

  /**
   * Workspaces (§3.14), owner-scoped for everyone (admins included); the path id travels as
   * {@code workspace_id} (an integer). Answers WorkspaceOut with env var values masked.
   */
  public static final String WORKSPACES_LIST = PREFIX + "workspaces.list";
  public static final String WORKSPACES_CREATE = PREFIX + "workspaces.create";
  public static final String WORKSPACES_GET = PREFIX + "workspaces.get";
  public static final String WORKSPACES_UPDATE = PREFIX + "workspaces.update";
  public static final String WORKSPACES_DELETE = PREFIX + "workspaces.delete";
  public static final String WORKSPACES_BATCH_DELETE = PREFIX + "workspaces.batch_delete";
  /** {@code {"workspace_id"}} → {@code {"ok": true, "message"}}: empties the folder, re-creates .tmp. */
  public static final String WORKSPACES_RESET = PREFIX + "workspaces.reset";
  /** {@code {"workspace_id"}} → {@code {"ok": true, "message"}}: removes the folder's .rootfs. */
  public static final String WORKSPACES_RESET_ROOTFS = PREFIX + "workspaces.reset_rootfs";

  /** Settings (§3.15), admin-only (FORBIDDEN otherwise). {@code {}} → {@code {"config", "environment"}}. */
  public static final String SETTINGS_GET = PREFIX + "settings.get";
  /** {@code {"body": {...}}} → {@code {"config", "hot_reloaded": [...], "restart_required": [...]}}. */
  public static final String SETTINGS_UPDATE = PREFIX + "settings.update";
  /** {@code {}} → {@code {"environment"}}: checks the runtime again and stores the result. */
  public static final String SETTINGS_RECHECK_ENVIRONMENT = PREFIX + "settings.recheck_environment";
  /**
   * {@code {}} → the settings' config object (secrets masked), for in-process jobs at their start (later
   * changes arrive on {@link EventAddresses#SETTINGS}). No identity; a LOCAL consumer, never exposed
   * over HTTP or the bridge.
   */
  public static final String SETTINGS_CLI_CURRENT = PREFIX + "settings.cli.current";
  // Agent memory (§1.8, §3.13). Every memory address is admin-only (FORBIDDEN "Admin access required."
  // otherwise): the routes are Pipelit's admin pages, and the writers are the execution engine, which
  // speaks for the platform. Ids are the rows' UUID strings. Timestamps in requests are ISO-8601 (naive
  // means UTC); answers carry them as ISO-8601 with +00:00.
  /**
   * {@code {"scope"?, "fact_type"?, "limit", "offset"}} → {@code {"items": [{id, scope, agent_id, user_id,
   * key, value, fact_type, confidence, times_confirmed, access_count, created_at, updated_at}], "total"}},
   * newest {@code updated_at} first.
   */
  public static final String MEMORY_FACTS_LIST = PREFIX + "memory.facts.list";
  /** {@code {"body": {"ids": [str]}}} → {@code {}} (HTTP 204); unknown ids are ignored. */
  public static final String MEMORY_FACTS_BATCH_DELETE = PREFIX + "memory.facts.batch_delete";
  /**
   * {@code {"agent_id"?, "limit", "offset"}} → {@code {"items": [{id, agent_id, user_id, trigger_type, success,
   * error_code, summary, started_at, ended_at, duration_ms, created_at}], "total"}}, newest
   * {@code started_at} first.
   */
  public static final String MEMORY_EPISODES_LIST = PREFIX + "memory.episodes.list";
  /** {@code {"body": {"ids": [str]}}} → {@code {}}; facts learnt from them keep living with {@code source_episode_id} null. */
  public static final String MEMORY_EPISODES_BATCH_DELETE = PREFIX + "memory.episodes.batch_delete";
  /**
   * {@code {"agent_id"?, "limit", "offset"}} → {@code {"items": [{id, agent_id, name, description,
   * procedure_type, times_used, times_succeeded, times_failed, success_rate, is_active, created_at}], "total"}},
   * newest {@code created_at} first; {@code success_rate} is succeeded/used, or 0.5 when never used.
   */
  public static final String MEMORY_PROCEDURES_LIST = PREFIX + "memory.procedures.list";
  /** {@code {"body": {"ids": [str]}}} → {@code {}}; procedures evolved from them get {@code parent_procedure_id} null. */
  public static final String MEMORY_PROCEDURES_BATCH_DELETE = PREFIX + "memory.procedures.batch_delete";
  /**
   * {@code {"limit", "offset"}} → {@code {"items": [{id, canonical_id, display_name, telegram_id, email,
   * total_conversations, last_seen_at, created_at}], "total"}}, most recently seen first.
   */
  public static final String MEMORY_USERS_LIST = PREFIX + "memory.users.list";
  /** {@code {"body": {"ids": [str]}}} → {@code {}}; users merged into them get {@code merged_into_id} null. */
  public static final String MEMORY_USERS_BATCH_DELETE = PREFIX + "memory.users.batch_delete";

  // The engine's memory writes (no HTTP route). Each answers the whole row: every column but `embedding`.
  /**
   * Remembers a fact: {@code {"body": {"key", "value" (any JSON), "fact_type", "scope"? ("session"|"user"|
   * "agent"|"global", default "agent"), "agent_id"?, "user_id"?, "session_id"?, "confidence"? (0..1,
   * default 1.0), "source_episode_id"?, "source_description"?}}} → {@code {"fact": FactRow, "created": bool}}.
   * The fact with the same (scope, agent_id, user_id, key), nulls matching nulls, is overwritten
   * ({@code times_confirmed} + 1, {@code updated_at} now); otherwise a new one is inserted. An unknown
   * {@code source_episode_id} is VALIDATION_FAILED.
   */
  public static final String MEMORY_FACTS_UPSERT = PREFIX + "memory.facts.upsert";
  /**
   * Counts reads of facts: {@code {"body": {"ids": [str]}}} → {@code {"updated": n}}; each known fact gets
   * {@code access_count} + 1 and {@code last_accessed} now.
   */
  public static final String MEMORY_FACTS_TOUCH = PREFIX + "memory.facts.touch";
  /**
   * Starts (or records) an episode: {@code {"body": {"agent_id", "user_id"?, "session_id"?, "workflow_id"?
   * (int), "execution_id"?, "trigger_type"? (default ""), "trigger_input"?, "conversation"? (list, default []),
   * "actions_taken"? (list, default []), "final_output"?, "success"? (default false), "error_code"?,
   * "error_message"? (default ""), "human_feedback"?, "human_rating"? (int), "started_at"? (default now),
   * "ended_at"?, "duration_ms"? (int ≥ 0), "summary"?, "processed_for_facts"? (default false)}}} →
   * EpisodeRow. An unknown workflow or execution is VALIDATION_FAILED.
   */
  public static final String MEMORY_EPISODES_RECORD = PREFIX + "memory.episodes.record";
  /**
   * Finishes or amends an episode: {@code {"id", "body": {any of conversation, actions_taken, final_output,
   * success, error_code, error_message, human_feedback, human_rating, ended_at, duration_ms, summary,
   * processed_for_facts}}} → EpisodeRow; NOT_FOUND for an unknown id.
   */
  public static final String MEMORY_EPISODES_UPDATE = PREFIX + "memory.episodes.update";
  /**
   * Teaches or revises a procedure: {@code {"body": {"agent_id", "name", "procedure_type", "procedure_content"
   * (any JSON), "user_id"?, "description"? (default ""), "trigger_conditions"? (object, default {}),
   * "source"? ("human_taught"|"self_learned"|"evolved", default "human_taught"), "parent_procedure_id"?,
   * "is_active"? (default true)}}} → {@code {"procedure": ProcedureRow, "created": bool}}. The procedure with
   * the same (agent_id, user_id, name) is updated with the fields given (usage counters kept); otherwise a new
   * one is inserted.
   */
  public static final String MEMORY_PROCEDURES_UPSERT = PREFIX + "memory.procedures.upsert";
  /**
   * Counts one use of a procedure: {@code {"id", "body": {"success": bool, "duration_ms"? (≥ 0)}}} →
   * ProcedureRow with {@code times_used} + 1, {@code times_succeeded} or {@code times_failed} + 1,
   * {@code avg_duration_ms} the running mean of the durations given, {@code last_used_at} now.
   */
  public static final String MEMORY_PROCEDURES_RECORD_USE = PREFIX + "memory.procedures.record_use";
  /**
   * Identifies a memory user: {@code {"body": {"canonical_id" ("channel:id"), "display_name"?, "telegram_id"?,
   * "telegram_username"?, "email"?, "preferences_cache"? (object), "merged_into_id"?, "conversation"?
   * (bool)}}} → {@code {"user": MemoryUserRow, "created": bool}}. Fields given overwrite, absent ones are
   * kept; {@code last_seen_at} is now; {@code "conversation": true} also counts a conversation
   * ({@code total_conversations} + 1, {@code last_conversation_at} now). A {@code telegram_id} or
   * {@code email} of another user is CONFLICT.
   */
  public static final String MEMORY_USERS_UPSERT = PREFIX + "memory.users.upsert";
}
