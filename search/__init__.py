"""Finding things back in an archive: full-text search per copy, research datasets.

Reads the archive on disk only (warcio, lxml, sqlite3): no Scrapy, Playwright or pywb imports.
See docs/search.md and docs/datasets.md.
"""
