package io.pipelit.pipelitd.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the persistence verticle: event-bus consumers on {@code pipelit.store.*} addresses
 * that record each request (body and headers) and answer with canned JSON or a chosen failure.
 */
final class FakeStore implements AutoCloseable {
  static final String GOOD_KEY = "pk-test-0123456789abcdef";
  static final String INVALID_KEY_DETAIL = "Invalid or missing API key.";

  /** One request the store received. */
  record Call(Object body, MultiMap headers) {
    JsonObject json() {
      return (JsonObject) body;
    }
  }

  private final Vertx vertx;
  private final List<MessageConsumer<Object>> consumers = new ArrayList<>();
  private final Map<String, List<Call>> calls = new ConcurrentHashMap<>();

  FakeStore(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Accepts {@link #GOOD_KEY} as the given user; every other key gets UNAUTHENTICATED. */
  FakeStore user(long userId, String role) {
    JsonObject identity = new JsonObject().put("user_id", userId).put("username", "u" + userId)
        .put("role", role).put("key_id", 99);
    return on(StoreAddresses.AUTHENTICATE, msg -> {
      if (GOOD_KEY.equals(((JsonObject) msg.body()).getString("key"))) {
        msg.reply(identity);
      } else {
        msg.fail(ErrorCode.UNAUTHENTICATED.value(), INVALID_KEY_DETAIL);
      }
    });
  }

  FakeStore reply(String address, Object body) {
    return on(address, msg -> msg.reply(body));
  }

  FakeStore fail(String address, int failureCode, String detail) {
    return on(address, msg -> msg.fail(failureCode, detail));
  }

  FakeStore fail(String address, ErrorCode code, String detail) {
    return fail(address, code.value(), detail);
  }

  /** Records and never answers, so the caller's timeout fires. */
  FakeStore silent(String address) {
    return on(address, msg -> { });
  }

  FakeStore on(String address, Handler<Message<Object>> behaviour) {
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(address, msg -> {
      calls.computeIfAbsent(address, a -> new CopyOnWriteArrayList<>()).add(new Call(msg.body(), msg.headers()));
      behaviour.handle(msg);
    });
    consumer.completion().await();
    consumers.add(consumer);
    return this;
  }

  List<Call> calls(String address) {
    return calls.getOrDefault(address, List.of());
  }

  Call onlyCall(String address) {
    List<Call> received = calls(address);
    assertEquals(1, received.size(), "requests received on " + address);
    return received.get(0);
  }

  @Override
  public void close() {
    for (MessageConsumer<Object> consumer : consumers) {
      consumer.unregister().await();
    }
    consumers.clear();
    calls.clear();
  }
}
