package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.crypto.FieldKeyring;
import io.pipelit.pipelitd.persistence.PersistenceVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A key that opens none of the stored secrets: the store refuses to start, says which check failed and
 * how to fix it, and writes nothing. The old key added after a comma is accepted.
 */
class WrongKeyTest extends BackendSuite {

  /** Deploys a second PersistenceVerticle on the suite's database with {@code key}. */
  static Throwable start(String key) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = new JsonObject().put(ConfigKeys.DATABASE_URL, daemon.databaseUrl)
          .put(ConfigKeys.SQLITE_SYNCHRONOUS, "NORMAL").put(ConfigKeys.FIELD_ENCRYPTION_KEY, key);
      try {
        vertx.deployVerticle(new PersistenceVerticle(), new DeploymentOptions().setConfig(config))
            .await(60, TimeUnit.SECONDS);
        return null;
      } catch (Exception e) {
        return e;
      }
    } finally {
      vertx.close().await(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void aWrongKeyRefusesToStartAndWritesNothingTheRightKeyAfterACommaStarts() throws Exception {
    for (int i = 0; i < 3; i++) {
      Response r = daemon.post("/api/v1/credentials/", new JsonObject().put("name", "k" + i).put("credential_type", "llm")
          .put("detail", new JsonObject().put("api_key", "sk-secret-value-" + i)));
      assertEquals(201, r.status(), r.toString());
    }
    String before = CredentialsApiTest.fingerprint();
    String wrong = FieldKeyring.generateKey();

    Throwable failure = start(wrong);
    assertTrue(failure != null, "the store must refuse a key that opens nothing");
    String message = failure.getMessage();
    assertTrue(message.contains("FIELD_ENCRYPTION_KEY does not decrypt"), message);
    assertTrue(message.contains("llm_credentials.api_key"), message);
    assertTrue(message.contains("after a comma"), message);
    assertFalse(message.contains(wrong) || message.contains(daemon.fieldKey), "no key in the message");
    assertEquals(before, CredentialsApiTest.fingerprint(), "nothing written");

    assertEquals(null, start(wrong + "," + daemon.fieldKey), "the old key after a comma opens the secrets");
    assertEquals(null, start(daemon.fieldKey));

    Throwable malformed = start("not-a-key");
    assertTrue(malformed != null && malformed.getMessage().contains("FIELD_ENCRYPTION_KEY"), String.valueOf(malformed));
    assertFalse(malformed.getMessage().contains("not-a-key"), malformed.getMessage());
    Throwable missing = start("");
    assertTrue(missing != null && missing.getMessage().contains("FIELD_ENCRYPTION_KEY"), String.valueOf(missing));
  }
}
