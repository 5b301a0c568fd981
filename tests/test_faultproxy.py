"""The fault proxy itself, against a tiny local HTTP/1.1 server: each fault does what it says."""

from __future__ import annotations

import hashlib
import http.client
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.faultproxy import Fault, FaultProxy

DATA = bytes(range(256)) * 64  # 16 KiB a GET answers


class Handler(BaseHTTPRequestHandler):
    """GET answers DATA; PUT answers the SHA-256 of the body it received (plain or chunked)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        """Stay quiet."""

    def do_GET(self) -> None:
        self.answer(DATA)

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(DATA)))
        self.end_headers()

    def do_PUT(self) -> None:
        if self.headers.get("Transfer-Encoding") == "chunked":
            body = b""
            while size := int(self.rfile.readline().split(b";")[0], 16):
                body += self.rfile.read(size)
                self.rfile.readline()
            self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers["Content-Length"]))
        self.answer(hashlib.sha256(body).hexdigest().encode())

    def answer(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(ThreadingHTTPServer):
    """The upstream: a connection the proxy cuts or resets is what the tests ask for."""

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture
def proxy() -> Iterator[FaultProxy]:
    """A proxy in front of a local HTTP server, both stopped after the test."""
    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    p = FaultProxy("127.0.0.1", server.server_address[1]).start()
    try:
        yield p
    finally:
        p.stop()
        server.shutdown()
        server.server_close()


def connect(proxy: FaultProxy, timeout: float = 5.0) -> http.client.HTTPConnection:
    """Return a keep-alive connection to the proxy."""
    return http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=timeout)


def get(conn: http.client.HTTPConnection, path: str = "/data") -> bytes:
    """GET path on a kept-alive connection and return the body."""
    conn.request("GET", path)
    return conn.getresponse().read()


def test_keep_alive_requests_pass_through_unchanged(proxy):
    conn = connect(proxy)
    assert get(conn) == DATA
    conn.request("HEAD", "/data")
    assert conn.getresponse().read() == b""
    conn.request("PUT", "/up", body=b"hello")
    assert conn.getresponse().read() == hashlib.sha256(b"hello").hexdigest().encode()
    conn.request("PUT", "/up", body=iter([b"he", b"llo"]), encode_chunked=True)
    assert conn.getresponse().read() == hashlib.sha256(b"hello").hexdigest().encode()
    assert get(conn) == DATA
    assert [m for m, _ in proxy.requests] == ["GET", "HEAD", "PUT", "PUT", "GET"]


def test_corrupt_flips_one_byte_of_the_nth_matching_response(proxy):
    fault = proxy.add(Fault("corrupt", method="GET", path="/data", nth=2, after=1000))
    conn = connect(proxy)
    assert get(conn) == DATA
    got = get(conn)
    diff = [i for i, (a, b) in enumerate(zip(got, DATA, strict=True)) if a != b]
    assert diff == [1000] and (fault.matched, fault.fired) == (2, 1)
    assert get(conn) == DATA


def test_corrupt_request_body_reaches_the_server_changed(proxy):
    fault = proxy.add(Fault("corrupt", method="PUT", direction="request", after=3))
    conn = connect(proxy)
    conn.request("PUT", "/up", body=b"hello")
    assert conn.getresponse().read() == hashlib.sha256(b"helmo").hexdigest().encode()
    assert fault.fired == 1


def test_reset_before_the_reply_and_mid_body(proxy):
    head = proxy.add(Fault("reset", path="/first", after=None))
    conn = connect(proxy)
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        get(conn, "/first")
    body = proxy.add(Fault("reset", path="/second", after=4096))
    conn = connect(proxy)
    conn.request("GET", "/second")
    resp = conn.getresponse()
    with pytest.raises((ConnectionError, http.client.IncompleteRead)):
        resp.read()
    assert (head.fired, body.fired) == (1, 1)


def test_stall_never_answers_and_delay_and_throttle_slow_down(proxy):
    stall = proxy.add(Fault("stall", path="/stall", direction="request", after=None, seconds=5))
    conn = connect(proxy, timeout=0.5)
    with pytest.raises(TimeoutError):
        get(conn, "/stall")
    assert stall.fired == 1
    proxy.add(Fault("delay", path="/delay", seconds=0.6))
    started = time.monotonic()
    assert get(connect(proxy), "/delay") == DATA
    assert time.monotonic() - started >= 0.6
    proxy.add(Fault("throttle", path="/slow", rate=16 << 10))  # 16 KiB at 16 KiB/s
    started = time.monotonic()
    assert get(connect(proxy), "/slow") == DATA
    assert time.monotonic() - started >= 0.8
