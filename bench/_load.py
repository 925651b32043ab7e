"""A small HTTP load generator for benchmarks on loopback: fixed-rate (open loop) and saturation runs.

Fixed rate: request *i* is due at ``start + i / rate``; its latency counts from when it was due, not
from when a connection became free, so a slow server cannot hide its queue (no coordinated omission).
Saturation: ``concurrency`` connections send back to back for ``seconds``; the completed requests per
second are the server's throughput. HTTP/1.1 keep-alive over raw asyncio streams: no dependency, and
cheap enough that one Python process drives a few thousand requests per second.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Request = tuple[str, str, bytes, dict[str, str]]  # method, path, body, headers
# Told of each answered request of a fixed-rate run: its number, status, body and latency (ms from when it was due).
OnResponse = Callable[[int, int, bytes, float], None]


@dataclass
class LoadResult:
    label: str
    sent: int = 0
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, pct: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
        return ordered[index]

    @property
    def median(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")


class _Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.body = b""  # the last response's body

    async def request(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> int:
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        assert self.reader is not None
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        length, chunked, close = 0, False, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
            elif name == "connection" and value == "close":
                close = True
        self.body = b""
        if chunked:
            chunks = []
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                chunks.append((await self.reader.readexactly(size + 2))[:size])
                if size == 0:
                    break
            self.body = b"".join(chunks)
        elif length:
            self.body = await self.reader.readexactly(length)
        if close:
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _fixed_rate(host: str, port: int, make: Callable[[int], Request], *, rate: float, seconds: float,
                      label: str, max_connections: int, on_response: OnResponse | None = None) -> LoadResult:
    result = LoadResult(label)
    idle: list[_Connection] = [_Connection(host, port) for _ in range(min(16, max_connections))]
    opened = len(idle)
    loop = asyncio.get_running_loop()
    pending: set[asyncio.Task[None]] = set()
    total = int(rate * seconds)

    async def one(i: int, due: float) -> None:
        nonlocal opened
        connection = idle.pop() if idle else None
        if connection is None:
            opened += 1
            connection = _Connection(host, port)
        method, path, body, headers = make(i)
        try:
            status = await connection.request(method, path, body, headers)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            latency = (loop.time() - due) * 1000
            if 200 <= status < 300:
                result.ok += 1
                result.latencies_ms.append(latency)
            else:
                result.errors += 1
            if on_response is not None:
                on_response(i, status, connection.body, latency)
            idle.append(connection)
        except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError):
            result.errors += 1
            connection.close()
            opened -= 1

    start = loop.time() + 0.05
    for i in range(total):
        due = start + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one(i, due))
        pending.add(task)
        task.add_done_callback(pending.discard)
        result.sent += 1
    if pending:
        await asyncio.wait(pending)
    result.seconds = loop.time() - start
    return result


async def _saturate(host: str, port: int, make: Callable[[int], Request], *, concurrency: int, seconds: float,
                    label: str) -> LoadResult:
    result = LoadResult(label)
    loop = asyncio.get_running_loop()
    counter = iter(range(10**12))
    stop_at = loop.time() + seconds

    async def worker() -> None:
        connection = _Connection(host, port)
        while loop.time() < stop_at:
            method, path, body, headers = make(next(counter))
            began = loop.time()
            result.sent += 1
            try:
                status = await connection.request(method, path, body, headers)
            except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError):
                result.errors += 1
                connection.close()
                continue
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if 200 <= status < 300:
                result.ok += 1
                result.latencies_ms.append((loop.time() - began) * 1000)
            else:
                result.errors += 1
        connection.close()

    began = loop.time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.seconds = loop.time() - began
    return result


def fixed_rate(host: str, port: int, make: Callable[[int], Request], *, rate: float, seconds: float,
               label: str = "", max_connections: int = 256, on_response: OnResponse | None = None) -> LoadResult:
    return asyncio.run(_fixed_rate(host, port, make, rate=rate, seconds=seconds, label=label,
                                   max_connections=max_connections, on_response=on_response))


def saturate(host: str, port: int, make: Callable[[int], Request], *, concurrency: int, seconds: float,
             label: str = "") -> LoadResult:
    return asyncio.run(_saturate(host, port, make, concurrency=concurrency, seconds=seconds, label=label))


def wait_until_up(host: str, port: int, path: str = "/api/v1/health", *, timeout: float = 60.0) -> None:
    async def probe() -> int:
        connection = _Connection(host, port)
        try:
            return await connection.request("GET", path, b"", {})
        finally:
            connection.close()

    deadline = time.monotonic() + timeout
    while True:
        try:
            if asyncio.run(probe()) == 200:
                return
        except (OSError, ConnectionError, asyncio.IncompleteReadError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"server on {host}:{port} did not answer {path}")
        time.sleep(0.3)
