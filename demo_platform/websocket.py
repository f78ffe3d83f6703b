"""A small RFC 6455 WebSocket server side for the stdlib handler: the opening handshake, text
frames both ways, ping/pong and close. Enough for the forum skin's stream of further replies,
as a Discourse-like forum pushes them (real forums use MessageBus or socket.io).

Client frames are masked (RFC 6455 §5.3), server frames are not; one message per frame (no
fragmentation; the client in the browser never fragments small text messages).
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Callable
from typing import BinaryIO

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA
MAX_MESSAGE = 1 << 16


def accept_key(key: str) -> str:
    """Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2)."""
    return base64.b64encode(hashlib.sha1((key.strip() + GUID).encode()).digest()).decode()


def is_upgrade(headers: dict[str, str]) -> bool:
    return (headers.get("upgrade", "").lower() == "websocket"
            and "upgrade" in headers.get("connection", "").lower()
            and bool(headers.get("sec-websocket-key")))


def encode(payload: bytes, opcode: int = TEXT, mask: bytes | None = None) -> bytes:
    """One final frame; `mask` (4 bytes) for the client side (tests)."""
    head = bytes([0x80 | opcode])
    bit = 0x80 if mask else 0
    size = len(payload)
    if size < 126:
        head += bytes([bit | size])
    elif size < 1 << 16:
        head += bytes([bit | 126]) + struct.pack("!H", size)
    else:
        head += bytes([bit | 127]) + struct.pack("!Q", size)
    if mask:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        head += mask
    return head + payload


def read_frame(stream: BinaryIO) -> tuple[int, bytes] | None:
    """(opcode, payload) of the next frame, None at end of stream or on a frame too big."""
    first = stream.read(2)
    if len(first) < 2:
        return None
    opcode, masked, size = first[0] & 0x0F, first[1] & 0x80, first[1] & 0x7F
    if size == 126:
        size = struct.unpack("!H", stream.read(2))[0]
    elif size == 127:
        size = struct.unpack("!Q", stream.read(8))[0]
    if size > MAX_MESSAGE:
        return None
    mask = stream.read(4) if masked else b""
    payload = stream.read(size)
    if mask:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return opcode, payload


def serve(rfile: BinaryIO, wfile: BinaryIO, key: str, answer: Callable[[str], list[str]]) -> None:
    """Finish the handshake, then answer every text message with `answer(text)` messages
    until the client closes."""
    wfile.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 f"Sec-WebSocket-Accept: {accept_key(key)}\r\n\r\n").encode())
    wfile.flush()
    while True:
        frame = read_frame(rfile)
        if frame is None:
            return
        opcode, payload = frame
        if opcode == CLOSE:
            wfile.write(encode(payload[:2], CLOSE))
            wfile.flush()
            return
        if opcode == PING:
            wfile.write(encode(payload, PONG))
        elif opcode == TEXT:
            for message in answer(payload.decode("utf-8", "replace")):
                wfile.write(encode(message.encode("utf-8")))
        wfile.flush()
