#!/usr/bin/env python3
"""A client for pipelitd's TCP event-bus bridge, standard library only (Python 3.8+).

The wire format: every frame is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON.
Requests are ``send`` frames with a ``replyAddress``; answers come back as ``message`` frames (success) or
``err`` frames (failure, with ``failureCode`` = pipelitd's ErrorCode) addressed to that reply address.
Every frame carries the API key in ``headers.Authorization``. Followers ``register`` for
``pipelit.events.*`` addresses and then receive ``message`` frames whose body has ``type``, ``data``,
``seq`` and ``origin``; a jump in ``seq`` for one ``origin`` means events were missed (delivery is
at-most-once), and the follower should re-read what it cares about.

Use it as a module::

    from pipelit_bridge import Bridge
    with Bridge(port=7001, key=os.environ["PIPELIT_API_KEY"]) as bridge:
        page = bridge.request("pipelit.store.workflows.list", {"limit": 10})
        bridge.follow("pipelit.events.workflow.my-flow", print)

or from a shell (the key comes from PIPELIT_API_KEY so it does not show in ``ps``)::

    PIPELIT_API_KEY=... scripts/pipelit_bridge.py --port 7001 request pipelit.store.workflows.list '{"limit": 10}'
    PIPELIT_API_KEY=... scripts/pipelit_bridge.py --port 7001 follow pipelit.events.workflow.my-flow --count 5
"""

import argparse
import itertools
import json
import os
import socket
import ssl
import struct
import sys
import threading

__all__ = ["Bridge", "BridgeError"]


class BridgeError(Exception):
    """A refused frame or a failed request.

    ``code`` is pipelitd's numeric ErrorCode (4010 not authenticated, 4030 forbidden, 4040 not found,
    4220 validation failed, 5030 overloaded, 5031 unavailable, ...); ``kind`` is the bridge's refusal
    code (``not_authenticated``, ``access_denied``, ...) or None for a failure reported by a store.
    """

    def __init__(self, code, message, kind=None):
        super().__init__("%s (%s)" % (message, code))
        self.code = code
        self.message = message
        self.kind = kind


class _Pending:
    __slots__ = ("event", "frame")

    def __init__(self):
        self.event = threading.Event()
        self.frame = None


class Bridge:
    """One connection to the bridge; thread-safe, many requests may be in flight at once."""

    def __init__(self, host="127.0.0.1", port=7001, key=None, tls=False, cafile=None, timeout=30.0):
        self.key = key if key is not None else os.environ.get("PIPELIT_API_KEY")
        if not self.key:
            raise ValueError("an API key is needed (key=... or PIPELIT_API_KEY)")
        self.timeout = timeout
        raw = socket.create_connection((host, port), timeout=timeout)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tls:
            context = ssl.create_default_context(cafile=cafile)
            raw = context.wrap_socket(raw, server_hostname=host)
        raw.settimeout(None)  # the reader thread blocks; requests time out on their own events
        self._socket = raw
        self._write_lock = threading.Lock()
        self._pending = {}
        self._followers = {}
        self._ids = itertools.count(1)
        self._closed = threading.Event()
        self.protocol_errors = []  # err frames that answered no request (kept for inspection)
        self._reader = threading.Thread(target=self._read_loop, name="pipelit-bridge-reader", daemon=True)
        self._reader.start()

    # -- public API -----------------------------------------------------------------------------------

    def request(self, address, body=None, timeout=None):
        """Sends a request and waits for its answer (a dict or a list); raises BridgeError on failure."""
        reply_address = "py-%d" % next(self._ids)
        pending = _Pending()
        self._pending[reply_address] = pending
        try:
            self._write({"type": "send", "address": address, "replyAddress": reply_address,
                         "headers": self._headers(), "body": body if body is not None else {}})
            if not pending.event.wait(self.timeout if timeout is None else timeout):
                raise TimeoutError("no answer from %s within %s s" % (address, timeout or self.timeout))
        finally:
            self._pending.pop(reply_address, None)
        return self._answer(pending.frame)

    def send(self, address, body=None):
        """Sends without waiting for the answer (fire and forget: failures are not reported)."""
        self._write({"type": "send", "address": address, "headers": self._headers(),
                     "body": body if body is not None else {}})

    def follow(self, address, handler, on_gap=None):
        """Follows an event address: ``handler(event)`` runs on the reader thread for every event.

        ``on_gap(origin, expected_seq, got_seq)`` is called when events were missed. Returns once the
        bridge has confirmed the registration, so no event after that point is missed by a slow start.
        """
        last_seq = {}

        def deliver(event):
            origin, seq = event.get("origin"), event.get("seq")
            if on_gap is not None and origin in last_seq and seq != last_seq[origin] + 1:
                on_gap(origin, last_seq[origin] + 1, seq)
            last_seq[origin] = seq
            handler(event)

        self._followers[address] = deliver
        try:
            self._control("register", address)
        except BaseException:
            self._followers.pop(address, None)
            raise

    def unfollow(self, address):
        self._control("unregister", address)
        self._followers.pop(address, None)

    def ping(self):
        self._write({"type": "ping"})

    def close(self):
        self._closed.set()
        try:
            self._socket.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- internals ------------------------------------------------------------------------------------

    def _headers(self):
        return {"Authorization": "Bearer " + self.key}

    def _control(self, kind, address):
        reply_address = "py-%d" % next(self._ids)
        pending = _Pending()
        self._pending[reply_address] = pending
        try:
            self._write({"type": kind, "address": address, "replyAddress": reply_address,
                         "headers": self._headers()})
            if not pending.event.wait(self.timeout):
                raise TimeoutError("%s %s: no confirmation within %s s" % (kind, address, self.timeout))
        finally:
            self._pending.pop(reply_address, None)
        return self._answer(pending.frame)

    @staticmethod
    def _answer(frame):
        if frame is None:
            raise BridgeError(5031, "the connection was closed before the answer arrived", "closed")
        if frame.get("type") == "err":
            kind = frame.get("message") if frame.get("failureType") == "REFUSED" else None
            message = frame.get("detail") or frame.get("message") or "refused"
            raise BridgeError(frame.get("failureCode"), message, kind)
        return frame.get("body")

    def _write(self, frame):
        payload = json.dumps(frame, separators=(",", ":")).encode("utf-8")
        with self._write_lock:
            self._socket.sendall(struct.pack(">I", len(payload)) + payload)

    def _read_exactly(self, size):
        chunks = bytearray()
        while len(chunks) < size:
            chunk = self._socket.recv(size - len(chunks))
            if not chunk:
                raise EOFError("the bridge closed the connection")
            chunks.extend(chunk)
        return bytes(chunks)

    def _read_loop(self):
        try:
            while not self._closed.is_set():
                (length,) = struct.unpack(">I", self._read_exactly(4))
                frame = json.loads(self._read_exactly(length).decode("utf-8"))
                address = frame.get("address")
                pending = self._pending.get(address)
                if pending is not None:
                    pending.frame = frame
                    pending.event.set()
                elif frame.get("type") == "message" and address in self._followers:
                    self._followers[address](frame.get("body"))
                elif frame.get("type") == "err":
                    self.protocol_errors.append(frame)
        except (OSError, EOFError, ValueError):
            pass
        finally:
            self._closed.set()
            for pending in list(self._pending.values()):
                pending.event.set()  # frame stays None: "closed before the answer"


