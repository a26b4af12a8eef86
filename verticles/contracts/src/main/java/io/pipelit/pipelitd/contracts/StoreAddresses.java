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
  /**
   * {@code {"workflows": [slug]?, "all": bool?, "decrypted": bool?}} → the export document
   * ({@code {"format": "pipelitd-export", "format_version": 1, "tables": {...}, ...}}); the CLI's {@code export}.
   */
  public static final String EXPORT_CLI = PREFIX + "export.cli.run";
  /**
   * {@code {"document": <export document>, "owner": username?}} → {@code {"imported": {table: n},
   * "workflows": [{"slug", "old_slug"}], "users_matched"}}; all or nothing. The CLI's {@code import}.
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
   * One batch of {@code keys rotate}: {@code {"table", "column", "after_id"?, "limit"?}} →
   * {@code {"last_id", "seen", "rotated", "current", "plaintext", "undecryptable_ids", "changed_meanwhile",
   * "done"}}. No identity; trusted, in-process only (the CLI), never exposed over HTTP or the bridge.
   */
  public static final String KEYS_ROTATE_BATCH = PREFIX + "keys.rotate_batch";
}
