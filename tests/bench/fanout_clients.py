"""Many Socket.IO clients in one asyncio event loop, for the fan-out benchmark.

A minimal Socket.IO v5 / Engine.IO v4 client over a websocket (no polling, no upgrade):
the HTTP upgrade, RFC 6455 framing (masked client frames, unmasked server frames,
fragments, ping/pong, close), the Engine.IO open/ping/message packets, and the Socket.IO
CONNECT (with an `auth` payload), EVENT and ACK packets. That is all the benchmark needs,
and it lets 1,000 connections live in one thread of the benchmark process, read by one
epoll loop, with every receipt stamped on one clock (`time.perf_counter`, the
monotonic clock). python-socketio's own Client costs two or three OS threads per
connection and waits on the GIL for each receipt (the switch interval is 5 ms), which
would measure the client rather than the servers.

A receipt is stamped when the bytes are handed to the loop (`data_received`), before
they are parsed; receipts that arrive in one read share a stamp.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from collections.abc import Callable

now = time.perf_counter  # CLOCK_MONOTONIC on Linux: one clock for sends and receipts

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


def ws_frame(opcode: int, payload: bytes) -> bytes:
    """One final client frame (clients must mask, RFC 6455 section 5.3)."""
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    mask = os.urandom(4)
    keystream = (mask * (n // 4 + 1))[:n]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(keystream, "big")).to_bytes(n, "big")
    return head + mask + masked


class SioClient(asyncio.Protocol):
    """One Socket.IO connection. `on_event(client, text, stamp)` gets every EVENT packet
    as its raw Socket.IO text (`2["name",...]`), so a caller can pick out what it needs
    without decoding JSON for every receipt."""

    def __init__(self, host: str, port: int, auth: dict | None, on_event: Callable | None = None):
        loop = asyncio.get_running_loop()
        self.host, self.port, self.auth, self.on_event = host, port, auth, on_event
        self.transport: asyncio.Transport | None = None
        self.connected = loop.create_future()  # set at CONNECT, failed at CONNECT_ERROR/close
        self._buf = bytearray()
        self._upgraded = False
        self._fragments: list[bytes] | None = None
        self._acks: dict[int, asyncio.Future] = {}
        self._next_ack = 0
        self.index = 0  # set by connect_all: the client's place in its list
        self.bytes_in = 0  # every byte received, upgrade response included

    # --- asyncio.Protocol --------------------------------------------------------------

    def connection_made(self, transport):
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write(
            f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
            f"Host: {self.host}:{self.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )

    def data_received(self, data: bytes):
        stamp = now()
        self.bytes_in += len(data)
        buf = self._buf
        buf += data
        if not self._upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(buf[: buf.find(b"\r\n")])
            if b" 101 " not in status:
                self._fail(ConnectionError(f"websocket upgrade refused: {status.decode(errors='replace')}"))
                return
            del buf[: end + 4]
            self._upgraded = True
        self._read_frames(stamp)

    def connection_lost(self, exc):
        self._fail(ConnectionError(f"connection lost: {exc}"))

    # --- websocket framing ------------------------------------------------------------

    def _read_frames(self, stamp: float):
        buf, pos, size = self._buf, 0, len(self._buf)
        while size - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1]
            length, head = b1 & 0x7F, 2
            if length == 126:
                if size - pos < 4:
                    break
                length, head = int.from_bytes(buf[pos + 2 : pos + 4], "big"), 4
            elif length == 127:
                if size - pos < 10:
                    break
                length, head = int.from_bytes(buf[pos + 2 : pos + 10], "big"), 10
            if b1 & 0x80:
                self._fail(ConnectionError("masked frame from the server"))
                return
            if size - pos < head + length:
                break
            payload = bytes(buf[pos + head : pos + head + length])
            pos += head + length
            self._on_frame(b0 & 0x80, b0 & 0x0F, payload, stamp)
        del buf[:pos]

    def _on_frame(self, fin: int, opcode: int, payload: bytes, stamp: float):
        if opcode in (OP_TEXT, OP_BINARY, OP_CONT):
            if opcode != OP_CONT:
                self._fragments = [payload]
            elif self._fragments is not None:
                self._fragments.append(payload)
            if fin and self._fragments is not None:
                whole, self._fragments = b"".join(self._fragments), None
                self._on_engineio(whole.decode(), stamp)
        elif opcode == OP_PING:
            self.transport.write(ws_frame(OP_PONG, payload))
        elif opcode == OP_CLOSE:
            self.transport.close()

    def _send_text(self, text: str):
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(ws_frame(OP_TEXT, text.encode()))

    # --- Engine.IO and Socket.IO packets ---------------------------------------------

    def _on_engineio(self, text: str, stamp: float):
        kind = text[:1]
        if kind == "4":  # message: a Socket.IO packet
            self._on_socketio(text[1:], stamp)
        elif kind == "2":  # ping from the server (Engine.IO v4): answer pong
            self._send_text("3")
        elif kind == "0":  # open: ask for the default namespace, with the auth payload
            self._send_text("40" + (json.dumps(self.auth) if self.auth is not None else ""))
        elif kind == "1":
            self.transport.close()

    def _on_socketio(self, text: str, stamp: float):
        kind = text[:1]
        if kind == "2":
            if self.on_event is not None:
                self.on_event(self, text, stamp)
        elif kind == "3":
            i = 1
            while i < len(text) and text[i].isdigit():
                i += 1
            future = self._acks.pop(int(text[1:i]), None)
            if future is not None and not future.done():
                future.set_result((stamp, json.loads(text[i:])))
        elif kind == "0":
            if not self.connected.done():
                self.connected.set_result(json.loads(text[1:] or "null"))
        elif kind == "4":
            self._fail(ConnectionRefusedError(f"connect refused: {text[1:]}"))
        elif kind == "1":
            self.transport.close()

    def _fail(self, exc: Exception):
        if not self.connected.done():
            self.connected.set_exception(exc)
        for future in self._acks.values():
            if not future.done():
                future.set_exception(exc)
        self._acks.clear()

    # --- API ---------------------------------------------------------------------------

    def call(self, event: str, data) -> asyncio.Future:
        """Emit with an ack id; the future resolves to (stamp, [ack args...])."""
        ack_id = self._next_ack
        self._next_ack += 1
        future = asyncio.get_running_loop().create_future()
        self._acks[ack_id] = future
        self._send_text(f"42{ack_id}" + json.dumps([event, data]))
        return future

    def close(self):
        if self.transport is not None and not self.transport.is_closing():
            self._send_text("41")
            self.transport.close()


async def connect_all(
    addresses: list[tuple[str, int, dict | None]],
    on_event: Callable,
    then: Callable | None = None,
    opened: list | None = None,
    concurrency: int = 50,
    timeout: float = 30.0,
) -> list[SioClient]:
    """Connect one client per (host, port, auth), `concurrency` at a time, and await
    `then(client)` (say, a join) before that slot takes the next one, as a page does.
    Client i gets `.index = i`. Every client opened is also appended to `opened`, so a
    caller can close them all even when one fails."""
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(concurrency)
    opened = [] if opened is None else opened

    async def one(index, host, port, auth):
        async with gate:
            _, client = await asyncio.wait_for(
                loop.create_connection(lambda: SioClient(host, port, auth, on_event), host, port), timeout
            )
            client.index = index
            opened.append(client)
            await asyncio.wait_for(client.connected, timeout)
            if then is not None:
                await asyncio.wait_for(then(client), timeout)
            return client

    return list(await asyncio.gather(*(one(i, *address) for i, address in enumerate(addresses))))
