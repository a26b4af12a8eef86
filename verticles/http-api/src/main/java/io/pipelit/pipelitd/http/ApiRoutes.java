package io.pipelit.pipelitd.http;

import static io.pipelit.pipelitd.http.RequestPart.body;
import static io.pipelit.pipelitd.http.RequestPart.integerPath;
import static io.pipelit.pipelitd.http.RequestPart.optionalQuery;
import static io.pipelit.pipelitd.http.RequestPart.paging;
import static io.pipelit.pipelitd.http.RequestPart.path;

import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.vertx.core.http.HttpMethod;
import java.util.List;

/**
 * The route table of the REST API (reference spec §3.4 to §3.7). Every route here requires a bearer
 * key; {@code GET /health} is handled separately.
 *
 * <p>Order matters where a literal segment and a parameter share a position: the router tries routes
 * in this order, so {@code batch-delete} is declared before {@code :slug} and {@code :execution_id}.
 */
final class ApiRoutes {
  private ApiRoutes() {}

  private static final int OK = 200;
  private static final int CREATED = 201;
  private static final int NO_CONTENT = 204;

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
      route(HttpMethod.PATCH, "/executions/:execution_id/", StoreAddresses.EXECUTIONS_UPDATE, OK,
          path("execution_id"), body()),
      route(HttpMethod.POST, "/executions/:execution_id/cancel/", StoreAddresses.EXECUTIONS_CANCEL, OK,
          path("execution_id")),
      route(HttpMethod.POST, "/executions/:execution_id/logs/", StoreAddresses.EXECUTIONS_APPEND_LOG, CREATED,
          path("execution_id"), body()));

  private static ApiRoute route(HttpMethod method, String path, String address, int successStatus,
      RequestPart... parts) {
    return new ApiRoute(method, path, address, successStatus, List.of(parts));
  }

  private static RequestPart edgeId() {
    return integerPath("edge_id", "Edge not found.");
  }
}
