"""A web server on 127.0.0.1 that misbehaves on purpose, at the byte level.

Each path is one fault (see :data:`FAULTS`); raw sockets, not a framework, so that a
connection can be reset before or in the middle of a body, a body trickled a byte at a
time, or a Content-Length promised and not kept. ``/robots.txt`` is a 404 (no rules).
Every request is counted by path, so a test can say how often a fault was asked.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

GOOD_BODY = b"A page that arrived whole.\n" * 20
BOMB_BYTES = 64 * 1024 * 1024
_BOMB: bytes | None = None


def bomb() -> bytes:
    global _BOMB
    if _BOMB is None:
        _BOMB = gzip.compress(b"\0" * BOMB_BYTES, compresslevel=9, mtime=0)
    return _BOMB


Handler = Callable[["FaultServer", socket.socket, int], None]


def _head(status: str, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status}", "Connection: close", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _send(conn: socket.socket, status: str, body: bytes = b"", **headers: str) -> None:
    headers = {
        "Content-Length": str(len(body)),
        **{k.replace("_", "-"): v for k, v in headers.items()},
    }
    conn.sendall(_head(status, headers) + body)


def _reset(conn: socket.socket) -> None:
    # SO_LINGER with a zero timeout: close() sends a RST instead of a FIN.
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def _ok(server: FaultServer, conn: socket.socket, count: int) -> None:
    _send(conn, "200 OK", GOOD_BODY, Content_Type="text/plain")


def _status(code: str, then_ok_after: int | None = None, **headers: str) -> Handler:
    def handle(server: FaultServer, conn: socket.socket, count: int) -> None:
        if then_ok_after is not None and count > then_ok_after:
            _ok(server, conn, count)
        else:
            _send(conn, code, b"busy", **headers)

    return handle


def _retry_after_date(server: FaultServer, conn: socket.socket, count: int) -> None:
    if count > 1:
        return _ok(server, conn, count)
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
    _send(conn, "429 Too Many Requests", b"slow down", Retry_After=when)


def _reset_before(server: FaultServer, conn: socket.socket, count: int) -> None:
    _reset(conn)


def _reset_mid(server: FaultServer, conn: socket.socket, count: int) -> None:
    conn.sendall(_head("200 OK", {"Content-Length": "5000", "Content-Type": "text/plain"}))
    conn.sendall(GOOD_BODY[:100])
    time.sleep(0.05)
    _reset(conn)


def _trickle(server: FaultServer, conn: socket.socket, count: int) -> None:
    conn.sendall(_head("200 OK", {"Content-Length": "100000", "Content-Type": "text/plain"}))
    while not server.stopping.is_set():
        try:
            conn.sendall(b"x")
        except OSError:
            return
        time.sleep(server.trickle_seconds)


def _big_declared(server: FaultServer, conn: socket.socket, count: int) -> None:
    size = server.big_bytes
    conn.sendall(_head("200 OK", {"Content-Length": str(size), "Content-Type": "text/plain"}))
    _stream(server, conn, size)


def _big_chunked(server: FaultServer, conn: socket.socket, count: int) -> None:
    conn.sendall(_head("200 OK", {"Transfer-Encoding": "chunked", "Content-Type": "text/plain"}))
    chunk = b"y" * 65536
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    while not server.stopping.is_set():  # endless: only the client's cap ends it
        try:
            conn.sendall(frame)
        except OSError:
            return


def _stream(server: FaultServer, conn: socket.socket, size: int) -> None:
    chunk = b"z" * 65536
    sent = 0
    while sent < size and not server.stopping.is_set():
        try:
            conn.sendall(chunk[: size - sent])
        except OSError:
            return
        sent += len(chunk)


def _gzip_bomb(server: FaultServer, conn: socket.socket, count: int) -> None:
    body = bomb()
    _send(conn, "200 OK", body, Content_Type="text/plain", Content_Encoding="gzip")


def _redirect(target: str) -> Handler:
    def handle(server: FaultServer, conn: socket.socket, count: int) -> None:
        location = target.replace("{base}", server.base)
        _send(conn, "302 Found", b"", Location=location)

    return handle


def _never_answers(server: FaultServer, conn: socket.socket, count: int) -> None:
    server.stopping.wait(600)


def _not_found(server: FaultServer, conn: socket.socket, count: int) -> None:
    _send(conn, "404 Not Found", b"no rules")


FAULTS: dict[str, Handler] = {
    "/ok": _ok,
    "/500": _status("500 Internal Server Error"),
    "/503": _status("503 Service Unavailable"),
    "/503-once": _status("503 Service Unavailable", then_ok_after=1),
    "/429-small": _status("429 Too Many Requests", then_ok_after=1, Retry_After="1"),
    "/429-huge": _status("429 Too Many Requests", Retry_After="100000"),
    "/429-date": _retry_after_date,
    "/reset-before": _reset_before,
    "/reset-mid": _reset_mid,
    "/trickle": _trickle,
    "/big-declared": _big_declared,
    "/big-chunked": _big_chunked,
    "/gzip-bomb": _gzip_bomb,
    "/loop": _redirect("{base}/loop"),
    "/to-ftp": _redirect("ftp://127.0.0.1/README.md"),
    "/to-file": _redirect("file:///etc/passwd"),
    "/to-javascript": _redirect("javascript:alert(1)"),
    "/to-private": _redirect("http://10.0.0.1/README.md"),
    "/to-metadata": _redirect("http://169.254.169.254/latest/meta-data/"),
    "/to-ok": _redirect("{base}/ok"),
    "/never": _never_answers,
    "/robots.txt": _not_found,
}


class FaultServer:
    """Serves :data:`FAULTS` on 127.0.0.1; ``url(path)`` gives a fault's URL."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.counts: Counter[str] = Counter()
        self.trickle_seconds = 0.2
        self.big_bytes = 64 * 1024 * 1024
        self._lock = threading.Lock()
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.1)
        self.port = self._socket.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._thread.join(timeout=5)
        self._socket.close()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(5)
            request = b""
            while b"\r\n\r\n" not in request and len(request) < 65536:
                piece = conn.recv(4096)
                if not piece:
                    return
                request += piece
            path = request.split(b" ", 2)[1].decode("latin-1").split("?")[0]
            with self._lock:
                self.counts[path] += 1
                count = self.counts[path]
            FAULTS.get(path, _not_found)(self, conn, count)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                conn.close()
