"""Tunables in one place."""
from __future__ import annotations

# Inputs. Every limit below turns an oversized input into one problem line; none of them truncates.
MAX_FILE_BYTES = 10 * 1024 * 1024  # a .txt, .html or feed file larger than this is refused unread
MAX_JSONL_LINE_BYTES = 10 * 1024 * 1024  # one JSONL record; a longer line is skipped without being held whole
MAX_PAGE_BYTES = 10 * 1024 * 1024  # one page in a WARC file (the decoded payload)
# The text of one article as read (before cleaning). News articles run to tens of thousands of
# characters; the longest transcripts and treaty texts to a few hundred thousand. A longer text is
# a dump of many articles or not prose at all, and would keep the per-article stages busy for minutes.
MAX_ARTICLE_CHARS = 500_000
TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
FEED_SUFFIXES = (".rss", ".atom", ".xml")
WARC_SUFFIXES = (".warc", ".warc.gz")

# Fetching (chancery.fetch.Fetcher's defaults)
FETCH_TIMEOUT = 20.0  # seconds per connect/read, and for the whole body of one response
FETCH_DELAY = 1.0  # seconds between the starts of two requests to the same host
FETCH_MAX_BYTES = 10 * 1024 * 1024  # a larger response body (counted after decompression) is refused
FETCH_MAX_REDIRECTS = 5

# Storage
DEFAULT_DB = "chancery.db"
WRITE_BATCH = 200

# Report
REPORT_SCHEMA = "chancery.report/1"
