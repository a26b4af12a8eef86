package io.pipelit.pipelitd.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.crypto.InvalidTokenException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class FernetTest {
  static final String SPEC_KEY = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
  static final String SPEC_TOKEN =
      "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==";
  static final long NOW = 1_764_000_000L;

  static Clock at(long epochSeconds) {
    return Clock.fixed(Instant.ofEpochSecond(epochSeconds), ZoneOffset.UTC);
  }

  /**
   * Builds a token from parts with the JCE directly (no code under test), so that tests can sign
   * content the encryptor would never make: another version, bad padding, odd timestamps.
   */
  static String forge(String key, byte version, long timestamp, byte[] paddedPlaintext) throws Exception {
    byte[] raw = Base64.getUrlDecoder().decode(key);
    byte[] iv = new byte[16];
    Arrays.fill(iv, (byte) 7);
    Cipher aes = Cipher.getInstance("AES/CBC/NoPadding");
    aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(raw, 16, 16, "AES"), new IvParameterSpec(iv));
    byte[] ct = aes.doFinal(paddedPlaintext);
    ByteBuffer b = ByteBuffer.allocate(25 + ct.length + 32);
    b.put(version).putLong(timestamp).put(iv).put(ct);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(raw, 0, 16, "HmacSHA256"));
    mac.update(b.array(), 0, b.position());
    b.put(mac.doFinal());
    return Base64.getUrlEncoder().encodeToString(b.array());
  }

  /** "hello" with correct PKCS7 padding. */
  static byte[] helloPadded() {
    byte[] p = Arrays.copyOf("hello".getBytes(StandardCharsets.US_ASCII), 16);
    Arrays.fill(p, 5, 16, (byte) 11);
    return p;
  }

  static Reason reasonOf(Fernet f, String token) {
    return assertThrows(InvalidTokenException.class, () -> f.decrypt(token)).reason();
  }

  @Test
  void roundTripsTextAndBytes() throws Exception {
    Fernet f = new Fernet(Fernet.generateKey());
    for (String s : List.of("x", "hello", "  ", "ünïcødé ✓ 日本語 🔑", "a".repeat(16), "b".repeat(1000), "nul\u0000in")) {
      assertEquals(s, f.decryptToString(f.encrypt(s)));
    }
    // Fernet itself encrypts empty input (one block of padding); only the keyring keeps "" as "".
    assertArrayEquals(new byte[0], f.decrypt(f.encrypt(new byte[0])));
    byte[] all = new byte[256];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }
    assertArrayEquals(all, f.decrypt(f.encrypt(all)));
  }

  @Test
  void tokenLayoutMatchesPythons() throws Exception {
    Fernet f = new Fernet(Fernet.generateKey(), at(NOW));
    String token = f.encrypt("sk-1234");
    assertTrue(token.startsWith("gAAAAA"), token);
    assertTrue(token.matches("[A-Za-z0-9_-]+={0,2}") && token.length() % 4 == 0, "padded url-safe base64");
    byte[] data = Base64.getUrlDecoder().decode(token);
    assertEquals((byte) 0x80, data[0]);
    assertEquals(NOW, Fernet.timestamp(data));
    // Lengths measured on Python (reference §2.2): 7 chars → 100, 51 → 164, 500 → 760.
    assertEquals(100, token.length());
    assertEquals(164, f.encrypt("x".repeat(51)).length());
    assertEquals(760, f.encrypt("x".repeat(500)).length());
  }

  @Test
  void everyTokenHasAFreshIv() {
    Fernet f = new Fernet(Fernet.generateKey(), at(NOW));
    Set<String> tokens = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      tokens.add(f.encrypt("same"));
    }
    assertEquals(100, tokens.size());
  }

  @Test
  void acceptsTokensWithOrWithoutPaddingAndSurroundingWhitespace() throws Exception {
    Fernet f = new Fernet(SPEC_KEY);
    assertEquals("hello", f.decryptToString(SPEC_TOKEN));
    assertEquals("hello", f.decryptToString(SPEC_TOKEN.replace("=", "")));
    assertEquals("hello", f.decryptToString(" " + SPEC_TOKEN + "\r\n"));
    assertTrue(Fernet.isToken(SPEC_TOKEN.replace("=", "")));
  }

  @Test
  void refusesJunkInsideATokenEvenWherePythonSkipsIt() {
    Fernet f = new Fernet(SPEC_KEY);
    assertEquals(Reason.MALFORMED, reasonOf(f, SPEC_TOKEN.replace('_', '/')));
    assertEquals(Reason.MALFORMED, reasonOf(f, SPEC_TOKEN.substring(0, 10) + " " + SPEC_TOKEN.substring(10)));
    assertEquals(Reason.MALFORMED, reasonOf(f, SPEC_TOKEN + "="));
    assertEquals(Reason.MALFORMED, reasonOf(f, SPEC_TOKEN.substring(0, 99)));
    assertEquals(Reason.MALFORMED, reasonOf(f, ""));
    assertThrows(NullPointerException.class, () -> f.decrypt(null));
  }

  @Test
  void refusesAnotherVersion() throws Exception {
    String token = forge(SPEC_KEY, (byte) 0x81, NOW, helloPadded());
    assertEquals(Reason.BAD_VERSION, reasonOf(new Fernet(SPEC_KEY), token));
    assertFalse(Fernet.isToken(token));
    // Control: the same forge with the right version opens.
    assertEquals("hello", new Fernet(SPEC_KEY).decryptToString(forge(SPEC_KEY, (byte) 0x80, NOW, helloPadded())));
  }

  @Test
  void refusesAnyAlteredByte() {
    Fernet f = new Fernet(SPEC_KEY);
    byte[] data = Base64.getUrlDecoder().decode(SPEC_TOKEN);
    for (int i = 1; i < data.length; i++) {
      byte[] altered = data.clone();
      altered[i] ^= 0x01;
      // Byte 0 is the version (checked first); all others are covered by the HMAC.
      assertEquals(Reason.BAD_HMAC, reasonOf(f, Base64.getUrlEncoder().encodeToString(altered)), "byte " + i);
    }
  }

  @Test
  void refusesEveryTruncation() {
    Fernet f = new Fernet(SPEC_KEY);
    byte[] data = Base64.getUrlDecoder().decode(SPEC_TOKEN);
    for (int n = 0; n < data.length; n++) {
      String cut = Base64.getUrlEncoder().encodeToString(Arrays.copyOf(data, n));
      Reason r = reasonOf(f, cut);
      assertTrue(r == Reason.MALFORMED || r == Reason.BAD_HMAC, n + " bytes: " + r);
    }
    // Cutting a whole block off a longer token keeps a well-formed shape: the HMAC catches it.
    byte[] longer = Base64.getUrlDecoder().decode(f.encrypt("x".repeat(40)));
    String minusBlock = Base64.getUrlEncoder().encodeToString(Arrays.copyOf(longer, longer.length - 16));
    assertTrue(Fernet.isToken(minusBlock));
    assertEquals(Reason.BAD_HMAC, reasonOf(f, minusBlock));
  }

  @Test
  void refusesBadPaddingUnderAValidHmac() throws Exception {
    Fernet f = new Fernet(SPEC_KEY);
    byte[] zeroPad = helloPadded();
    Arrays.fill(zeroPad, 5, 16, (byte) 0);
    assertEquals(Reason.BAD_PADDING, reasonOf(f, forge(SPEC_KEY, (byte) 0x80, NOW, zeroPad)));
    byte[] tooLong = helloPadded();
    Arrays.fill(tooLong, 5, 16, (byte) 17);
    assertEquals(Reason.BAD_PADDING, reasonOf(f, forge(SPEC_KEY, (byte) 0x80, NOW, tooLong)));
    byte[] inconsistent = helloPadded();
    inconsistent[10] = 10;
    assertEquals(Reason.BAD_PADDING, reasonOf(f, forge(SPEC_KEY, (byte) 0x80, NOW, inconsistent)));
    byte[] fullBlock = new byte[32];
    Arrays.fill(fullBlock, 16, 32, (byte) 16);
    assertArrayEquals(new byte[16], f.decrypt(forge(SPEC_KEY, (byte) 0x80, NOW, fullBlock)));
  }

  @Test
  void refusesAnotherKey() {
    String token = new Fernet(Fernet.generateKey()).encrypt("secret");
    assertEquals(Reason.BAD_HMAC, reasonOf(new Fernet(Fernet.generateKey()), token));
  }

  @Test
  void timeToLiveFollowsPythonsRules() throws Exception {
    String token = new Fernet(SPEC_KEY, at(NOW)).encrypt("v");
    Duration ttl = Duration.ofSeconds(60);
    assertEquals("v", new String(new Fernet(SPEC_KEY, at(NOW + 60)).decrypt(token, ttl), StandardCharsets.UTF_8));
    Fernet late = new Fernet(SPEC_KEY, at(NOW + 61));
    assertEquals(Reason.EXPIRED, assertThrows(InvalidTokenException.class, () -> late.decrypt(token, ttl)).reason());
    // No TTL: Pipelit's way, tokens never expire.
    assertEquals("v", new Fernet(SPEC_KEY, at(NOW + 100_000_000)).decryptToString(token));

    Fernet early = new Fernet(SPEC_KEY, at(NOW - 61));
    assertEquals(Reason.FUTURE, assertThrows(InvalidTokenException.class, () -> early.decrypt(token, ttl)).reason());
    assertEquals("v", new String(new Fernet(SPEC_KEY, at(NOW - 60)).decrypt(token, ttl), StandardCharsets.UTF_8));
    // Clock skew is checked only with a TTL, as in Python.
    assertEquals("v", early.decryptToString(token));
  }

  @Test
  void timestampIsUnsigned() throws Exception {
    Fernet f = new Fernet(SPEC_KEY, at(NOW));
    String farFuture = forge(SPEC_KEY, (byte) 0x80, 0x8000_0000_0000_0000L, helloPadded());
    assertEquals(Reason.FUTURE,
        assertThrows(InvalidTokenException.class, () -> f.decrypt(farFuture, Duration.ofDays(3650))).reason());
    assertEquals("hello", f.decryptToString(farFuture));
    String zero = forge(SPEC_KEY, (byte) 0x80, 0, helloPadded());
    assertEquals(Reason.EXPIRED, assertThrows(InvalidTokenException.class, () -> f.decrypt(zero, Duration.ofDays(1))).reason());
  }

  @Test
  void textMustBeUtf8BothWays() throws Exception {
    Fernet f = new Fernet(SPEC_KEY);
    String notText = f.encrypt(new byte[] {(byte) 0xff, (byte) 0xfe});
    assertEquals(Reason.NOT_UTF8, assertThrows(InvalidTokenException.class, () -> f.decryptToString(notText)).reason());
    assertThrows(IllegalArgumentException.class, () -> f.encrypt("lone \ud800 surrogate"));
  }

  @Test
  void generatedKeysArePythonShaped() {
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      String k = Fernet.generateKey();
      assertEquals(44, k.length());
      assertTrue(k.matches("[A-Za-z0-9_-]{43}="), k);
      assertEquals(32, Base64.getUrlDecoder().decode(k).length);
      keys.add(k);
    }
    assertEquals(50, keys.size());
  }

  @Test
  void acceptsKeysPythonAccepts() throws Exception {
    // Standard alphabet (e.g. `openssl rand -base64 32`) and surrounding whitespace: Python takes both.
    String std = SPEC_KEY.replace('_', '/').replace('-', '+');
    assertEquals("hello", new Fernet(std).decryptToString(SPEC_TOKEN));
    assertEquals("hello", new Fernet(" " + SPEC_KEY + "\n").decryptToString(SPEC_TOKEN));
    assertNull(Fernet.keyProblem(SPEC_KEY));
  }

  @Test
  void malformedKeysAreRefusedWithoutShowingThem() {
    String good = Fernet.generateKey();
    List<String> bad = new ArrayList<>(List.of(
        good.substring(0, 43),                       // padding dropped (Python refuses it too)
        good + "A",                                  // too long
        good.substring(0, 20) + "!" + good.substring(21), // a character outside base64
        good.substring(0, 42) + "==",               // 44 chars, but 31 bytes
        Base64.getUrlEncoder().encodeToString(new byte[16]), // a 16-byte key
        "",
        "   "));
    for (String key : bad) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Fernet(key));
      assertTrue(e.getMessage().startsWith("Fernet key "), e.getMessage());
      assertNull(e.getCause());
      KeyLeaks.assertNoKeyMaterial(e.getMessage(), key);
    }
    assertThrows(IllegalArgumentException.class, () -> new Fernet(null));
  }

  @Test
  void messagesAndToStringCarryNoSecrets() {
    String key = Fernet.generateKey();
    Fernet f = new Fernet(key);
    KeyLeaks.assertNoKeyMaterial(f.toString(), key);
    String token = f.encrypt("secret");
    InvalidTokenException e = assertThrows(InvalidTokenException.class, () -> new Fernet(Fernet.generateKey()).decrypt(token));
    KeyLeaks.assertNoKeyMaterial(e.getMessage(), token);
    assertNull(e.getCause());
  }

  @Test
  void oneInstanceServesManyThreads() throws Exception {
    Fernet f = new Fernet(Fernet.generateKey());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Integer>> jobs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int id = t;
        jobs.add(() -> {
          for (int i = 0; i < 500; i++) {
            String s = "thread " + id + " value " + i + " ✓".repeat(i % 7);
            assertEquals(s, f.decryptToString(f.encrypt(s)));
          }
          return 500;
        });
      }
      int total = 0;
      for (Future<Integer> r : pool.invokeAll(jobs)) {
        total += r.get();
      }
      assertEquals(4000, total);
    } finally {
      pool.shutdown();
      assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
    }
  }

  @Test
  void aDifferentKeyGivesADifferentToken() {
    byte[] iv = new byte[16];
    String a = new Fernet(SPEC_KEY).encrypt("x".getBytes(StandardCharsets.UTF_8), NOW, iv);
    String b = new Fernet(Fernet.generateKey()).encrypt("x".getBytes(StandardCharsets.UTF_8), NOW, iv);
    assertNotEquals(a, b);
  }
}
