package io.pipelit.pipelitd.bridge.impl;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

/**
 * Splits a TCP byte stream into frames: a 4-byte big-endian length, then that many bytes of UTF-8 JSON
 * (the vertx-tcp-eventbus-bridge wire format). Unlike that library's parser it refuses a frame whose
 * announced length is negative or above the limit before buffering it, so a client cannot make the
 * daemon hold an arbitrarily large buffer. After a refusal it decodes nothing more (the caller closes).
 */
public final class FrameDecoder implements Handler<Buffer> {
  /** Receives the decoded frames and the refusal. */
  public interface Listener {
    void frame(Buffer payload);

    /** The announced length was negative or above the limit; nothing more will be decoded. */
    void oversized(long announcedLength);
  }

  private final long maxFrameBytes;
  private final Listener listener;
  private Buffer pending = Buffer.buffer();
  private int offset;
  private boolean failed;

  public FrameDecoder(long maxFrameBytes, Listener listener) {
    this.maxFrameBytes = maxFrameBytes;
    this.listener = listener;
  }

  @Override
  public void handle(Buffer chunk) {
    if (failed) {
      return;
    }
    append(chunk);
    while (!failed && pending.length() - offset >= 4) {
      int length = pending.getInt(offset);
      if (length < 0 || length > maxFrameBytes) {
        failed = true;
        pending = Buffer.buffer();
        offset = 0;
        listener.oversized(Integer.toUnsignedLong(length)); // a negative int is a length above 2 GiB
        return;
      }
      if (pending.length() - offset - 4 < length) {
        return; // wait for the rest of the frame
      }
      Buffer payload = pending.getBuffer(offset + 4, offset + 4 + length);
      offset += 4 + length;
      listener.frame(payload);
    }
  }

  /** Appends a chunk, dropping the bytes of frames already handed out so the buffer stays one frame long. */
  private void append(Buffer chunk) {
    if (offset == pending.length()) {
      pending = chunk.copy();
      offset = 0;
    } else {
      if (offset > 0) {
        pending = pending.getBuffer(offset, pending.length());
        offset = 0;
      }
      pending.appendBuffer(chunk);
    }
  }
}
