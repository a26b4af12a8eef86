package io.pipelit.pipelitd.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.StoreException;
import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The pool's fail-fast circuit, with a fake opener instead of a server. */
class PostgresPoolTest {

  /** A Connection that is open until close() is called; nothing else is supported. */
  private static Connection fakeConnection() {
    AtomicBoolean closed = new AtomicBoolean();
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "isClosed" -> closed.get();
          case "close" -> {
            closed.set(true);
            yield null;
          }
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          case "toString" -> "fake connection";
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  private static SQLException refused() {
    return new SQLException("Connection to db:5432 refused.", "08001", new ConnectException("Connection refused"));
  }

  @Test
  void afterAFailedConnectRequestsFailAtOnceUntilThePauseIsOver() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    AtomicBoolean serverUp = new AtomicBoolean(false);
    PostgresPool pool = new PostgresPool(2, () -> {
      attempts.incrementAndGet();
      if (!serverUp.get()) {
        throw refused();
      }
      return fakeConnection();
    }, null, "PostgreSQL u@db:5432/x", "secret-password");
    PostgresPool.Slot slot = pool.borrow(1_000);

    StoreException first = assertThrows(StoreException.class, () -> pool.connection(slot));
    assertEquals(ErrorCode.UNAVAILABLE, first.code());
    assertEquals("The database is unavailable: Connection refused; retry shortly.", first.detail());
    assertEquals(1, attempts.get());

    serverUp.set(true);
    StoreException fast = assertThrows(StoreException.class, () -> pool.connection(slot));
    assertEquals(first.detail(), fast.detail());
    assertEquals(1, attempts.get(), "no connection attempt during the pause");

    Thread.sleep(PostgresPool.RECONNECT_PAUSE_MS + 100);
    Connection connection = pool.connection(slot);
    assertEquals(2, attempts.get());
    assertSame(connection, pool.connection(slot), "an open connection is kept");
    assertTrue(StatementCache.of(connection) != null, "a statement cache per connection");

    connection.close();
    Connection replaced = pool.connection(slot);
    assertFalse(replaced.isClosed());
    assertTrue(StatementCache.of(connection) == null, "the closed connection's cache is gone");
    pool.release(slot);
    pool.close(1_000);
    assertTrue(replaced.isClosed());
  }

  @Test
  void onlyOneRequestAtATimeProbesADownServer() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    CountDownLatch probing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    PostgresPool pool = new PostgresPool(2, () -> {
      if (attempts.incrementAndGet() == 1) {
        throw refused();
      }
      probing.countDown();
      try {
        release.await(10, TimeUnit.SECONDS); // a connect that hangs until its timeout
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw refused();
    }, null, "PostgreSQL u@db:5432/x", null);
    PostgresPool.Slot a = pool.borrow(1_000);
    PostgresPool.Slot b = pool.borrow(1_000);
    assertThrows(StoreException.class, () -> pool.connection(a));
    Thread.sleep(PostgresPool.RECONNECT_PAUSE_MS + 100);

    CompletableFuture<Void> probe = CompletableFuture.runAsync(() -> assertThrows(StoreException.class,
        () -> pool.connection(a)));
    assertTrue(probing.await(10, TimeUnit.SECONDS));
    assertThrows(StoreException.class, () -> pool.connection(b), "fails at once while another request probes");
    assertEquals(2, attempts.get());
    release.countDown();
    probe.get(10, TimeUnit.SECONDS);
  }

  @Test
  void borrowFailsWithUnavailableOnceClosed() throws Exception {
    PostgresPool pool = new PostgresPool(1, PostgresPoolTest::fakeConnection, null, "PostgreSQL db", null);
    pool.close(0);
    StoreException e = assertThrows(StoreException.class, () -> pool.borrow(1_000));
    assertEquals(ErrorCode.UNAVAILABLE, e.code());
  }
}
