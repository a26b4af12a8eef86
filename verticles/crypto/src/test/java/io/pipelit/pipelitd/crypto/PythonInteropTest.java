package io.pipelit.pipelitd.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pipelit.pipelitd.crypto.Decryption.Status;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Tokens cross between pipelitd and Python's {@code cryptography.fernet} (what Pipelit and plit's
 * decryptor use) in both directions, with one key and through a rotation. Requires {@code python3}
 * with the {@code cryptography} package: without them the test fails, on purpose, rather than
 * skipping the one check that proves compatibility.
 */
class PythonInteropTest {

  /** Values go over the pipe in hex so that no quoting or encoding can distort them. */
  private static final String SCRIPT = String.join("\n",
      "import os, sys",
      "from cryptography.fernet import Fernet, MultiFernet, InvalidToken",
      "mode = sys.argv[1]",
      "fernets = [Fernet(k) for k in os.environ['FERNET_KEYS'].split(',')]",
      "multi = MultiFernet(fernets)",
      "at = os.environ.get('FERNET_AT')",
      "for line in sys.stdin.read().split('\\n')[:-1]:",
      "    if mode == 'encrypt':",
      "        data = bytes.fromhex(line)",
      "        token = fernets[0].encrypt_at_time(data, int(at)) if at else fernets[0].encrypt(data)",
      "        print(token.decode('ascii'))",
      "    elif mode == 'decrypt':",
      "        try:",
      "            print(multi.decrypt(line).hex(), multi.extract_timestamp(line))",
      "        except InvalidToken:",
      "            print('INVALID')",
      "    elif mode == 'rotate':",
      "        print(multi.rotate(line).decode('ascii'))",
      "");

  private static final List<String> VALUES = List.of(
      "hello",
      "sk-ant-api03-" + "Zx9_-".repeat(20),
      "  ",                       // empty after trim: still a value, still encrypted
      " \t\r\n ",
      "\u00a0",                   // no-break space, also blank to Java's strip()
      "ünïcødé ✓ 日本語 🔑 e\u0301",
      "line1\nline2\n",
      "quotes ' \" and \\ backslash, comma, = equals",
      "nul \u0000 inside",
      "x".repeat(15),
      "x".repeat(16),
      "x".repeat(500),
      "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n");

  private static String hex(String s) {
    return HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Runs the script with one input per line and returns one output per line. */
  private static List<String> python(String mode, String keys, String at, List<String> lines) throws Exception {
    File err = File.createTempFile("python-fernet", ".err");
    try {
      ProcessBuilder pb = new ProcessBuilder("python3", "-c", SCRIPT, mode).redirectError(err);
      pb.environment().put("FERNET_KEYS", keys);
      pb.environment().put("PYTHONIOENCODING", "utf-8");
      if (at != null) {
        pb.environment().put("FERNET_AT", at);
      }
      Process p;
      try {
        p = pb.start();
      } catch (IOException e) {
        return fail("python3 is required for the Fernet cross-check (with `pip install cryptography`) "
            + "and could not be started: " + e.getMessage());
      }
      try (OutputStream in = p.getOutputStream()) {
        for (String line : lines) {
          in.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        }
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("python3 did not finish within 60 s");
      }
      if (p.exitValue() != 0) {
        String stderr = Files.readString(err.toPath());
        fail((stderr.contains("No module named 'cryptography'")
            ? "python3 lacks the 'cryptography' package (pip install cryptography), required for the Fernet cross-check: "
            : "python3 failed (exit " + p.exitValue() + "): ") + stderr);
      }
      List<String> result = out.isEmpty() ? List.of() : List.of(out.split("\n"));
      assertEquals(lines.size(), result.size(), "one answer per input line");
      return result;
    } finally {
      Files.deleteIfExists(err.toPath());
    }
  }

  @Test
  void pythonReadsWhatJavaWrites() throws Exception {
    String key = FieldKeyring.generateKey(); // Python accepting our generated key is part of the check
    FieldKeyring k = FieldKeyring.parse(key);
    List<String> tokens = new ArrayList<>();
    for (String v : VALUES) {
      tokens.add(k.encrypt(v));
    }
    tokens.add(new Fernet(key).encrypt(new byte[0]));
    List<String> out = python("decrypt", key, null, tokens);
    for (int i = 0; i < VALUES.size(); i++) {
      assertEquals(hex(VALUES.get(i)), out.get(i).split(" ")[0], "value " + i);
    }
    assertEquals("", out.get(VALUES.size()).split(" ", -1)[0]);
  }

  @Test
  void javaReadsWhatPythonWrites() throws Exception {
    String key = FieldKeyring.generateKey();
    List<String> input = new ArrayList<>();
    for (String v : VALUES) {
      input.add(hex(v));
    }
    input.add(""); // empty bytes: Fernet encrypts them to a token all the same
    List<String> tokens = python("encrypt", key, null, input);
    FieldKeyring k = FieldKeyring.parse(key);
    Fernet f = new Fernet(key);
    for (int i = 0; i < VALUES.size(); i++) {
      Decryption d = k.decrypt(tokens.get(i));
      assertEquals(Status.OK, d.status());
      assertEquals(VALUES.get(i), d.value(), "value " + i);
      assertEquals(VALUES.get(i), f.decryptToString(tokens.get(i)));
    }
    assertEquals("", k.decrypt(tokens.get(VALUES.size())).value());
    // A Python token under another key is refused here as there.
    assertEquals(Status.UNDECRYPTABLE, FieldKeyring.parse(FieldKeyring.generateKey()).decrypt(tokens.get(0)).status());
  }

  @Test
  void rotationIsInterchangeableWithMultiFernet() throws Exception {
    String oldKey = FieldKeyring.generateKey();
    String newKey = FieldKeyring.generateKey();
    List<String> input = new ArrayList<>();
    for (String v : VALUES) {
      input.add(hex(v));
    }
    // Pipelit's tokens, written long ago with the old key.
    List<String> pipelit = python("encrypt", oldKey, "1000000000", input);

    // pipelitd rotates them; Python with only the new key reads the result, timestamp intact.
    FieldKeyring during = FieldKeyring.parse(newKey + "," + oldKey,
        Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC));
    List<String> rotated = new ArrayList<>();
    for (String t : pipelit) {
      assertTrue(during.needsRotation(t));
      rotated.add(during.rotate(t));
    }
    List<String> out = python("decrypt", newKey, null, rotated);
    for (int i = 0; i < VALUES.size(); i++) {
      assertEquals(hex(VALUES.get(i)) + " 1000000000", out.get(i), "value " + i);
    }
    assertTrue(python("decrypt", oldKey, null, rotated).stream().allMatch("INVALID"::equals));

    // And MultiFernet.rotate output reads here with the new key alone.
    List<String> byPython = python("rotate", newKey + "," + oldKey, null, pipelit);
    FieldKeyring after = FieldKeyring.parse(newKey);
    for (int i = 0; i < VALUES.size(); i++) {
      assertEquals(VALUES.get(i), after.decrypt(byPython.get(i)).value());
      assertEquals(1_000_000_000L, Fernet.timestamp(Base64.getUrlDecoder().decode(byPython.get(i))));
    }
  }
}
