"""Records every network exchange of a Playwright page through the Chrome DevTools Protocol.

Why CDP rather than Playwright's `response` events: only CDP tells the exact status line and the
raw headers as received (`*ExtraInfo` events), gives redirect responses with their own headers,
and lets us raise the per-resource buffer so bodies above ~10 MB are still retrievable.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..archive.model import Exchange

logger = logging.getLogger(__name__)

BUFFER_TOTAL = 512 * 1024 * 1024
BUFFER_RESOURCE = 256 * 1024 * 1024
SKIPPED_SCHEMES = ("data:", "blob:", "chrome-extension:", "about:")


@dataclass
class _Pending:
    request_id: str
    url: str
    method: str
    headers: dict[str, str]
    post_data: bytes | None
    started: datetime
    resource_type: str
    raw_request_headers: list[tuple[str, str]] | None = None
    response: dict[str, Any] | None = None
    raw_response_headers: list[tuple[str, str]] | None = None
    status_line: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    received: int = 0  # decoded bytes the browser reported (Network.dataReceived)
    oversize: bool = False  # larger than the recorder's max_body_bytes: kept truncated


def _header_pairs(headers: dict[str, str]) -> list[tuple[str, str]]:
    # CDP folds repeated headers (Set-Cookie) into one value joined by newlines.
    pairs: list[tuple[str, str]] = []
    for name, value in headers.items():
        for part in str(value).split("\n"):
            pairs.append((name, part))
    return pairs


def _parse_headers_text(text: str) -> tuple[str | None, list[tuple[str, str]]]:
    lines = text.split("\r\n")
    status_line = lines[0] if lines and lines[0].startswith("HTTP/") else None
    pairs = []
    for line in lines[1:] if status_line else lines:
        if ":" in line:
            name, value = line.split(":", 1)
            pairs.append((name.strip(), value.strip()))
    return status_line, pairs


def _protocol(cdp_protocol: str | None) -> str:
    proto = (cdp_protocol or "http/1.1").lower()
    return {"h2": "HTTP/2", "h3": "HTTP/3", "http/1.0": "HTTP/1.0"}.get(proto, "HTTP/1.1")


class NetworkRecorder:
    """Collects `Exchange`s for one page. Call `start()` before navigation, `drain()` before close."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.cdp: Any = None
        self._pending: dict[str, _Pending] = {}
        self._extra_req: dict[str, list[tuple[str, str]]] = {}
        self._extra_resp: dict[str, tuple[str | None, list[tuple[str, str]]]] = {}
        self._tasks: set[asyncio.Task] = set()
        self.exchanges: list[Exchange] = []
        self.failures: list[str] = []
        self._last_activity = time.monotonic()
        # WebSocket connections by CDP requestId: handshake and every frame (docs/reader.md).
        self.websockets: dict[str, dict[str, Any]] = {}
        # Bounds from the crawl's settings (crawler/limits.py, docs/limits.md); 0 = unbounded.
        self.max_body_bytes = 0
        self.idle_timeout_ms = 0
        self.action_max_seconds = 0.0  # for the profile's actions on this page (behaviours.py)
        # Limits this page ran into: {"setting", "value", "note"}; reported as shortfalls.
        self.limit_events: list[dict[str, Any]] = []

    async def start(self) -> None:
        self.cdp = await self.page.context.new_cdp_session(self.page)
        for event, handler in (
            ("Network.requestWillBeSent", self._on_request),
            ("Network.requestWillBeSentExtraInfo", self._on_request_extra),
            ("Network.responseReceived", self._on_response),
            ("Network.responseReceivedExtraInfo", self._on_response_extra),
            ("Network.loadingFinished", self._on_finished),
            ("Network.dataReceived", self._on_data),
            ("Network.loadingFailed", self._on_failed),
            ("Network.webSocketCreated", self._on_ws_created),
            ("Network.webSocketWillSendHandshakeRequest", self._on_ws_handshake),
            ("Network.webSocketHandshakeResponseReceived", self._on_ws_response),
            ("Network.webSocketFrameSent", lambda p: self._on_ws_frame(p, "sent")),
            ("Network.webSocketFrameReceived", lambda p: self._on_ws_frame(p, "received")),
            ("Network.webSocketClosed", self._on_ws_closed),
        ):
            self.cdp.on(event, handler)
        await self.cdp.send(
            "Network.enable",
            {"maxTotalBufferSize": BUFFER_TOTAL, "maxResourceBufferSize": BUFFER_RESOURCE},
        )

    # -- idle tracking for behaviours ----------------------------------------------------------
    @property
    def in_flight(self) -> int:
        return len(self._pending) + len(self._tasks)

    async def wait_idle(self, quiet_ms: int = 300, timeout_ms: int = 10_000, from_now: bool = False) -> bool:
        """True once no request has been in flight for `quiet_ms`; False on timeout.

        `from_now`: the quiet must start now, not at the last request seen. After a click, the
        request it starts reaches us only after a moment (a JS task, then a CDP event); without
        this, an old quiet period would count and the click's asynchronous load would be missed.
        """
        if from_now:
            self._last_activity = time.monotonic()
        if self.idle_timeout_ms:
            timeout_ms = min(timeout_ms, self.idle_timeout_ms)
        deadline = time.monotonic() + timeout_ms / 1000
        while time.monotonic() < deadline:
            if self.in_flight == 0 and (time.monotonic() - self._last_activity) * 1000 >= quiet_ms:
                return True
            await asyncio.sleep(0.05)
        return False

    # -- CDP events ----------------------------------------------------------------------------
    def _on_request(self, p: dict) -> None:
        self._last_activity = time.monotonic()
        rid = p["requestId"]
        redirect = p.get("redirectResponse")
        if redirect and rid in self._pending:
            prior = self._pending.pop(rid)
            prior.response = redirect
            extra = self._extra_resp.pop(rid, None)
            if extra:
                prior.status_line, prior.raw_response_headers = extra
            self._complete(prior, b"")
        req = p["request"]
        url = req["url"] + req.get("urlFragment", "").split("#")[0]
        if url.startswith(SKIPPED_SCHEMES):
            return
        post = req.get("postData")
        pending = _Pending(
            request_id=rid,
            url=url,
            method=req.get("method", "GET"),
            headers=req.get("headers", {}),
            post_data=post.encode("utf-8") if post else None,
            started=datetime.fromtimestamp(p.get("wallTime", time.time()), UTC),
            resource_type=p.get("type", ""),
        )
        if rid in self._extra_req:
            pending.raw_request_headers = self._extra_req.pop(rid)
        self._pending[rid] = pending

    def _on_request_extra(self, p: dict) -> None:
        pairs = _header_pairs(p.get("headers", {}))
        pending = self._pending.get(p["requestId"])
        if pending is not None and pending.raw_request_headers is None:
            pending.raw_request_headers = pairs
        else:
            self._extra_req[p["requestId"]] = pairs

    def _on_response(self, p: dict) -> None:
        self._last_activity = time.monotonic()
        pending = self._pending.get(p["requestId"])
        if pending is not None:
            pending.response = p["response"]
            announced = _content_length(p["response"].get("headers") or {})
            if self.max_body_bytes and announced is not None and announced > self.max_body_bytes:
                self._oversize(pending, f"announced {announced} bytes")

    def _on_data(self, p: dict) -> None:
        self._last_activity = time.monotonic()
        pending = self._pending.get(p["requestId"])
        if pending is None:
            return
        pending.received += int(p.get("dataLength") or 0)
        if self.max_body_bytes and pending.received > self.max_body_bytes and not pending.oversize:
            self._oversize(pending, f"more than {self.max_body_bytes} bytes received")

    def _oversize(self, pending: _Pending, why: str) -> None:
        """A response above SMA_DOWNLOAD_MAXSIZE: the browser stops loading (as the Stop button does),
        and the archive keeps its first max_body_bytes, marked `WARC-Truncated: length`."""
        if pending.oversize:
            return
        pending.oversize = True
        self.limit_events.append({
            "setting": "SMA_DOWNLOAD_MAXSIZE", "value": self.max_body_bytes,
            "note": f"{pending.url}: response {why}; loading stopped, archived truncated to "
                    f"{self.max_body_bytes} bytes (WARC-Truncated: length)"})
        if self.cdp is not None:
            self._spawn(self._stop_loading())

    async def _stop_loading(self) -> None:
        try:
            await self.cdp.send("Page.stopLoading")
        except Exception as exc:  # noqa: BLE001 - the page went away meanwhile
            logger.debug("Page.stopLoading failed: %s", exc)

    def _on_response_extra(self, p: dict) -> None:
        text = p.get("headersText")
        parsed = _parse_headers_text(text) if text else (None, _header_pairs(p.get("headers", {})))
        self._extra_resp[p["requestId"]] = parsed

    def _on_finished(self, p: dict) -> None:
        self._last_activity = time.monotonic()
        pending = self._pending.pop(p["requestId"], None)
        if pending is None or pending.response is None:
            return
        self._spawn(self._fetch_body(pending))

    def _on_failed(self, p: dict) -> None:
        self._last_activity = time.monotonic()
        pending = self._pending.pop(p["requestId"], None)
        if pending is None:
            return
        if pending.response is not None:
            # Media elements cancel their range requests once they have enough: the response
            # arrived, so keep it, with whatever body the browser still holds or a refetch.
            self._spawn(self._fetch_body(pending))
        elif not p.get("canceled"):
            self.failures.append(f"{pending.url}: {p.get('errorText', 'failed')}")

    # -- WebSockets: kept as a log of frames, written as WARC records by the pipeline ------------
    def _on_ws_created(self, p: dict) -> None:
        self._last_activity = time.monotonic()
        self.websockets[p["requestId"]] = {"url": p["url"], "started": datetime.now(UTC), "request_headers": [],
                                           "status": 0, "reason": "", "response_headers": [], "frames": [],
                                           "t0": None, "closed": False}

    def _on_ws_handshake(self, p: dict) -> None:
        ws = self.websockets.get(p["requestId"])
        if ws is not None:
            ws["request_headers"] = _header_pairs((p.get("request") or {}).get("headers", {}))
            ws["t0"] = p.get("timestamp")
            if p.get("wallTime"):
                ws["started"] = datetime.fromtimestamp(p["wallTime"], UTC)

    def _on_ws_response(self, p: dict) -> None:
        ws = self.websockets.get(p["requestId"])
        if ws is not None:
            resp = p.get("response") or {}
            ws["status"], ws["reason"] = int(resp.get("status", 0)), resp.get("statusText", "")
            text = resp.get("headersText")
            ws["response_headers"] = (_parse_headers_text(text)[1] if text
                                      else _header_pairs(resp.get("headers", {})))

    def _on_ws_frame(self, p: dict, direction: str) -> None:
        self._last_activity = time.monotonic()
        ws = self.websockets.get(p["requestId"])
        if ws is None:
            return
        frame = p.get("response") or {}
        t0 = ws["t0"] if ws["t0"] is not None else p.get("timestamp", 0)
        ws["frames"].append({"ts": round(float(p.get("timestamp", 0)) - float(t0 or 0), 6), "type": direction,
                             "opcode": frame.get("opcode"), "mask": frame.get("mask"),
                             "payloadData": frame.get("payloadData", "")})

    def _on_ws_closed(self, p: dict) -> None:
        ws = self.websockets.get(p["requestId"])
        if ws is not None:
            ws["closed"] = True

    def take_websockets(self) -> list[dict[str, Any]]:
        """Every connection seen so far (open ones too, as far as they got), then forgets them."""
        done = [{k: v for k, v in ws.items() if k != "t0"} for ws in self.websockets.values()]
        self.websockets = {}
        return done

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- bodies --------------------------------------------------------------------------------
    async def _fetch_body(self, pending: _Pending) -> None:
        extra = self._extra_resp.pop(pending.request_id, None)
        if extra:
            pending.status_line, pending.raw_response_headers = extra
        body: bytes | None = None
        source = "browser"
        if pending.oversize:
            # Never the whole body through CDP (base64 in memory): its first bytes, read and cut off.
            body = await asyncio.to_thread(_read_head, pending, self.max_body_bytes)
            source = "refetch"
        else:
            try:
                got = await self.cdp.send("Network.getResponseBody", {"requestId": pending.request_id})
                raw = got.get("body", "")
                body = base64.b64decode(raw) if got.get("base64Encoded") else raw.encode("utf-8")
            except Exception:  # noqa: BLE001 - the browser did not keep it (media, evicted)
                body = await self._refetch(pending)
                source = "refetch"
        if body is None:
            self.failures.append(f"{pending.url}: body not retrievable")
            body = b""
            source = "missing"
        truncated = None
        if self.max_body_bytes and (pending.oversize or len(body) > self.max_body_bytes):
            if not pending.oversize:
                self._oversize(pending, f"of {len(body)} bytes")
            body, truncated = body[: self.max_body_bytes], "length"
        self._complete(pending, body, source, truncated)

    async def _refetch(self, pending: _Pending) -> bytes | None:
        headers = dict(pending.raw_request_headers or _header_pairs(pending.headers))
        headers = {k: v for k, v in headers.items() if not k.startswith(":") and k.lower() != "host"}
        try:
            resp = await self.page.context.request.fetch(
                pending.url, method=pending.method, headers=headers, max_redirects=0, timeout=30_000
            )
            return await resp.body()
        except Exception as exc:  # noqa: BLE001
            logger.warning("refetch of %s failed: %s", pending.url, exc)
            return None

    def _complete(self, pending: _Pending, body: bytes, source: str = "browser", truncated: str | None = None) -> None:
        resp = pending.response or {}
        status = int(resp.get("status", 0))
        reason = resp.get("statusText", "")
        version = _protocol(resp.get("protocol"))
        if pending.status_line:
            parts = pending.status_line.split(" ", 2)
            version = parts[0]
            reason = parts[2] if len(parts) > 2 else reason
        headers = pending.raw_response_headers or _header_pairs(resp.get("headers", {}))
        req_headers = pending.raw_request_headers or _header_pairs(pending.headers)
        self.exchanges.append(
            Exchange(
                url=pending.url,
                method=pending.method,
                request_headers=req_headers,
                request_body=pending.post_data,
                status=status,
                reason=reason,
                http_version=version,
                response_headers=headers,
                body=body,
                started=pending.started,
                remote_ip=resp.get("remoteIPAddress"),
                body_source=source,
                resource_type=pending.resource_type,
                truncated=truncated,
            )
        )

    async def drain(self, timeout_ms: int = 30_000) -> list[Exchange]:
        """Waits for outstanding bodies, then hands over (and forgets) what was recorded."""
        await self.wait_idle(quiet_ms=200, timeout_ms=timeout_ms)  # capped by idle_timeout_ms
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout_ms / 1000)
        # Responses whose body never finished (a page that never goes idle may leave hundreds):
        # fetched side by side, within the same bound; what is left is named, never dropped silently.
        unfinished = [p for p in self._pending.values() if p.response is not None]
        if unfinished:
            fetches = [asyncio.ensure_future(self._fetch_body(p)) for p in unfinished]
            _, late = await asyncio.wait(fetches, timeout=timeout_ms / 1000)
            for task in late:
                task.cancel()
            if late:
                self.limit_events.append({
                    "setting": "snapshot drain (s)", "value": timeout_ms / 1000,
                    "note": f"{len(late)} of {len(unfinished)} unfinished responses not retrieved within "
                            f"{timeout_ms / 1000:g} s; not archived"})
        self._pending.clear()
        done, self.exchanges = self.exchanges, []
        return done

    async def stop(self) -> None:
        if self.cdp is not None:
            try:
                await self.cdp.detach()
            except Exception:  # noqa: BLE001 - page already closed
                pass


def _content_length(headers: dict[str, Any]) -> int | None:
    for name, value in headers.items():
        if name.lower() == "content-length":
            try:
                return int(str(value).split(",")[0].strip())
            except ValueError:
                return None
    return None


def _read_head(pending: _Pending, limit: int) -> bytes | None:
    """The first `limit` bytes of an oversize response, fetched again with the browser's request
    headers and the connection closed after them: memory stays at `limit`, whatever the size."""
    headers = dict(pending.raw_request_headers or _header_pairs(pending.headers))
    headers = {k: v for k, v in headers.items() if not k.startswith(":") and k.lower() not in ("host", "range")}
    headers["Accept-Encoding"] = "identity"
    request = urllib.request.Request(pending.url, headers=headers, method=pending.method)
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:  # noqa: S310 - the page's own URL
            chunks, got = [], 0
            while got < limit:
                chunk = resp.read(min(1 << 20, limit - got))
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
            return b"".join(chunks)
    except Exception as exc:  # noqa: BLE001
        logger.warning("reading the head of %s failed: %s", pending.url, exc)
        return None
