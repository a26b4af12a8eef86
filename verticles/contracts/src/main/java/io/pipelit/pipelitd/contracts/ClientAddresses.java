package io.pipelit.pipelitd.contracts;

import java.util.Set;

/**
 * Which event-bus addresses outside clients (the TCP bridge) may use. Requests: the
 * {@code pipelit.store.*} and {@code pipelit.checkpoints.*} service addresses, except the trusted
 * in-process ones (the command line's {@code *.cli.*}, first-admin setup, key rotation batches, the
 * loopback-only MFA reset, and the raw key lookup). Events: {@code pipelit.events.*}.
 *
 * <p>Convention for new trusted addresses: give the name a {@code cli} or {@code internal} segment
 * ({@code pipelit.store.users.cli.create}, {@code pipelit.store.maintenance.prune.cli}); they are then
 * refused here without a change to this class. Or add them to {@link #TRUSTED}.
 */
public final class ClientAddresses {
  private ClientAddresses() {}

  /** Store addresses that only in-process callers may use, whatever their name. */
  static final Set<String> TRUSTED = Set.of(
      StoreAddresses.SETUP_ADMIN,
      StoreAddresses.AUTHENTICATE,
      StoreAddresses.AUTH_INVALIDATED,
      StoreAddresses.AUTH_MFA_RESET,
      StoreAddresses.KEYS_ROTATE_BATCH);

  /** May an outside client send a request to this address (given a valid key)? */
  public static boolean requestAllowed(String address) {
    if (address == null) {
      return false;
    }
    boolean service = address.startsWith(StoreAddresses.PREFIX) || address.startsWith(CheckpointAddresses.PREFIX);
    if (!service || TRUSTED.contains(address)) {
      return false;
    }
    for (String segment : address.split("\\.")) {
      if (segment.equals("cli") || segment.equals("internal")) {
        return false;
      }
    }
    return true;
  }

  /** May an outside client follow (register for) this address? Ownership is checked separately. */
  public static boolean eventsAllowed(String address) {
    return address != null && address.startsWith(EventAddresses.PREFIX);
  }
}
