package io.pipelit.pipelitd.http;

import static io.pipelit.pipelitd.http.RequestPart.body;
import static io.pipelit.pipelitd.http.RequestPart.integerPath;
import static io.pipelit.pipelitd.http.RequestPart.metadataFilter;
import static io.pipelit.pipelitd.http.RequestPart.optionalQuery;
import static io.pipelit.pipelitd.http.RequestPart.paging;
import static io.pipelit.pipelitd.http.RequestPart.path;
import static io.pipelit.pipelitd.http.RequestPart.presentQuery;

import io.pipelit.pipelitd.contracts.BackupAddresses;
import io.pipelit.pipelitd.contracts.CheckpointAddresses;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.vertx.core.http.HttpMethod;
import java.util.List;

/**
 * The route table of the REST API (reference spec §3.4 to §3.7). Every route here requires a bearer
 * key; {@code GET /health} is handled separately.
 *
 * <p>Order matters where a literal segment and a parameter share a position: the router tries routes
 * in this order, so {@code batch-delete} is declared before {@code :slug} and {@code :execution_id},
 * and the checkpoints' {@code prune}, {@code stats} and {@code :thread_id/latest} before the parameter
 * routes they would otherwise match.
 */
final class ApiRoutes {
  private ApiRoutes() {}

  private static final int OK = 200;
  private static final int CREATED = 201;
  private static final int NO_CONTENT = 204;

  /**
   * POST /api/v1/backups/ answers once the backup is written and verified: a large database takes
   * minutes, not the store timeout. Two hours, in milliseconds.
   */
  static final long BACKUP_TIMEOUT_MS = 2 * 3_600_000L;

