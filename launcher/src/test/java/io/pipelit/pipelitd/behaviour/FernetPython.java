package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Decrypts tokens with Python's {@code cryptography.fernet} (what Pipelit uses). Requires
 * {@code python3} with {@code cryptography}: without them the calling test fails, never skips.
 */
final class FernetPython {
  private FernetPython() {}

  private static final String SCRIPT = String.join("\n",
      "import os, sys",
      "from cryptography.fernet import MultiFernet, Fernet",
      "multi = MultiFernet([Fernet(k) for k in os.environ['FERNET_KEYS'].split(',')])",
      "for line in sys.stdin.read().split('\\n')[:-1]:",
      "    print(multi.decrypt(line.encode('ascii')).hex())",
      "");

  /** The plaintexts of {@code tokens}, decrypted by Python with {@code keys} (comma-separated). */
  static List<String> decrypt(String keys, List<String> tokens) throws Exception {
    File err = File.createTempFile("python-fernet", ".err");
    try {
      ProcessBuilder pb = new ProcessBuilder("python3", "-c", SCRIPT).redirectError(err);
      pb.environment().put("FERNET_KEYS", keys);
      Process process;
      try {
        process = pb.start();
      } catch (java.io.IOException e) {
        fail("python3 is required for the Fernet compatibility check: " + e.getMessage());
        return null;
      }
      try (OutputStream in = process.getOutputStream()) {
        in.write((String.join("\n", tokens) + "\n").getBytes(StandardCharsets.US_ASCII));
      }
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("python3 did not finish");
      }
      assertEquals(0, process.exitValue(), "python3 failed (is the cryptography package installed?): "
          + Files.readString(err.toPath()));
      return out.lines().map(hex -> new String(HexFormat.of().parseHex(hex), StandardCharsets.UTF_8)).toList();
    } finally {
      err.delete();
    }
  }
}
