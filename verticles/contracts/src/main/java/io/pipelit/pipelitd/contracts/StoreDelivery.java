package io.pipelit.pipelitd.contracts;

import io.vertx.core.eventbus.DeliveryOptions;

/**
 * Delivery options of the front doors' requests (HTTP API, bridge) to the {@code pipelit.store.*} and
 * {@code pipelit.checkpoints.*} addresses: local only. In a cluster every node answers its own clients
 * with its own stores (all on the same PostgreSQL), so a request never crosses to another node — and never
 * waits for one that has just died, until the cluster notices — and {@code /health} reports this node.
 * Event-bus clients that join the cluster themselves still reach any node's stores.
 */
public final class StoreDelivery {
  private StoreDelivery() {}

  public static DeliveryOptions local(long timeoutMs) {
    return new DeliveryOptions().setLocalOnly(true).setSendTimeout(timeoutMs);
  }

  /** The same, carrying the caller's identity in the {@link StoreHeaders}. */
  public static DeliveryOptions local(Identity identity, long timeoutMs) {
    return identity.toDeliveryOptions().setLocalOnly(true).setSendTimeout(timeoutMs);
  }
}