  static final List<ApiRoute> ALL = List.of(
      // Workflows (§3.4)
      route(HttpMethod.GET, "/workflows/", StoreAddresses.WORKFLOWS_LIST, OK, paging()),
      route(HttpMethod.POST, "/workflows/", StoreAddresses.WORKFLOWS_CREATE, CREATED, body()),
      route(HttpMethod.POST, "/workflows/batch-delete/", StoreAddresses.WORKFLOWS_BATCH_DELETE, NO_CONTENT,
          body()),
      route(HttpMethod.GET, "/workflows/:slug/", StoreAddresses.WORKFLOWS_GET, OK, path("slug")),
      route(HttpMethod.PATCH, "/workflows/:slug/", StoreAddresses.WORKFLOWS_UPDATE, OK, path("slug"), body()),
      route(HttpMethod.DELETE, "/workflows/:slug/", StoreAddresses.WORKFLOWS_DELETE, NO_CONTENT, path("slug")),

      // Nodes (§3.5)
      route(HttpMethod.GET, "/workflows/:slug/nodes/", StoreAddresses.NODES_LIST, OK, path("slug")),
      route(HttpMethod.POST, "/workflows/:slug/nodes/", StoreAddresses.NODES_CREATE, CREATED,
          path("slug"), body()),
      route(HttpMethod.PATCH, "/workflows/:slug/nodes/:node_id/", StoreAddresses.NODES_UPDATE, OK,
          path("slug"), path("node_id"), body()),
      route(HttpMethod.DELETE, "/workflows/:slug/nodes/:node_id/", StoreAddresses.NODES_DELETE, NO_CONTENT,
          path("slug"), path("node_id")),

      // Edges (§3.6)
      route(HttpMethod.GET, "/workflows/:slug/edges/", StoreAddresses.EDGES_LIST, OK, path("slug")),
      route(HttpMethod.POST, "/workflows/:slug/edges/", StoreAddresses.EDGES_CREATE, CREATED,
          path("slug"), body()),
      route(HttpMethod.PATCH, "/workflows/:slug/edges/:edge_id/", StoreAddresses.EDGES_UPDATE, OK,
          path("slug"), edgeId(), body()),
      route(HttpMethod.DELETE, "/workflows/:slug/edges/:edge_id/", StoreAddresses.EDGES_DELETE, NO_CONTENT,
          path("slug"), edgeId()),

      // Executions (§3.7)
      route(HttpMethod.GET, "/executions/", StoreAddresses.EXECUTIONS_LIST, OK,
          optionalQuery("workflow_slug", "status"), paging()),
      route(HttpMethod.POST, "/executions/", StoreAddresses.EXECUTIONS_CREATE, CREATED, body()),
      route(HttpMethod.POST, "/executions/batch-delete/", StoreAddresses.EXECUTIONS_BATCH_DELETE, NO_CONTENT,
          body()),
      route(HttpMethod.GET, "/executions/:execution_id/", StoreAddresses.EXECUTIONS_GET, OK,
          path("execution_id")),
      route(HttpMethod.GET, "/executions/:execution_id/status/", StoreAddresses.EXECUTIONS_STATUS, OK,
          path("execution_id")),
      route(HttpMethod.PATCH, "/executions/:execution_id/", StoreAddresses.EXECUTIONS_UPDATE, OK,
          path("execution_id"), body()),
      route(HttpMethod.POST, "/executions/:execution_id/cancel/", StoreAddresses.EXECUTIONS_CANCEL, OK,
          path("execution_id")),
      route(HttpMethod.POST, "/executions/:execution_id/logs/", StoreAddresses.EXECUTIONS_APPEND_LOG, CREATED,
          path("execution_id"), body()),

      // Credentials (§3.11); test/, models/, activate/ and deactivate/ call LLM providers or the
      // msg-gateway and are not served by pipelitd.
      route(HttpMethod.GET, "/credentials/", StoreAddresses.CREDENTIALS_LIST, OK, paging()),
      route(HttpMethod.POST, "/credentials/", StoreAddresses.CREDENTIALS_CREATE, CREATED, body()),
      route(HttpMethod.POST, "/credentials/batch-delete/", StoreAddresses.CREDENTIALS_BATCH_DELETE, NO_CONTENT,
          body()),
      route(HttpMethod.GET, "/credentials/:credential_id/", StoreAddresses.CREDENTIALS_GET, OK, credentialId()),
      route(HttpMethod.PATCH, "/credentials/:credential_id/", StoreAddresses.CREDENTIALS_UPDATE, OK,
          credentialId(), body()),
      route(HttpMethod.DELETE, "/credentials/:credential_id/", StoreAddresses.CREDENTIALS_DELETE, NO_CONTENT,
          credentialId()),

      // Workspaces (§3.14), owner-scoped for everyone
      route(HttpMethod.GET, "/workspaces/", StoreAddresses.WORKSPACES_LIST, OK, paging()),
      route(HttpMethod.POST, "/workspaces/", StoreAddresses.WORKSPACES_CREATE, CREATED, body()),
      route(HttpMethod.POST, "/workspaces/batch-delete/", StoreAddresses.WORKSPACES_BATCH_DELETE, NO_CONTENT,
          body()),
      route(HttpMethod.GET, "/workspaces/:workspace_id/", StoreAddresses.WORKSPACES_GET, OK, workspaceId()),
      route(HttpMethod.PATCH, "/workspaces/:workspace_id/", StoreAddresses.WORKSPACES_UPDATE, OK,
          workspaceId(), body()),
      route(HttpMethod.DELETE, "/workspaces/:workspace_id/", StoreAddresses.WORKSPACES_DELETE, NO_CONTENT,
          workspaceId()),
      route(HttpMethod.POST, "/workspaces/:workspace_id/reset/", StoreAddresses.WORKSPACES_RESET, OK,
          workspaceId()),
      route(HttpMethod.POST, "/workspaces/:workspace_id/reset-rootfs/", StoreAddresses.WORKSPACES_RESET_ROOTFS, OK,
          workspaceId()),

      // Settings (§3.15), admin-only (the store answers 403 otherwise)
      route(HttpMethod.GET, "/settings/", StoreAddresses.SETTINGS_GET, OK),
      route(HttpMethod.PATCH, "/settings/", StoreAddresses.SETTINGS_UPDATE, OK, body()),
      route(HttpMethod.POST, "/settings/recheck-environment/", StoreAddresses.SETTINGS_RECHECK_ENVIRONMENT, OK),
      // Schedule actions on trigger_schedule nodes (§3.5)
      route(HttpMethod.POST, "/workflows/:slug/nodes/:node_id/schedule/start/", StoreAddresses.NODE_SCHEDULE_START,
          OK, path("slug"), path("node_id")),
      route(HttpMethod.POST, "/workflows/:slug/nodes/:node_id/schedule/pause/", StoreAddresses.NODE_SCHEDULE_PAUSE,
          OK, path("slug"), path("node_id")),
      route(HttpMethod.POST, "/workflows/:slug/nodes/:node_id/schedule/stop/", StoreAddresses.NODE_SCHEDULE_STOP,
          OK, path("slug"), path("node_id")),

      // Schedules (§3.12)
      route(HttpMethod.GET, "/schedules/", StoreAddresses.SCHEDULES_LIST, OK,
          optionalQuery("status", "workflow_id"), paging()),
      route(HttpMethod.POST, "/schedules/", StoreAddresses.SCHEDULES_CREATE, CREATED, body()),
      route(HttpMethod.POST, "/schedules/batch-delete/", StoreAddresses.SCHEDULES_BATCH_DELETE, NO_CONTENT,
          body()),
      route(HttpMethod.GET, "/schedules/:job_id/", StoreAddresses.SCHEDULES_GET, OK, path("job_id")),
      route(HttpMethod.PATCH, "/schedules/:job_id/", StoreAddresses.SCHEDULES_UPDATE, OK, path("job_id"), body()),
      route(HttpMethod.DELETE, "/schedules/:job_id/", StoreAddresses.SCHEDULES_DELETE, NO_CONTENT, path("job_id")),
      route(HttpMethod.POST, "/schedules/:job_id/pause/", StoreAddresses.SCHEDULES_PAUSE, OK, path("job_id")),
      route(HttpMethod.POST, "/schedules/:job_id/resume/", StoreAddresses.SCHEDULES_RESUME, OK, path("job_id")),
      // Retention prune of finished executions (admin keys only, the store answers 403 otherwise)
      route(HttpMethod.POST, "/maintenance/prune", StoreAddresses.MAINTENANCE_PRUNE, OK, body()),

      // Checkpoints (LangGraph conversation memory; admin keys only, the store answers 403 otherwise)
      route(HttpMethod.POST, "/checkpoints/prune", CheckpointAddresses.PRUNE, OK, body()),
      route(HttpMethod.GET, "/checkpoints/stats/", CheckpointAddresses.STATS, OK,
          presentQuery("thread_id", "limit", "offset")),
      route(HttpMethod.GET, "/checkpoints/:thread_id/latest", CheckpointAddresses.GET_TUPLE, OK,
          path("thread_id"), presentQuery("ns")),
      route(HttpMethod.GET, "/checkpoints/:thread_id/", CheckpointAddresses.LIST, OK,
          path("thread_id"), presentQuery("ns", "before", "limit", "offset"), metadataFilter()),
      route(HttpMethod.DELETE, "/checkpoints/:thread_id/", CheckpointAddresses.DELETE_THREAD, NO_CONTENT,
          path("thread_id")),
      route(HttpMethod.POST, "/checkpoints/:thread_id/copy", CheckpointAddresses.COPY_THREAD, CREATED,
          path("thread_id"), body()),
      route(HttpMethod.GET, "/checkpoints/:thread_id/:checkpoint_id", CheckpointAddresses.GET_TUPLE, OK,
          path("thread_id"), path("checkpoint_id"), presentQuery("ns")),
      route(HttpMethod.PUT, "/checkpoints/:thread_id/:checkpoint_id", CheckpointAddresses.PUT, CREATED,
          path("thread_id"), path("checkpoint_id"), presentQuery("ns"), body()),
      route(HttpMethod.POST, "/checkpoints/:thread_id/:checkpoint_id/writes", CheckpointAddresses.PUT_WRITES,
          CREATED, path("thread_id"), path("checkpoint_id"), presentQuery("ns"), body()),

      // Pipelit's admin checkpoint listing and batch delete (§3.13), served by the checkpoint store
      route(HttpMethod.GET, "/memories/checkpoints/", CheckpointAddresses.ADMIN_LIST, OK,
          optionalQuery("thread_id"), paging()),
      route(HttpMethod.POST, "/memories/checkpoints/batch-delete/", CheckpointAddresses.BATCH_DELETE, NO_CONTENT,
          body()),

      // Agent memory (§3.13; admin keys only, the store answers 403 otherwise)
      route(HttpMethod.GET, "/memories/facts/", StoreAddresses.MEMORY_FACTS_LIST, OK,
          optionalQuery("scope", "fact_type"), paging()),
      route(HttpMethod.POST, "/memories/facts/batch-delete/", StoreAddresses.MEMORY_FACTS_BATCH_DELETE, NO_CONTENT,
          body()),
      route(HttpMethod.GET, "/memories/episodes/", StoreAddresses.MEMORY_EPISODES_LIST, OK,
          optionalQuery("agent_id"), paging()),
      route(HttpMethod.POST, "/memories/episodes/batch-delete/", StoreAddresses.MEMORY_EPISODES_BATCH_DELETE,
          NO_CONTENT, body()),
      route(HttpMethod.GET, "/memories/procedures/", StoreAddresses.MEMORY_PROCEDURES_LIST, OK,
          optionalQuery("agent_id"), paging()),
      route(HttpMethod.POST, "/memories/procedures/batch-delete/", StoreAddresses.MEMORY_PROCEDURES_BATCH_DELETE,
          NO_CONTENT, body()),
      route(HttpMethod.GET, "/memories/users/", StoreAddresses.MEMORY_USERS_LIST, OK, paging()),
      route(HttpMethod.POST, "/memories/users/batch-delete/", StoreAddresses.MEMORY_USERS_BATCH_DELETE, NO_CONTENT,
          body()),

      // Backups (admin keys only, the backup scheduler answers 403 otherwise): 201 once written and verified
      route(HttpMethod.POST, "/backups/", BackupAddresses.CREATE, CREATED).answeredWithin(BACKUP_TIMEOUT_MS),
      route(HttpMethod.GET, "/backups/", BackupAddresses.LIST, OK));

