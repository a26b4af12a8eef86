package io.pipelit.pipelitd.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What outside clients (the TCP bridge) may reach: every trusted store address is refused, by name. */
class ClientAddressesTest {

  @Test
  void everyTrustedStoreAddressIsRefusedAndEveryOtherOneAllowed() throws Exception {
    Set<String> trustedByDesign = Set.of("SETUP_ADMIN", "AUTHENTICATE", "AUTH_INVALIDATED", "AUTH_MFA_RESET",
        "KEYS_ROTATE_BATCH");
    int trusted = 0;
    for (Field field : StoreAddresses.class.getFields()) {
      if (!Modifier.isStatic(field.getModifiers()) || field.getType() != String.class || field.getName().equals("PREFIX")) {
        continue;
      }
      String address = (String) field.get(null);
      // The constants of the command line's in-process requests are named *_CLI_* / *_CLI.
      boolean inProcess = field.getName().contains("CLI") || trustedByDesign.contains(field.getName());
      if (inProcess) {
        trusted++;
      }
      assertEquals(!inProcess, ClientAddresses.requestAllowed(address), field.getName() + " = " + address);
    }
    assertTrue(trusted >= 10, "the trusted addresses were found: " + trusted);
  }

  @Test
  void onlyServiceAddressesAndEventAddressesAreReachable() {
    assertTrue(ClientAddresses.requestAllowed(CheckpointAddresses.PUT));
    assertFalse(ClientAddresses.requestAllowed("vertx.something"));
    assertFalse(ClientAddresses.requestAllowed(EventAddresses.ALL));
    assertFalse(ClientAddresses.requestAllowed("pipelit.store.anything.internal.reset"));
    assertFalse(ClientAddresses.requestAllowed(null));
    assertTrue(ClientAddresses.eventsAllowed(EventAddresses.workflow("x")));
    assertFalse(ClientAddresses.eventsAllowed(StoreAddresses.WORKFLOWS_LIST));
  }
}
