package io.pipelit.pipelitd.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pipelit.pipelitd.crypto.InvalidTokenException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The published test vectors of github.com/fernet/spec, run unchanged. */
class FernetSpecVectorsTest {

  private static Clock at(long epochSeconds) {
    return Clock.fixed(Instant.ofEpochSecond(epochSeconds), ZoneOffset.UTC);
  }

  @Test
  void theWellKnownGenerateVectorIsTheOneWeTest() {
    SpecVectors.Vector v = SpecVectors.load("generate.json").get(0);
    // Guards against an edited resource file: the vector quoted in every Fernet implementation.
    assertEquals("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=", v.text("secret"));
    assertEquals("gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==",
        v.text("token"));
    assertEquals(499162800L, v.epochSeconds("now"));
  }

  @TestFactory
  Stream<DynamicTest> generate() {
    return SpecVectors.load("generate.json").stream().map(v -> DynamicTest.dynamicTest(v.text("src"), () -> {
      Fernet f = new Fernet(v.text("secret"), at(v.epochSeconds("now")));
      String token = f.encrypt(v.text("src").getBytes(StandardCharsets.UTF_8), v.epochSeconds("now"), v.bytes("iv"));
      assertEquals(v.text("token"), token);
    }));
  }

  @TestFactory
  Stream<DynamicTest> verify() {
    return SpecVectors.load("verify.json").stream().map(v -> DynamicTest.dynamicTest(v.text("src"), () -> {
      Fernet f = new Fernet(v.text("secret"), at(v.epochSeconds("now")));
      byte[] plain = f.decrypt(v.text("token"), Duration.ofSeconds(v.number("ttl_sec")));
      assertArrayEquals(v.text("src").getBytes(StandardCharsets.UTF_8), plain);
      assertEquals(v.text("src"), f.decryptToString(v.text("token")));
    }));
  }

  /** Why each invalid vector must fail: checks that the right check refused it, not just any. */
  private static final Map<String, Reason> EXPECTED = Map.of(
      "incorrect mac", Reason.BAD_HMAC,
      "too short", Reason.MALFORMED,
      "invalid base64", Reason.MALFORMED,
      "payload size not multiple of block size", Reason.MALFORMED,
      "payload padding error", Reason.BAD_PADDING,
      "far-future TS (unacceptable clock skew)", Reason.FUTURE,
      "expired TTL", Reason.EXPIRED,
      "incorrect IV (causes padding error)", Reason.BAD_PADDING);

  @TestFactory
  Stream<DynamicTest> invalid() {
    List<SpecVectors.Vector> vectors = SpecVectors.load("invalid.json");
    assertEquals(EXPECTED.size(), vectors.size(), "every invalid vector has an expected reason");
    return vectors.stream().map(v -> DynamicTest.dynamicTest(v.text("desc"), () -> {
      Fernet f = new Fernet(v.text("secret"), at(v.epochSeconds("now")));
      InvalidTokenException e = assertThrows(InvalidTokenException.class,
          () -> f.decrypt(v.text("token"), Duration.ofSeconds(v.number("ttl_sec"))));
      assertEquals(EXPECTED.get(v.text("desc")), e.reason(), v.text("desc"));
    }));
  }
}
