package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.EventAddresses;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * Publishes change events after commit on {@code pipelit.events.workflow.<slug>} and
 * {@code pipelit.events.all}, with Pipelit's event
 * names. Called from the store's context in commit order.
 */
public final class StoreEvents {
  private final EventBus eventBus;

  public StoreEvents(EventBus eventBus) {
    this.eventBus = eventBus;
  }

  void publish(String workflowSlug, String type, Object data) {
    JsonObject event = new JsonObject().put("type", type).put("workflow_slug", workflowSlug).put("data", data);
    eventBus.publish(EventAddresses.workflow(workflowSlug), event);
    eventBus.publish(EventAddresses.ALL, event); // followers of every workflow (EventAddresses.ALL)
  }
}
