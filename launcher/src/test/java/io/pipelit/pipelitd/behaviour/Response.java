package io.pipelit.pipelitd.behaviour;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** An HTTP answer as a test sees it. */
record Response(int status, String retryAfter, String contentType, String body) {

  JsonObject json() {
    return new JsonObject(body);
  }

  JsonArray array() {
    return new JsonArray(body);
  }

  /** The {@code detail} of an error answer. */
  String detail() {
    return json().getValue("detail").toString();
  }

  @Override
  public String toString() {
    return status + " " + body;
  }
}
