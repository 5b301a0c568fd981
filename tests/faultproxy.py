"""A fault-injecting HTTP/1.1 proxy between boto3 and a real S3 server, for network tests.

It listens on 127.0.0.1 only, runs an asyncio loop in a background thread, and parses just
enough HTTP/1.1 to find where each request and response begins and ends (request line,
headers, Content-Length or chunked bodies, interim 1xx replies, keep-alive). A Fault picks one
request (method, a path substring, the Nth match) and resets, stalls, delays, throttles or
corrupts its request or its response after some bytes of the body, and counts what it did, so
a test can assert that the fault really happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

import pytest

HOST = "127.0.0.1"
LIFETIME = 900.0  # seconds: the proxy shuts itself down after this, even if nobody stops it
THROTTLE_SLICE = 0.05  # seconds between the slices of a throttled body

Action = Literal["reset", "stall", "delay", "throttle", "corrupt"]


class Reset(Exception):
    """Raised inside the proxy to cut both sides of a connection with a TCP reset."""


@dataclass
class Fault:
    """One fault: which request it hits, what it does, and counters of what it did.

    after counts bytes of the chosen message's body as they pass on the wire (chunk framing
    included); None acts before the message's head, so a response fault with after=None
    hits after the server has fully acted on the request but before the client hears of it.
    nth=0 hits every matching request.
    """

    action: Action
    method: str = ""
    path: str = ""
    nth: int = 1
    direction: Literal["request", "response"] = "response"
    after: int | None = 0
    seconds: float = 60.0  # delay length; how long a stall lasts before the proxy gives up
    rate: int = 64 << 10  # bytes per second when throttling
    matched: int = 0
    fired: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def select(self, method: str, target: str) -> bool:
        """Count a request; return whether this fault hits it."""
        if (self.method and method != self.method) or self.path not in target:
            return False
        with self.lock:
            self.matched += 1
            return self.nth in (0, self.matched)


class Tap:
    """Forward one message to a writer, applying a fault (if any) at its offset."""

    def __init__(self, writer: asyncio.StreamWriter, fault: Fault | None):
        self.writer, self.fault, self.offset = writer, fault, 0
        self.throttled = False

    async def head(self, data: bytes) -> None:
        """Forward the message's head (the fault acts first if its offset is None)."""
        if self.fault is not None and self.fault.after is None:
            await self._act()
        await self._write(data)

    async def body(self, data: bytes) -> None:
        """Forward body bytes, acting once the fault's offset falls inside them."""
        fault = self.fault
        if fault is not None and fault.after is not None and not self.throttled:
            cut = fault.after - self.offset
            if 0 <= cut < len(data) or (cut == 0 and not data):
                await self._write(data[:cut])
                self.offset += cut
                data = data[cut:]
                await self._act()
                if fault.action == "corrupt" and data:
                    data = bytes([data[0] ^ 0x01]) + data[1:]
        self.offset += len(data)
        await self._write(data)

    async def _act(self) -> None:
        fault = self.fault
        assert fault is not None
        self.fault = None if fault.action != "throttle" else fault
        with fault.lock:
            fault.fired += 1
        if fault.action == "reset":
            raise Reset()
        if fault.action == "stall":
            await asyncio.sleep(fault.seconds)
            raise Reset()
        if fault.action == "delay":
            await asyncio.sleep(fault.seconds)
        if fault.action == "throttle":
            self.throttled = True

    async def _write(self, data: bytes) -> None:
        if not data:
            return
        if not self.throttled:
            self.writer.write(data)
            await self.writer.drain()
            return
        step = max(1, int(self.fault.rate * THROTTLE_SLICE)) if self.fault else len(data)
        for i in range(0, len(data), step):
            self.writer.write(data[i : i + step])
            await self.writer.drain()
            await asyncio.sleep(THROTTLE_SLICE)


def parse_head(head: bytes) -> tuple[str, dict[str, str]]:
    """Return the start line and the headers (lowercase names) of a message head."""
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return lines[0], headers


async def read_head(reader: asyncio.StreamReader) -> bytes | None:
    """Return the next message head, or None when the peer closed the connection between them."""
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise Reset() from None
        return None


