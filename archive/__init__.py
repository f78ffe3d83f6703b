"""The archive directory on disk, as every part of SMA reads and writes it.

`archive.layout.ArchiveDir` names its folders and files (WARCs by copy, crawls, accounts, the
access copy, indexes, the fixity manifest); `archive.jsonl` reads its JSON Lines files tolerantly;
`archive.pages` reads and writes `pages.jsonl`; `archive.content_types` says which bodies are never
text; `archive.transform` is the one rule by which a WARC-to-WARC transform (the access copy, the
public version) handles each record.

Standard library only and nothing of SMA (tests/test_import_rules.py): the crawler, privacy, replay,
records, search and the CLI all import it, and it imports none of them, nor Scrapy, Playwright or pywb.
"""
