"""WARC files (.warc, .warc.gz, as in Common Crawl's CC-NEWS) → Articles, streamed record by record.

Only `response` records with HTTP status 200 and an HTML content type become articles; everything
else is skipped on its headers alone. A truncated or corrupt file ends with one Problem after the
articles read before the damage.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import re
import zlib
from collections.abc import Iterator

from warcio.archiveiterator import ArchiveIterator

from . import settings
from .encoding import NotText
from .fetch import decode_html, media_type
from .htmlpage import NoBody, article_from_html
from .records import Article, Problem

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_HTML_LANG = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?\s*([A-Za-z]{2,3})\b""", re.IGNORECASE)


class _Damaged(Exception):
    """The archive ends early or its compressed data is corrupt (deliberately not an EOFError,
    which warcio would take for a clean end of file)."""

    def __init__(self, what: str, detail: str = "") -> None:
        super().__init__(what, detail)
        self.what, self.detail = what, detail

    def after(self, records: int) -> str:
        return f"{self.what} after {records} records" + (f" ({self.detail})" if self.detail else "")


class _GzipStream:
    """Decompressed bytes of a .gz file, one block per read, turning truncation into _Damaged.

    read1 matters: a full read() that hits the cut would lose the records decompressed before it.
    """

    def __init__(self, raw) -> None:
        self._gzip = gzip.GzipFile(fileobj=raw, mode="rb")

    def read(self, size: int = -1) -> bytes:
        try:
            return self._gzip.read1(size if size and size > 0 else 65536)
        except EOFError:
            raise _Damaged("truncated gzip") from None
        except (OSError, zlib.error) as error:
            raise _Damaged("corrupt gzip", str(error)) from None

    def tell(self) -> int:
        return self._gzip.tell()


def read_warc(path: str | os.PathLike, *, languages: set[str] | None = None) -> Iterator[Article | Problem]:
    """Yield an Article per HTML page in the WARC file, and a Problem per page or file that failed.

    `languages` (e.g. {"en"}) skips pages whose <html lang> or Content-Language names another language;
    pages that do not say are kept.
    """
    path = str(path)
    wanted = {language.lower().split("-")[0] for language in languages} if languages else None
    try:
        with open(path, "rb") as raw:
            yield from _read(path, raw, wanted)
    except OSError as error:
        yield Problem(path, f"cannot read WARC file: {error.strerror or error}")


def _read(path: str, raw, wanted: set[str] | None) -> Iterator[Article | Problem]:
    compressed = raw.read(2) == b"\x1f\x8b"
    try:
        start = _head(_open_stream(raw, compressed), 11)
    except _Damaged as error:
        yield Problem(path, f"{error.what} before the first record")
        return
    if not start.startswith((b"WARC/", b"filedesc://")):
        what = "it is empty" if not start else f"it starts with {start!r}"
        yield Problem(path, f"not a WARC file ({what})")
        return
    size = None if compressed else os.fstat(raw.fileno()).st_size
    yield from _records(path, _open_stream(raw, compressed), "gzip" if compressed else "WARC", wanted, size)


def _open_stream(raw, compressed: bool):
    raw.seek(0)
    return _GzipStream(raw) if compressed else raw


def _head(stream, size: int) -> bytes:
    head = b""
    while len(head) < size:
        block = stream.read(size - len(head))
        if not block:
            break
        head += block
    return head


def _records(
    path: str, stream, kind: str, wanted: set[str] | None, size: int | None
) -> Iterator[Article | Problem]:
    done = 0  # records read to their end
    iterator = ArchiveIterator(stream)
    record = None
    try:
        for record in iterator:
            if record.format == "warc" and record.rec_headers.get_header("Content-Length") is None:
                reason = f"truncated or corrupt {kind} after {done} records (a record header is cut)"
                yield Problem(path, reason)
                return
            try:
                result = _page(path, record, wanted)
            except _Damaged:
                raise
            except Exception as error:  # noqa: BLE001 -- one odd page must not end the file
                result = Problem(_source(path, record), f"unreadable record: {_one_line(error)}")
            if result is not None:
                yield result
            done += 1
    except _Damaged as error:
        yield Problem(path, error.after(done))
        return
    except Exception as error:  # noqa: BLE001 -- warcio raises assorted errors on broken input
        yield Problem(path, f"corrupt {kind} after {done} records: {_one_line(error)}")
        return
    # warcio stops quietly at a cut in a plain file: look for a record cut short or bytes left over
    if record is not None and _cut_short(record):
        yield Problem(path, f"truncated WARC after {done - 1} records (the last record is cut short)")
    elif size is not None and iterator.offset < size:
        yield Problem(path, f"truncated WARC after {done} records ({size - iterator.offset} bytes unread)")


def _source(path: str, record) -> str:
    headers = record.rec_headers
    return f"{path}#{headers.get_header('WARC-Record-ID') or headers.get_header('WARC-Target-URI') or '?'}"


def _page(path: str, record, wanted: set[str] | None) -> Article | Problem | None:
    """The record as an Article, a Problem, or None when it is not a page we want."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    http = record.http_headers
    if http.get_statuscode() != "200":
        return None
    content_type = http.get_header("Content-Type") or ""
    if media_type(content_type)[0] not in _HTML_TYPES:
        return None
    header_language = _header_language(http.get_header("Content-Language"))
    if wanted and header_language and header_language not in wanted:
        return None

    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    source = _source(path, record)
    limit = settings.MAX_PAGE_BYTES
    payload = record.content_stream().read(limit + 1)
    if len(payload) > limit:
        return Problem(source, f"page larger than {limit:,} bytes; skipped")
    while record.raw_stream.read(65536):
        pass
    if _cut_short(record):  # the file ended inside this record
        raise _Damaged("truncated WARC", "the last record is cut short")
    try:
        html = decode_html(payload, content_type)
    except NotText as error:
        return Problem(source, f"page is not text: {error}")
    page_language = _html_language(html)
    if wanted and page_language and page_language not in wanted:
        return None
    try:
        article = article_from_html(html, id=_article_id(url), source=source, url=url or None)
    except NoBody as error:
        return Problem(source, str(error))
    article.set("language", page_language, "html")
    article.set("language", header_language, "http")
    warc_date = record.rec_headers.get_header("WARC-Date") or ""
    if re.match(r"\d{4}-\d{2}-\d{2}", warc_date):
        article.set("published", warc_date[:10], "warc-date")
    return article


def _cut_short(record) -> bool:
    """Whether the record's block ended before its Content-Length (only known once it was read through)."""
    return getattr(record.raw_stream, "limit", 0) > 0


def _article_id(url: str) -> str:
    return "warc-" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]


def _header_language(value: str | None) -> str | None:
    """A Content-Language naming exactly one language; a list of several says nothing clear."""
    tags = [tag.strip() for tag in (value or "").split(",") if tag.strip()]
    if len(tags) != 1:
        return None
    match = re.match(r"([A-Za-z]{2,3})(?:-|$)", tags[0])
    return match.group(1).lower() if match else None


def _html_language(html: str) -> str | None:
    match = _HTML_LANG.search(html[:8192])
    return match.group(1).lower() if match else None


def _one_line(error: Exception) -> str:
    return re.sub(r"\s+", " ", str(error) or type(error).__name__).strip()
