"""The "read" stage: any input → a stream of `Article` records (or a `Problem` per bad input).

    read(["articles/", "wire.jsonl", "feed.xml", "crawl.warc.gz", "https://example.org/rss"])

Files are recognised by their ending; folders are walked in name order. Readers never raise for a
bad input: they yield a `Problem` naming it, and go on with the rest.
"""
from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import settings
from .dates import iso, parse_date
from .encoding import UTF8_REPAIRED, NotText, decode
from .htmlpage import NoBody, article_from_html
from .records import Article, Problem

Item = Article | Problem


def read(inputs: Iterable[str | Path], *, fetch_pages: bool = False, fetcher=None,
         allow_private: bool = False, languages: set[str] | None = None) -> Iterator[Item]:
    """Read every input; yield articles with unique ids, and problems.

    URLs are fetched with `fetcher`; without one, a `Fetcher(allow_private=allow_private)` is made on
    first use for the whole run (so robots.txt and the spacing of requests hold across inputs) and
    closed at the end. An article whose text is longer than `settings.MAX_ARTICLE_CHARS` is refused.
    With `languages` (e.g. {"en"}), articles known to be in another language are left out silently
    (WARC pages before their HTML is even parsed); articles of unknown language are kept.
    """
    wanted = {language.lower().split("-")[0] for language in languages} if languages else None
    own = _LazyFetcher(allow_private) if fetcher is None else None
    seen: set[str] = set()
    try:
        for item in _read_all(inputs, fetch_pages=fetch_pages, fetcher=fetcher or own, languages=wanted):
            item = _valid_unicode(item)
            if isinstance(item, Article):
                if wanted and item.language and item.language.lower().split("-")[0] not in wanted:
                    continue
                if len(item.raw) > settings.MAX_ARTICLE_CHARS:
                    yield Problem(item.source, too_long(len(item.raw)))
                    continue
                item.id = _unique(item.id, seen)
            yield item
    finally:
        if own is not None:
            own.close()


_SURROGATE = re.compile("[\ud800-\udfff]")
_NAMES = ("id", "source")  # taken from file names, where a lone surrogate stands for an undecodable byte
_TEXTS = ("raw", "html", "url", "outlet", "title", "published", "language")


def _valid_unicode(item: Item) -> Item:
    """The item with no lone surrogates left, which no later stage could encode: an undecodable byte in a
    file name (Python's surrogate escape) is shown as \\xNN, a surrogate in text (from a JSON \\ud800
    escape, say) becomes U+FFFD."""
    if isinstance(item, Problem):
        if _SURROGATE.search(item.source) or _SURROGATE.search(item.reason):
            return Problem(_SURROGATE.sub(_escape, item.source), _SURROGATE.sub(_escape, item.reason))
        return item
    changes = {}
    for name in (*_NAMES, *_TEXTS):
        value = getattr(item, name)
        if isinstance(value, str) and _SURROGATE.search(value):
            changes[name] = _SURROGATE.sub(_escape if name in _NAMES else "\ufffd", value)
    if not changes:
        return item
    return dataclasses.replace(item, **changes, content_hash="")  # the hash is made again from the text


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "\ufffd"


def too_long(chars: int) -> str:
    """The reason given for an article over the size limit."""
    return (f"text is {chars:,} characters, more than the {settings.MAX_ARTICLE_CHARS:,} allowed for one "
            "article; refused (split it into articles)")


class _LazyFetcher:
    """A default Fetcher made on first use, so that runs without URLs never open a client."""

    def __init__(self, allow_private: bool) -> None:
        self._allow_private = allow_private
        self._fetcher = None

    def get(self, url: str):
        if self._fetcher is None:
            from .fetch import Fetcher
            self._fetcher = Fetcher(allow_private=self._allow_private)
        return self._fetcher.get(url)

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()


