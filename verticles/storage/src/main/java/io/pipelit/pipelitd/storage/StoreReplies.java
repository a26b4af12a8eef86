package io.pipelit.pipelitd.storage;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.contracts.StoreHeaders;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.sql.SQLException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * How every store answers an event-bus request: the operation's result as the reply, or
 * {@code message.fail(ErrorCode, detail)}. A {@link StoreException} keeps its code and detail; a unique
 * or foreign-key violation (races that checks before a write cannot exclude on PostgreSQL, where writes
 * run in parallel) becomes CONFLICT; anything else is logged with the request id and answered INTERNAL,
 * without details.
 */
public final class StoreReplies {
  private StoreReplies() {}

  /**
   * Runs {@code operation} on the request body (it must be a JSON object) and answers.
   *
   * @param dialect the store's database dialect when the answer is sent (null while it is not open: a
   *                store may open its database on first use)
   */
  public static void answer(Logger log, String address, Message<Object> message, Supplier<Dialect> dialect,
      Function<JsonObject, Future<?>> operation) {
    Future<?> result;
    try {
      if (!(message.body() instanceof JsonObject request)) {
        throw new StoreException(ErrorCode.BAD_REQUEST, "The request must be a JSON object.");
      }
      result = operation.apply(request);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onSuccess(message::reply).onFailure(error -> fail(log, address, message, dialect.get(), error));
  }

  /** Answers a failure (see the class comment). */
  public static void fail(Logger log, String address, Message<Object> message, Dialect dialect, Throwable error) {
    if (error instanceof StoreException store) {
      message.fail(store.code().value(), store.detail());
      return;
    }
    if (error instanceof SQLException sql && dialect != null && dialect.isUniqueViolation(sql)) {
      message.fail(ErrorCode.CONFLICT.value(), "A concurrent change took the same name or id; retry the request.");
      return;
    }
    if (error instanceof SQLException sql && dialect != null && dialect.isForeignKeyViolation(sql)) {
      message.fail(ErrorCode.CONFLICT.value(),
          "A concurrent change removed something this request refers to; read it again and retry.");
      return;
    }
    log.error("[req {}] unexpected failure on {}", message.headers().get(StoreHeaders.REQUEST_ID), address, error);
    message.fail(ErrorCode.INTERNAL.value(), "Internal Server Error");
  }
}
