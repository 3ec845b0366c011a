"""Tunables in one place."""
from __future__ import annotations

# Inputs
MAX_FILE_BYTES = 50 * 1024 * 1024  # a text or HTML file larger than this is refused, not read
MAX_JSONL_LINE_BYTES = 20 * 1024 * 1024
TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
FEED_SUFFIXES = (".rss", ".atom", ".xml")
WARC_SUFFIXES = (".warc", ".warc.gz")

# Storage
DEFAULT_DB = "chancery.db"
WRITE_BATCH = 200

# Report
REPORT_SCHEMA = "chancery.report/1"
