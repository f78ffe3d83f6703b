"""`pages.jsonl`: the reader and writer live in `archive.pages` (the archive directory's own package);
the names stay importable from here for the crawler's modules that use them."""

from archive.pages import HEADER, append_page, read_pages, replace_page, rfc3339

__all__ = ["HEADER", "append_page", "read_pages", "replace_page", "rfc3339"]
