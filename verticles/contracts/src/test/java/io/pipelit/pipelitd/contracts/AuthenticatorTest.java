package io.pipelit.pipelitd.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {

  @Test
  void theAuthenticateReplyBecomesAnIdentity() {
    JsonObject reply = new JsonObject().put("user_id", 12).put("username", "ada").put("role", "admin")
        .put("key_id", 3);

    assertEquals(new Identity(12, Identity.ADMIN), Authenticator.identityOf(reply));
  }

  @Test
  void aReplyWithoutUserOrRoleIsAStoreBug() {
    assertThrows(IllegalStateException.class, () -> Authenticator.identityOf(new JsonObject().put("role", "admin")));
    assertThrows(IllegalStateException.class, () -> Authenticator.identityOf(new JsonObject().put("user_id", 1)));
    assertThrows(IllegalStateException.class, () -> Authenticator.identityOf(null));
  }
}
