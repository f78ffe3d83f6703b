"""The archive model: what SMA writes to disk, and how it reads it back.

Kept free of Scrapy and Playwright so that replay/ (which runs beside pywb) may import it.
"""
