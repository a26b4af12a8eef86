package io.pipelit.pipelitd.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pipelit.pipelitd.contracts.Identity;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class BearerAuthTest {

  @ParameterizedTest
  @ValueSource(strings = {"Bearer abc", "bearer abc", "BEARER abc", "  Bearer   abc  "})
  void readsTheKeyOfABearerHeader(String header) {
    assertEquals("abc", BearerAuth.bearerKey(header));
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", "Bearer", "Bearer ", "Basic abc", "abc", "Bearerabc", "Token abc"})
  void rejectsEverythingElse(String header) {
    assertNull(BearerAuth.bearerKey(header));
  }

  @Test
  void theAuthenticateReplyBecomesAnIdentity() {
    JsonObject reply = new JsonObject().put("user_id", 12).put("username", "ada").put("role", "admin")
        .put("key_id", 3);

    assertEquals(new Identity(12, Identity.ADMIN), BearerAuth.toIdentity(reply));
  }

  @Test
  void aReplyWithoutUserOrRoleIsAStoreBug() {
    assertThrows(IllegalStateException.class, () -> BearerAuth.toIdentity(new JsonObject().put("role", "admin")));
    assertThrows(IllegalStateException.class, () -> BearerAuth.toIdentity(new JsonObject().put("user_id", 1)));
    assertThrows(IllegalStateException.class, () -> BearerAuth.toIdentity(null));
  }
}