def _main(argv):
    parser = argparse.ArgumentParser(description="Talk to pipelitd's TCP event-bus bridge.")
    parser.add_argument("--host", default=os.environ.get("PIPELITD_BRIDGE_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PIPELITD_BRIDGE_PORT", "7001")))
    parser.add_argument("--tls", action="store_true", help="connect with TLS")
    parser.add_argument("--cafile", help="CA certificate(s) to trust for --tls")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for an answer")
    commands = parser.add_subparsers(dest="command", required=True)
    request = commands.add_parser("request", help="send one request and print the answer as JSON")
    request.add_argument("address")
    request.add_argument("body", nargs="?", default="{}", help="the request body, a JSON object")
    follow = commands.add_parser("follow", help="print the events of an address, one JSON line each")
    follow.add_argument("address")
    follow.add_argument("--count", type=int, default=0, help="stop after this many events (0: never)")
    args = parser.parse_args(argv)

    try:
        body = json.loads(args.body) if args.command == "request" else None
    except ValueError as e:
        print("pipelit_bridge: the body is not JSON: %s" % e, file=sys.stderr)
        return 2
    if args.command == "request" and not isinstance(body, dict):
        print("pipelit_bridge: the body must be a JSON object", file=sys.stderr)
        return 2
    try:
        with Bridge(args.host, args.port, tls=args.tls, cafile=args.cafile, timeout=args.timeout) as bridge:
            if args.command == "request":
                print(json.dumps(bridge.request(args.address, body), indent=2))
                return 0
            done = threading.Event()
            seen = itertools.count(1)

            def show(event):
                print(json.dumps(event), flush=True)
                if args.count and next(seen) >= args.count:
                    done.set()

            def gap(origin, expected, got):
                print("pipelit_bridge: missed events %s..%s from %s" % (expected, got - 1, origin),
                      file=sys.stderr, flush=True)

            bridge.follow(args.address, show, on_gap=gap)
            print("pipelit_bridge: following %s" % args.address, file=sys.stderr, flush=True)
            while not done.wait(0.5):
                if bridge._closed.is_set():
                    print("pipelit_bridge: the bridge closed the connection", file=sys.stderr)
                    return 1
            return 0
    except BridgeError as e:
        print("pipelit_bridge: %s" % e, file=sys.stderr)
        return 1
    except (OSError, ValueError, TimeoutError) as e:
        print("pipelit_bridge: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