def _read_all(inputs, *, fetch_pages: bool, fetcher, languages: set[str] | None = None) -> Iterator[Item]:
    for entry in inputs:
        location = str(entry)
        if location.startswith(("http://", "https://")):
            yield from read_url(location, fetch_pages=fetch_pages, fetcher=fetcher)
            continue
        path = Path(location)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p, path) and kind_of(p))
            if not files:
                yield Problem(location, "folder holds no readable files (.txt, .html, .jsonl, .xml, .warc)")
            for file in files:
                yield from read_file(file, fetch_pages=fetch_pages, fetcher=fetcher, languages=languages)
        elif path.is_file():
            yield from read_file(path, fetch_pages=fetch_pages, fetcher=fetcher, named=True, languages=languages)
        elif "://" in location:
            yield Problem(location, "only http and https URLs can be read")
        elif path.exists():  # a device, a named pipe, a socket: reading could block or never end
            yield Problem(location, "not a regular file or folder; not read")
        else:
            yield Problem(location, "no such file or folder")


def kind_of(path: Path) -> str | None:
    name = path.name.lower()
    for kind, suffixes in (("warc", settings.WARC_SUFFIXES), ("text", settings.TEXT_SUFFIXES),
                           ("html", settings.HTML_SUFFIXES), ("jsonl", settings.JSONL_SUFFIXES),
                           ("feed", settings.FEED_SUFFIXES)):
        if name.endswith(suffixes):
            return kind
    return None


def read_file(path: Path, *, fetch_pages: bool = False, fetcher=None, named: bool = False,
              languages: set[str] | None = None) -> Iterator[Item]:
    """Read one file. A file given by name with an unknown ending is tried as text."""
    kind = kind_of(path) or ("text" if named else None)
    source = str(path)
    if kind == "warc":
        from .warc import read_warc
        yield from read_warc(source, languages=languages)
        return
    if kind == "feed":
        from .feeds import read_feed
        yield from read_feed(source, fetch_pages=fetch_pages, fetcher=fetcher)
        return
    if kind == "jsonl":
        yield from read_jsonl(path)
        return
    try:
        size = path.stat().st_size
        if size > settings.MAX_FILE_BYTES:
            yield Problem(source, file_too_large(size))
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Problem(source, f"cannot read file ({exc.strerror or exc})")
        return
    if data.startswith(b"\x1f\x8b"):
        yield Problem(source, "gzip-compressed file; only .jsonl.gz and .warc.gz are read compressed")
        return
    yield from _article_from_bytes(data, id=_stem(path), source=source, html=kind == "html")


def _article_from_bytes(data: bytes, *, id: str, source: str, html: bool, url: str | None = None) -> Iterator[Item]:
    if not data.strip():
        yield Problem(source, "empty file")
        return
    try:
        text, encoding = decode(data)
    except NotText as exc:
        yield Problem(source, str(exc))
        return
    if encoding == UTF8_REPAIRED:
        yield Problem(source, "invalid UTF-8; undecodable bytes were replaced with U+FFFD and the rest read")
    if not text.strip():
        yield Problem(source, "empty file")
        return
    if html or _looks_like_html(text):
        try:
            yield article_from_html(text, id=id, source=source, url=url)
        except NoBody as exc:
            yield Problem(source, str(exc))
        return
    yield Article(id=id, source=source, raw=text, url=url)


