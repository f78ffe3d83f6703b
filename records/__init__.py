"""Records management: selection lists, appraisal, legal hold, destruction (docs/records.md).

Kept free of Scrapy, Playwright and pywb: it reads and rewrites the archive directory on disk.
"""
