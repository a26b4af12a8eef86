package io.pipelit.pipelitd.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ApiKeyDigestTest {
  @Test
  void theDigestIsTheStoredFormOfAKey() {
    // SHA-256 of "abc", hex (FIPS 180-2 test vector)
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKeyDigest.of("abc"));
  }
}
