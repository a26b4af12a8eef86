package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.EventAddresses;
import io.pipelit.pipelitd.contracts.EventSequencer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * Publishes change events after commit on {@code pipelit.events.workflow.<slug>} and
 * {@code pipelit.events.all}, with Pipelit's event
 * names, numbered per address ({@link EventSequencer}). Called from the store's context in commit order.
 */
public final class StoreEvents {
  private final EventSequencer sequencer;

  public StoreEvents(EventBus eventBus) {
    this.sequencer = new EventSequencer(eventBus);
  }

  void publish(String workflowSlug, String type, Object data) {
    JsonObject event = new JsonObject().put("type", type).put("workflow_slug", workflowSlug).put("data", data);
    sequencer.publish(EventAddresses.workflow(workflowSlug), event);
    sequencer.publish(EventAddresses.ALL, event); // followers of every workflow, numbered on their own
  }
}
