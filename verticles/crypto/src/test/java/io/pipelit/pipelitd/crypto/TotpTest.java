package io.pipelit.pipelitd.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** RFC 6238 appendix B (SHA-1 column) and RFC 4648 base32 vectors. */
class TotpTest {
  private static final byte[] RFC_SEED = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

  @ParameterizedTest(name = "T={0} -> {1}")
  @CsvSource({
      "59, 94287082",
      "1111111109, 07081804",
      "1111111111, 14050471",
      "1234567890, 89005924",
      "2000000000, 69279037",
      "20000000000, 65353130"})
  void rfc6238Sha1Vectors(long unixSeconds, String expected) {
    assertEquals(expected, Totp.code(RFC_SEED, Totp.step(unixSeconds), 8));
    // The 6-digit code is the same truncated value modulo 10^6.
    assertEquals(expected.substring(2), Totp.code(RFC_SEED, Totp.step(unixSeconds), 6));
    assertEquals(expected.substring(2), Totp.codeAt(Totp.base32Encode(RFC_SEED), unixSeconds));
  }

  @Test
  void rfc4226HotpVectors() {
    String[] expected = {"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
        "399871", "520489"};
    for (int counter = 0; counter < expected.length; counter++) {
      assertEquals(expected[counter], Totp.code(RFC_SEED, counter, 6));
    }
  }

  @Test
  void base32MatchesRfc4648() {
    assertEquals("", Totp.base32Encode(new byte[0]));
    assertEquals("MY", Totp.base32Encode("f".getBytes(StandardCharsets.US_ASCII)));
    assertEquals("MZXW6YTBOI", Totp.base32Encode("foobar".getBytes(StandardCharsets.US_ASCII)));
    assertEquals("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", Totp.base32Encode(RFC_SEED));
    assertArrayEquals("foobar".getBytes(StandardCharsets.US_ASCII), Totp.base32Decode("mzxw6ytboi======"));
    assertThrows(IllegalArgumentException.class, () -> Totp.base32Decode("not-base32!"));
  }

  @Test
  void generatedSecretsAre32Base32Characters() {
    String secret = Totp.generateSecret();
    assertEquals(32, secret.length());
    assertEquals(20, Totp.base32Decode(secret).length);
  }

  @Test
  void matchingStepAcceptsOneStepEitherSideAndNothingElse() {
    String secret = Totp.base32Encode(RFC_SEED);
    long now = 1_111_111_111L;
    long step = Totp.step(now);
    assertEquals(step, Totp.matchingStep(secret, Totp.codeAt(secret, now), now, 1));
    assertEquals(step - 1, Totp.matchingStep(secret, Totp.codeAt(secret, now - 30), now, 1));
    assertEquals(step + 1, Totp.matchingStep(secret, Totp.codeAt(secret, now + 30), now, 1));
    assertEquals(-1, Totp.matchingStep(secret, Totp.codeAt(secret, now - 90), now, 1));
    assertEquals(-1, Totp.matchingStep(secret, "12345", now, 1));
    assertEquals(-1, Totp.matchingStep(secret, "12345a", now, 1));
    assertEquals(-1, Totp.matchingStep(secret, null, now, 1));
  }
}
