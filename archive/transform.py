"""The one rule by which a WARC-to-WARC transform handles each record of its source.

Both transforms of SMA — the access copy (crawler/privacy/derivative.py, from the original) and the
public version (replay/woo/redact.py, from the access copy) — write a new record for every source
record, and must agree on which are HTTP exchanges (a response, or a revisit of an HTTP URL: written
again with their request), which are SMA's own resources (`urn:screenshot:`, `urn:dom:`,
`urn:text:` and their revisits), which are metadata (`name: value` lines), and which belong to an
exchange or to the file (requests, warcinfo). Records are told apart here; how each one is
transformed stays with the transform.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum


class Handling(Enum):
    EXCHANGE = "exchange"  # response, or revisit of an http(s) URL: written with its request
    REQUEST = "request"  # written with the exchange it belongs to
    RESOURCE = "resource"  # resource, or revisit of one (urn:screenshot:..., urn:dom:..., urn:text:...)
    METADATA = "metadata"  # `name: value` lines
    OTHER = "other"  # warcinfo (each written file has its own), conversion...: not carried over


def handling(rec_type: str, uri: str) -> Handling:
    """How a transform handles a record of WARC type `rec_type` with WARC-Target-URI `uri`."""
    if rec_type == "response" or (rec_type == "revisit" and uri.startswith("http")):
        return Handling.EXCHANGE
    if rec_type == "request":
        return Handling.REQUEST
    if rec_type in ("resource", "revisit"):
        return Handling.RESOURCE
    if rec_type == "metadata":
        return Handling.METADATA
    return Handling.OTHER


def metadata_fields(payload: bytes, value: Callable[[str], str]) -> dict[str, str]:
    """The `name: value` lines of a metadata record (CRLF-separated), each value through `value`;
    lines without `: ` are left out."""
    fields: dict[str, str] = {}
    for line in payload.decode("utf-8", "replace").split("\r\n"):
        name, sep, text = line.partition(": ")
        if sep:
            fields[name] = value(text)
    return fields
