package io.pipelit.pipelitd.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.config.ConfigException;
import io.pipelit.pipelitd.crypto.Decryption.Status;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FieldKeyringTest {
  private static final String A = FieldKeyring.generateKey();
  private static final String B = FieldKeyring.generateKey();
  private static final String C = FieldKeyring.generateKey();

  private static Clock at(long epochSeconds) {
    return Clock.fixed(Instant.ofEpochSecond(epochSeconds), ZoneOffset.UTC);
  }

  @Test
  void nullAndEmptyStayAsTheyAre() throws Exception {
    FieldKeyring k = FieldKeyring.parse(A);
    assertNull(k.encrypt(null));
    assertEquals("", k.encrypt(""));
    for (String v : new String[] {null, ""}) {
      Decryption d = k.decrypt(v);
      assertEquals(Status.OK, d.status());
      assertEquals(v, d.value());
      assertEquals(-1, d.keyIndex());
      assertFalse(k.isToken(v));
      assertFalse(k.needsRotation(v));
      assertEquals(v, k.rotate(v));
    }
  }

  @Test
  void whitespaceIsAValueAndIsEncrypted() {
    // Pipelit encrypts every truthy string; "  " is truthy in Python.
    FieldKeyring k = FieldKeyring.parse(A);
    String token = k.encrypt("  ");
    assertTrue(k.isToken(token));
    assertEquals("  ", k.decrypt(token).value());
  }

  @Test
  void encryptsWithTheFirstKeyAndDecrypts() {
    FieldKeyring k = FieldKeyring.parse(A + "," + B);
    assertEquals(2, k.size());
    String token = k.encrypt("sk-live-123");
    assertTrue(token.startsWith("gAAAAA"));
    assertNotEquals("sk-live-123", token);
    Decryption d = k.decrypt(token);
    assertTrue(d.isOk());
    assertEquals("sk-live-123", d.value());
    assertEquals(0, d.keyIndex());
    // What Python reads with the first key alone:
    assertEquals("sk-live-123", FieldKeyring.parse(A).decrypt(token).value());
    assertEquals(Status.UNDECRYPTABLE, FieldKeyring.parse(B).decrypt(token).status());
  }

  @Test
  void plaintextFromAnOlderDatabaseIsRecognised() throws Exception {
    FieldKeyring k = FieldKeyring.parse(A);
    for (String plain : List.of("sk-ant-api03-abc", "ghp_0123456789", "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n", "gAAAA", "x")) {
      Decryption d = k.decrypt(plain);
      assertEquals(Status.NOT_A_TOKEN, d.status(), plain);
      assertEquals(plain, d.value());
      assertFalse(k.isToken(plain));
      assertTrue(k.needsRotation(plain));
      String rotated = k.rotate(plain);
      assertTrue(k.isToken(rotated));
      assertEquals(plain, k.decrypt(rotated).value());
      assertEquals(0, k.decrypt(rotated).keyIndex());
      assertFalse(k.needsRotation(rotated));
    }
  }

  @Test
  void aTokenNoKeyOpensIsNeverHandedOutAsTheSecret() {
    FieldKeyring k = FieldKeyring.parse(A + "," + B);
    String foreign = FieldKeyring.parse(C).encrypt("the secret");
    Decryption d = k.decrypt(foreign);
    assertEquals(Status.UNDECRYPTABLE, d.status());
    assertFalse(d.isOk());
    assertEquals(-1, d.keyIndex());
    IllegalStateException e = assertThrows(IllegalStateException.class, d::value);
    assertTrue(e.getMessage().contains("FIELD_ENCRYPTION_KEY"), e.getMessage());
    KeyLeaks.assertNoKeyMaterial(e.getMessage(), foreign);
    assertEquals("Decryption[UNDECRYPTABLE]", d.toString());
    assertTrue(k.isToken(foreign));
    assertFalse(k.needsRotation(foreign));
    InvalidTokenException r = assertThrows(InvalidTokenException.class, () -> k.rotate(foreign));
    assertEquals(InvalidTokenException.Reason.BAD_HMAC, r.reason());
  }

  @Test
  void aDamagedTokenIsNotTakenForPlaintext() {
    FieldKeyring k = FieldKeyring.parse(A);
    String token = k.encrypt("the secret");
    // A column that cut the token short (VARCHAR(n), reference §2.2) or a stray character.
    for (String damaged : List.of(token.substring(0, 60), token.substring(0, token.length() - 5), token + "x", token.substring(0, 50) + "*" + token.substring(51))) {
      assertEquals(Status.UNDECRYPTABLE, k.decrypt(damaged).status(), damaged);
      assertFalse(k.needsRotation(damaged));
      assertThrows(InvalidTokenException.class, () -> k.rotate(damaged));
    }
    // Whitespace around a whole token is harmless (Python skips it too).
    assertEquals("the secret", k.decrypt(token + "\n").value());
  }

  @Test
  void rotationMovesValuesToTheFirstKeyKeepingTheirTimestamp() throws Exception {
    FieldKeyring old = FieldKeyring.parse(A, at(1_000_000_000L));
    List<String> stored = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      stored.add(old.encrypt("secret " + i));
    }
    stored.add("legacy plaintext");

    FieldKeyring during = FieldKeyring.parse(B + ", " + A, at(1_700_000_000L));
    List<String> rotated = new ArrayList<>();
    for (String v : stored) {
      assertTrue(during.needsRotation(v));
      Decryption before = during.decrypt(v);
      assertTrue(before.status() == Status.OK && before.keyIndex() == 1 || before.status() == Status.NOT_A_TOKEN);
      String r = during.rotate(v);
      assertFalse(during.needsRotation(r));
      assertEquals(0, during.decrypt(r).keyIndex());
      // Re-running is a no-op: safe to interrupt and run again.
      assertSame(r, during.rotate(r));
      rotated.add(r);
    }
    // Like MultiFernet.rotate: the original timestamp survives; plaintext gets "now".
    assertEquals(1_000_000_000L, Fernet.timestamp(Base64.getUrlDecoder().decode(rotated.get(0))));
    assertEquals(1_700_000_000L, Fernet.timestamp(Base64.getUrlDecoder().decode(rotated.get(20))));

    FieldKeyring after = FieldKeyring.parse(B);
    for (int i = 0; i < 20; i++) {
      assertEquals("secret " + i, after.decrypt(rotated.get(i)).value());
      assertEquals(Status.UNDECRYPTABLE, after.decrypt(stored.get(i)).status());
    }
    assertEquals("legacy plaintext", after.decrypt(rotated.get(20)).value());
  }

  @Test
  void keysAreTriedInOrder() {
    FieldKeyring k = FieldKeyring.parse(A + "," + B + "," + C);
    assertEquals(2, k.decrypt(FieldKeyring.parse(C).encrypt("c")).keyIndex());
    assertEquals(1, k.decrypt(FieldKeyring.parse(B).encrypt("b")).keyIndex());
    assertEquals("Decryption[OK, key 2]", k.decrypt(FieldKeyring.parse(B).encrypt("b")).toString());
    // The same key twice is harmless.
    assertEquals(0, FieldKeyring.parse(A + "," + A).decrypt(FieldKeyring.parse(A).encrypt("a")).keyIndex());
  }

  @Test
  void malformedSettingsNameTheKeyAndTheItemButNoMaterial() {
    String shortKey = B.substring(0, 43);
    String badChar = C.substring(0, 10) + "$" + C.substring(11);
    Object[][] cases = {
        {null, "is empty"},
        {"", "is empty"},
        {"  ", "is empty"},
        {shortKey, "must be 44 characters"},
        {A + "," + shortKey, "(2nd of 2 comma-separated keys) must be 44 characters"},
        {A + "," + B + "," + badChar, "(3rd of 3 comma-separated keys) is not valid url-safe base64"},
        {badChar + "," + A, "(1st of 2 comma-separated keys) is not valid url-safe base64"},
        {A + ",", "(2nd of 2 comma-separated keys) is empty"},
        {"," + A, "(1st of 2 comma-separated keys) is empty"},
        {A + ",," + B, "(2nd of 3 comma-separated keys) is empty"},
        {A + "," + B.substring(0, 42) + "==", "(2nd of 2 comma-separated keys) must decode to 32 bytes"},
        {A + B, "must be 44 characters"},
    };
    for (Object[] c : cases) {
      String value = (String) c[0];
      ConfigException e = assertThrows(ConfigException.class, () -> FieldKeyring.parse(value), String.valueOf(value));
      assertEquals("FIELD_ENCRYPTION_KEY", e.key());
      assertTrue(e.getMessage().contains("FIELD_ENCRYPTION_KEY"), e.getMessage());
      assertTrue(e.getMessage().contains((String) c[1]), e.getMessage());
      assertNull(e.getCause());
      if (value != null) {
        for (String item : value.split(",")) {
          KeyLeaks.assertNoKeyMaterial(e.getMessage(), item);
        }
      }
    }
  }

  @Test
  void toleratesSpacesAroundKeysAndTheStandardAlphabet() {
    String std = "cw/0x689RpI+jtRR7oE8h/eQsKImvJapLeSbXpwF4e4=";
    FieldKeyring k = FieldKeyring.parse(" " + A + " ,\t" + std + "\n");
    assertEquals(2, k.size());
    assertEquals("hello", k.decrypt(FernetTest.SPEC_TOKEN).value());
    assertEquals(1, k.decrypt(FernetTest.SPEC_TOKEN).keyIndex());
  }

  @Test
  void toStringShowsNoKey() {
    FieldKeyring k = FieldKeyring.parse(A + "," + B);
    assertEquals("FieldKeyring[2 keys]", k.toString());
    assertEquals("FieldKeyring[1 key]", FieldKeyring.parse(A).toString());
  }

  @Test
  void ordinals() {
    int[] n = {1, 2, 3, 4, 10, 11, 12, 13, 21, 22, 23, 101, 111, 112};
    String[] s = {"1st", "2nd", "3rd", "4th", "10th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th", "112th"};
    for (int i = 0; i < n.length; i++) {
      assertEquals(s[i], FieldKeyring.ordinal(n[i]));
    }
  }

  @Test
  void oneKeyringServesManyThreads() throws Exception {
    FieldKeyring old = FieldKeyring.parse(B);
    FieldKeyring k = FieldKeyring.parse(A + "," + B);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Integer>> jobs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int id = t;
        jobs.add(() -> {
          for (int i = 0; i < 300; i++) {
            String s = "t" + id + "-" + i;
            assertEquals(s, k.decrypt(k.encrypt(s)).value());
            String rotated = k.rotate(old.encrypt(s));
            assertEquals(0, k.decrypt(rotated).keyIndex());
            assertEquals(s, k.decrypt(rotated).value());
          }
          return 300;
        });
      }
      int total = 0;
      for (Future<Integer> r : pool.invokeAll(jobs)) {
        total += r.get();
      }
      assertEquals(2400, total);
    } finally {
      pool.shutdown();
      assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
    }
  }
}
