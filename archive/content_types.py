"""Which response bodies are never text: copied as they are by every transform of a WARC (the
access copy leaves them to the avatar and screenshot rules, the public version to its boxes).

One list for the whole archive: the access derivative and the public redaction once kept two that
disagreed (gzip and protobuf on one side, the `application/font` spellings on the other)."""

from __future__ import annotations

# Prefixes of the Content-Type's media type (compared in lower case).
BINARY_TYPES: tuple[str, ...] = (
    "image/", "video/", "audio/", "font/",
    "application/octet-stream", "application/wasm", "application/font", "application/x-font",
    "application/pdf", "application/zip", "application/gzip", "application/x-protobuf",
)


def is_binary(content_type: str | None) -> bool:
    """True for a body that is never text (an image, a font, an archive...); False when unknown."""
    return (content_type or "").strip().lower().startswith(BINARY_TYPES)
