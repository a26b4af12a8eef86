package io.pipelit.pipelitd.contracts;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes change events with their per-address sequence number ({@link EventAddresses#SEQ}) and this
 * process's {@link EventAddresses#ORIGIN}, so that a follower can tell a gap from silence. Publishers call
 * {@link #publish} in commit order; numbers start at 1 for each address in each process.
 */
public final class EventSequencer {
  /** Random per process: a restarted daemon starts a new series, and cluster nodes differ. */
  public static final String ORIGIN = HexFormat.of().formatHex(new SecureRandom().generateSeed(6));

  private final EventBus eventBus;
  /** Next number per address; one entry per address ever published on (workflows, a few fixed ones). */
  private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();

  public EventSequencer(EventBus eventBus) {
    this.eventBus = eventBus;
  }

  /**
   * Publishes {@code event} on {@code address} with the address's next number and the origin. The
   * numbered body is a shallow copy (the same event goes to several addresses, each with its own number):
   * the event bus deep-copies a JsonObject for every local consumer anyway, so a deep copy here would be
   * one more per change on the write path.
   */
  public void publish(String address, JsonObject event) {
    long seq = counters.computeIfAbsent(address, a -> new AtomicLong()).incrementAndGet();
    JsonObject numbered = new JsonObject(new LinkedHashMap<>(event.getMap()));
    eventBus.publish(address, numbered.put(EventAddresses.SEQ, seq).put(EventAddresses.ORIGIN, ORIGIN));
  }
}
