package io.pipelit.pipelitd.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
}