async def relay_body(
    reader: asyncio.StreamReader, tap: Tap, headers: dict[str, str], length: int | None
) -> None:
    """Copy one body: chunked, Content-Length, or (length None) up to the end of the stream."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        while True:
            line = await reader.readuntil(b"\r\n")
            await tap.body(line)
            size = int(line.split(b";")[0].strip(), 16)
            if size == 0:
                while (trailer := await reader.readuntil(b"\r\n")) != b"\r\n":
                    await tap.body(trailer)
                await tap.body(trailer)
                return
            await tap.body(await reader.readexactly(size + 2))
    if length is None:
        while data := await reader.read(1 << 16):
            await tap.body(data)
        return
    left = length
    while left > 0:
        data = await reader.read(min(left, 1 << 16))
        if not data:
            raise Reset()  # the peer went away mid-body
        await tap.body(data)
        left -= len(data)
    await tap.body(b"")


def abort(writer: asyncio.StreamWriter) -> None:
    """Close a connection with a TCP reset (SO_LINGER 0), not a graceful FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class FaultProxy:
    """A proxy from 127.0.0.1:port to an upstream HTTP server, with faults to inject."""

    def __init__(self, upstream_host: str, upstream_port: int):
        self.upstream = (upstream_host, upstream_port)
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str]] = []
        self.port = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: asyncio.Server | None = None
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        """Return the proxy's endpoint URL."""
        return f"http://{HOST}:{self.port}"

    def add(self, fault: Fault) -> Fault:
        """Arm a fault (in the order added; the first that hits a request wins) and return it."""
        with self.lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        """Disarm every fault."""
        with self.lock:
            self.faults.clear()

    def start(self) -> FaultProxy:
        """Listen on a free port in a background thread."""
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, HOST, 0), self.loop
        ).result(10)
        self.port = self.server.sockets[0].getsockname()[1]
        self.loop.call_soon_threadsafe(self.loop.call_later, LIFETIME, self._shutdown)
        return self

    def stop(self) -> None:
        """Close every connection and stop the thread."""
        if self.thread.is_alive():
            self.loop.call_soon_threadsafe(self._shutdown)
            self.thread.join(10)

    def _shutdown(self) -> None:
        if self.server is not None:
            self.server.close()
        for task in asyncio.all_tasks(self.loop):
            task.cancel()
        self.loop.call_later(0.1, self.loop.stop)

    def _pick(self, method: str, target: str, direction: str) -> Fault | None:
        with self.lock:
            faults = [f for f in self.faults if f.direction == direction]
        hit = [f for f in faults if f.select(method, target)]
        return hit[0] if hit else None

    async def _serve(self, creader: asyncio.StreamReader, cwriter: asyncio.StreamWriter) -> None:
        try:
            ureader, uwriter = await asyncio.open_connection(*self.upstream)
        except OSError:
            abort(cwriter)
            return
        methods: asyncio.Queue[tuple[str, Fault | None]] = asyncio.Queue()
        tasks = [
            asyncio.create_task(self._requests(creader, uwriter, methods)),
            asyncio.create_task(self._responses(ureader, cwriter, methods)),
        ]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            failed = any(t.exception() is not None for t in done if not t.cancelled())
        except asyncio.CancelledError:
            failed = True
        for task in tasks:
            task.cancel()
        for writer in (cwriter, uwriter):
            if failed:
                abort(writer)
            else:
                writer.close()

    async def _requests(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        methods: asyncio.Queue[tuple[str, Fault | None]],
    ) -> None:
        while (head := await read_head(reader)) is not None:
            line, headers = parse_head(head)
            method, target = [*line.split(" "), "", ""][:2]
            self.requests.append((method, target))
            await methods.put((method, self._pick(method, target, "response")))
            tap = Tap(writer, self._pick(method, target, "request"))
            await tap.head(head)
            await relay_body(reader, tap, headers, int(headers.get("content-length", 0)))

    async def _responses(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        methods: asyncio.Queue[tuple[str, Fault | None]],
    ) -> None:
        while (head := await read_head(reader)) is not None:
            line, headers = parse_head(head)
            status = int(line.split(" ")[1])
            if 100 <= status < 200:  # an interim reply (100 Continue): the final one follows
                writer.write(head)
                await writer.drain()
                continue
            method, fault = await methods.get()
            tap = Tap(writer, fault)
            await tap.head(head)
            length: int | None = None
            if method == "HEAD" or status in (204, 304):
                length = 0
            elif "content-length" in headers:
                length = int(headers["content-length"])
            await relay_body(reader, tap, headers, length)


@pytest.fixture
def fault_proxy(s3_server) -> Iterator[FaultProxy]:
    """Start a fault proxy in front of the session's SeaweedFS; stop it after the test."""
    host, port = s3_server.endpoint.removeprefix("http://").split(":")
    proxy = FaultProxy(host, int(port)).start()
    try:
        yield proxy
    finally:
        proxy.stop()
