package io.pipelit.pipelitd.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A deliberately plain HTTP/1.1 client: one connection per request ({@code Connection: close}), so that
 * every outcome is unambiguous. A refused connection means the request was never sent; a connection that
 * ends before a status line arrives means a request was sent and left unanswered — what the drain test
 * counts.
 */
final class RawHttp {
  private RawHttp() {}

  /** What became of one request. */
  enum Outcome { ANSWERED, REFUSED, UNANSWERED }

  record Result(Outcome outcome, int status, String body, String error) {}

  static Result send(String host, int port, String method, String path, String key, String body) {
    byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    Socket socket = new Socket();
    try {
      try {
        socket.connect(new InetSocketAddress(host, port), 5_000);
      } catch (ConnectException refused) {
        return new Result(Outcome.REFUSED, 0, null, refused.getMessage());
      }
      socket.setSoTimeout(60_000);
      StringBuilder head = new StringBuilder()
          .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
          .append("Host: ").append(host).append(':').append(port).append("\r\n")
          .append("Connection: close\r\n");
      if (key != null) {
        head.append("Authorization: Bearer ").append(key).append("\r\n");
      }
      if (body != null) {
        head.append("Content-Type: application/json\r\n");
      }
      head.append("Content-Length: ").append(payload.length).append("\r\n\r\n");
      OutputStream out = socket.getOutputStream();
      try {
        out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(payload);
        out.flush();
      } catch (IOException notSent) {
        // The connection was accepted by the kernel but closed before our request went out.
        return new Result(Outcome.UNANSWERED, 0, null, "while sending: " + notSent);
      }
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      try {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          received.write(buffer, 0, n);
        }
      } catch (IOException cut) {
        if (!hasStatusLine(received)) {
          return new Result(Outcome.UNANSWERED, 0, null, "while reading: " + cut);
        }
      }
      if (!hasStatusLine(received)) {
        return new Result(Outcome.UNANSWERED, 0, null, "connection closed without an answer");
      }
      String text = received.toString(StandardCharsets.UTF_8);
      int status = Integer.parseInt(text.substring(9, 12));
      int bodyStart = text.indexOf("\r\n\r\n");
      return new Result(Outcome.ANSWERED, status, bodyStart < 0 ? "" : text.substring(bodyStart + 4), null);
    } catch (IOException e) {
      return new Result(Outcome.UNANSWERED, 0, null, e.toString());
    } finally {
      try {
        socket.close();
      } catch (IOException ignored) {
        // nothing to do: the outcome is already known
      }
    }
  }

  private static boolean hasStatusLine(ByteArrayOutputStream received) {
    String text = received.toString(StandardCharsets.US_ASCII);
    return text.startsWith("HTTP/1.1 ") && text.length() >= 12 && text.contains("\r\n");
  }
}
