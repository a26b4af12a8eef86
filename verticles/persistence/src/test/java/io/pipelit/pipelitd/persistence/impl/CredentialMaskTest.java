package io.pipelit.pipelitd.persistence.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Masked secrets never give away more than a quarter of their characters. */
class CredentialMaskTest {

  @Test
  void shortSecretsAreFullyMasked() {
    assertEquals("****", CredentialStore.mask(null));
    assertEquals("****", CredentialStore.mask(""));
    assertEquals("****", CredentialStore.mask("abcd1234")); // Pipelit would show all 8 characters
    assertEquals("****", CredentialStore.mask("Bearer 12"));
    assertEquals("****", CredentialStore.mask("x".repeat(15)));
  }

  @Test
  void longSecretsShowTheirEdgesOnly() {
    assertEquals("abcd****mnop", CredentialStore.mask("abcdefghijklmnop"));
  }
}