  /**
   * Authentication, users, API keys and MFA (reference §3.2, §3.3); bearer key required. Roles are
   * checked by the store (admin-only operations answer 403). {@code /users/me...} comes before
   * {@code /users/:user_id...}.
   */
  static final List<ApiRoute> ACCOUNTS = List.of(
      route(HttpMethod.GET, "/auth/me/", StoreAddresses.AUTH_ME, OK),
      route(HttpMethod.POST, "/auth/mfa/setup/", StoreAddresses.AUTH_MFA_SETUP, OK),
      route(HttpMethod.POST, "/auth/mfa/verify/", StoreAddresses.AUTH_MFA_VERIFY, OK, body()),
      route(HttpMethod.POST, "/auth/mfa/disable/", StoreAddresses.AUTH_MFA_DISABLE, OK, body()),
      route(HttpMethod.GET, "/auth/mfa/status/", StoreAddresses.AUTH_MFA_STATUS, OK),
      route(HttpMethod.POST, "/auth/mfa/reset/", StoreAddresses.AUTH_MFA_RESET, OK, RequestPart.loopbackOnly(
          "MFA reset only allowed from localhost.")),

      route(HttpMethod.GET, "/users/me", StoreAddresses.USERS_ME_GET, OK),
      route(HttpMethod.PATCH, "/users/me", StoreAddresses.USERS_ME_UPDATE, OK, body()),
      route(HttpMethod.POST, "/users/me/keys", StoreAddresses.KEYS_CREATE, CREATED, body()),
      route(HttpMethod.GET, "/users/me/keys", StoreAddresses.KEYS_LIST, OK),
      route(HttpMethod.DELETE, "/users/me/keys/:key_id", StoreAddresses.KEYS_REVOKE, NO_CONTENT, keyId()),
      route(HttpMethod.GET, "/users/", StoreAddresses.USERS_LIST, OK, paging()),
      route(HttpMethod.POST, "/users/", StoreAddresses.USERS_CREATE, CREATED, body()),
      route(HttpMethod.GET, "/users/:user_id", StoreAddresses.USERS_GET, OK, userId()),
      route(HttpMethod.PATCH, "/users/:user_id", StoreAddresses.USERS_UPDATE, OK, userId(), body()),
      route(HttpMethod.DELETE, "/users/:user_id", StoreAddresses.USERS_DELETE, NO_CONTENT, userId()),
      route(HttpMethod.POST, "/users/:user_id/keys", StoreAddresses.KEYS_CREATE, CREATED, userId(), body()),
      route(HttpMethod.GET, "/users/:user_id/keys", StoreAddresses.KEYS_LIST, OK, userId()),
      route(HttpMethod.DELETE, "/users/:user_id/keys/:key_id", StoreAddresses.KEYS_REVOKE, NO_CONTENT,
          userId(), keyId()));

  /**
   * Routes without a bearer key: the password login and the MFA login step (which needs the
   * {@code mfa_token} the password step returned). Forwarded without an identity.
   */
  static final List<ApiRoute> PUBLIC = List.of(
      route(HttpMethod.POST, "/auth/token/", StoreAddresses.AUTH_TOKEN, OK, body()),
      route(HttpMethod.POST, "/auth/mfa/login-verify/", StoreAddresses.AUTH_MFA_LOGIN_VERIFY, OK, body()));

  private static RequestPart userId() {
    return integerPath("user_id", "User not found.");
  }

  private static RequestPart keyId() {
    return integerPath("key_id", "API key not found.");
  }

  private static ApiRoute route(HttpMethod method, String path, String address, int successStatus,
      RequestPart... parts) {
    return new ApiRoute(method, path, address, successStatus, List.of(parts));
  }

  private static RequestPart credentialId() {
    return integerPath("credential_id", "Credential not found.");
  }

  private static RequestPart workspaceId() {
    return integerPath("workspace_id", "Workspace not found.");
  }

  private static RequestPart edgeId() {
    return integerPath("edge_id", "Edge not found.");
  }
}