def read_jsonl(path: Path) -> Iterator[Item]:
    """One article per line: id, text or html, title, outlet, published, url. A bad line is a
    problem of its own; the other lines are read. `.jsonl.gz` is read decompressed, line by line;
    a damaged gzip file gives the records before the damage, then one problem."""
    source = str(path)
    compressed = path.name.lower().endswith(".gz")
    try:
        handle = gzip.open(path, "rb") if compressed else path.open("rb")  # noqa: SIM115 -- closed below
    except OSError as exc:
        yield Problem(source, f"cannot read file ({exc.strerror or exc})")
        return
    any_line = False
    number = 0
    with handle:
        try:
            for number, line in _bounded_lines(handle, settings.MAX_JSONL_LINE_BYTES):
                if line is None:
                    any_line = True
                    yield Problem(f"{source}:{number}",
                                  f"line is longer than the limit of {_size(settings.MAX_JSONL_LINE_BYTES)}; skipped")
                    continue
                if not line.strip():
                    continue
                any_line = True
                yield from _jsonl_line(line, where=f"{source}:{number}", default_id=f"{_stem(path)}-{number}")
        except EOFError:
            yield Problem(source, f"truncated gzip after {number} lines")
            return
        except (OSError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
            what = "not a gzip file" if number == 0 else f"corrupt gzip after {number} lines"
            yield Problem(source, f"{what} ({exc})")
            return
    if not any_line:
        yield Problem(source, "empty file")


def _bounded_lines(handle, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) for each line of a binary file; None for a line longer than `limit` bytes,
    which is skipped in blocks and never held whole in memory."""
    number = 0
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while True:
                rest = handle.readline(65536)
                if not rest or rest.endswith(b"\n"):
                    break
            yield number, None
            continue
        yield number, line


def _jsonl_line(line: bytes, *, where: str, default_id: str) -> Iterator[Item]:
    try:
        record = json.loads(decode(line)[0])
    except (NotText, ValueError, RecursionError) as exc:
        yield Problem(where, f"invalid JSON ({_one_line(exc)})")
        return
    if not isinstance(record, dict):
        yield Problem(where, "line is not a JSON object")
        return
    yield from _article_from_record(record, where=where, default_id=default_id)


def _article_from_record(record: dict, *, where: str, default_id: str) -> Iterator[Item]:
    text, html = record.get("text"), record.get("html")
    if not (isinstance(text, str) and text.strip()) and not (isinstance(html, str) and html.strip()):
        yield Problem(where, "record has no 'text' or 'html'")
        return
    id = str(record.get("id") or default_id)
    url = record.get("url") if isinstance(record.get("url"), str) else None
    if isinstance(text, str) and text.strip():
        article = Article(id=id, source=where, raw=text, url=url)
    else:
        try:
            article = article_from_html(html, id=id, source=where, url=url)
        except NoBody as exc:
            yield Problem(where, str(exc))
            return
    for key in ("title", "outlet", "published", "language"):
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            if key == "published" and publication_date(value) is None:
                yield Problem(where, f"'published' is not a date ({_short(value)!r}); ignored")
                continue
            setattr(article, key, publication_date(value) if key == "published" else value.strip())
            article.provenance[key] = "jsonl"
    yield article


def publication_date(value: str) -> str | None:
    """A publication date as given by a crawler → ISO (YYYY-MM-DD, or YYYY-MM / YYYY when that is all it
    says); None when it is not a real date ("2025-13-40", "yesterday")."""
    value = value.strip()
    partial = re.fullmatch(r"((?:19|20)\d\d)(?:-(\d\d))?", value)
    if partial:
        return value if not partial.group(2) or 1 <= int(partial.group(2)) <= 12 else None
    parsed = parse_date(value, whole=False)
    return iso(*parsed) if parsed and parsed[0] else None


def _short(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def read_url(url: str, *, fetch_pages: bool = False, fetcher=None) -> Iterator[Item]:
    """A URL is a feed when it answers with a feed, else an article page."""
    from .feeds import read_feed
    from .fetch import Fetcher, FetchError

    if fetcher is None:
        with Fetcher() as own:
            yield from read_url(url, fetch_pages=fetch_pages, fetcher=own)
        return
    try:
        page = fetcher.get(url)
    except FetchError as exc:
        yield Problem(url, str(exc))
        return
    head = page.body[:500].lstrip().lower()
    if "xml" in (page.content_type or "") or head.startswith((b"<?xml", b"<rss", b"<feed")):
        yield from read_feed(url, fetch_pages=fetch_pages, fetcher=fetcher, body=page.body)
        return
    yield from _article_from_bytes(page.body, id=_url_id(page.url), source=url, html=True, url=page.url)


def _looks_like_html(text: str) -> bool:
    head = text[:1000].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in head)


def _url_id(url: str) -> str:
    return "url-" + hashlib.sha1(url.encode()).hexdigest()[:16]


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".warc.gz", *settings.TEXT_SUFFIXES, *settings.HTML_SUFFIXES, *settings.JSONL_SUFFIXES):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _unique(id: str, seen: set[str]) -> str:
    candidate, n = id, 1
    while candidate in seen:
        n += 1
        candidate = f"{id}-{n}"
    seen.add(candidate)
    return candidate


def file_too_large(size: int) -> str:
    """The reason given for a file over `settings.MAX_FILE_BYTES`."""
    return f"file is {_size(size)}, larger than the limit of {_size(settings.MAX_FILE_BYTES)}; not read"


def _size(count: int) -> str:
    return f"{count / 2**20:.1f} MB" if count >= 2**20 else f"{count:,} bytes"


def _one_line(error: Exception) -> str:
    return re.sub(r"\s+", " ", str(error) or type(error).__name__).strip()
