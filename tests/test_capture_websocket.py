"""No transport lost: what a page receives over a WebSocket is in the archive (docs/reader.md).

A tiny forum served by the test itself: its item pages load their replies over a WebSocket, as
threaded forums (socket.io) do. The WebSocket server is a few lines of RFC 6455 on top of
http.server, so the test needs nothing but the standard library and Chromium."""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from archive_checks import warcio_check
from conftest import crawl
from warcio.archiveiterator import ArchiveIterator

REPLIES = {i: [f"Antwoord {i}.{j} via de socket: de brug bij kilometerpaal {i * 10 + j} is weer open."
               for j in range(1, 4)] for i in range(1, 5)}
HOME = """<!doctype html><html><head><meta charset="utf-8"><title>Socketforum</title></head><body><main>
{items}</main></body></html>"""
ITEM = """<!doctype html><html><head><meta charset="utf-8"><title>Onderwerp {id}</title></head><body>
<article><h1>Onderwerp {id}</h1><p>Het eerste bericht van onderwerp {id}.</p><section id="replies"></section></article>
<script>
const ws = new WebSocket('ws://' + location.host + '/ws/{id}');
ws.onopen = () => ws.send(JSON.stringify({{subscribe: {id}}}));
ws.onmessage = (e) => {{ const d = document.createElement('article'); d.textContent = JSON.parse(e.data).text;
  document.getElementById('replies').appendChild(d); }};
</script></body></html>"""
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _text_frame(text: str) -> bytes:
    data = text.encode("utf-8")
    header = bytes([0x81]) + (bytes([len(data)]) if len(data) < 126 else bytes([126]) + struct.pack("!H", len(data)))
    return header + data


class SocketForum(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path.startswith("/ws/"):
            self._websocket(int(self.path.rsplit("/", 1)[1]))
        elif self.path == "/":
            items = "".join(f'<article><a href="/topic/{i}">Onderwerp {i}</a></article>' for i in REPLIES)
            self._send(HOME.format(items=items))
        elif self.path.startswith("/topic/"):
            self._send(ITEM.format(id=int(self.path.rsplit("/", 1)[1])))
        else:
            self.send_error(404)

    def _websocket(self, topic: int) -> None:
        accept = base64.b64encode(hashlib.sha1((self.headers["Sec-WebSocket-Key"] + WS_GUID).encode()).digest())
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept.decode())
        self.end_headers()
        self.wfile.flush()
        # The client's subscribe frame (masked): read its header and payload, then answer.
        head = self.rfile.read(2)
        length = head[1] & 0x7F
        if length == 126:
            length = struct.unpack("!H", self.rfile.read(2))[0]
        self.rfile.read(4 + length)
        for text in REPLIES[topic]:
            self.wfile.write(_text_frame(json.dumps({"text": text})))
            self.wfile.flush()
        self.wfile.write(bytes([0x88, 0]))  # close
        self.wfile.flush()
        self.close_connection = True

    def _send(self, body: str) -> None:
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def socket_forum() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SocketForum)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_messages_that_arrive_over_a_websocket_are_in_the_archive(socket_forum: str, tmp_path: Path):
    run = crawl(socket_forum, tmp_path / "a", "--max-posts", "2")
    assert run.returncode in (0, 3), run.stdout + run.stderr[-2000:]
    sockets: dict[str, list[dict]] = {}
    handshakes = []
    for warc in run.warcs():
        with open(warc, "rb") as fh:
            for record in ArchiveIterator(fh):
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                if not uri.startswith("ws://"):
                    continue
                if record.rec_type == "resource":
                    assert record.rec_headers.get_header("Content-Type").startswith("application/jsonl")
                    lines = record.content_stream().read().decode("utf-8").splitlines()
                    sockets[uri] = [json.loads(line) for line in lines]
                elif record.rec_type == "metadata":
                    fields = record.content_stream().read().decode("utf-8")
                    handshakes.append(next(line for line in fields.splitlines() if line.startswith("websocket-status")))
    assert len(sockets) == 2 and handshakes == ["websocket-status: 101 Switching Protocols"] * 2
    for uri, frames in sockets.items():
        topic = int(uri.rsplit("/", 1)[1])
        received = [json.loads(f["payloadData"])["text"] for f in frames if f["type"] == "received"]
        assert received == REPLIES[topic]
        assert [json.loads(f["payloadData"]) for f in frames if f["type"] == "sent"] == [{"subscribe": topic}]
        assert all(f["ts"] >= 0 and f["opcode"] == 1 for f in frames)
    assert warcio_check(run.archive) == []
