"""The "read" stage: any input → a stream of `Article` records (or a `Problem` per bad input).

    read(["articles/", "wire.jsonl", "feed.xml", "crawl.warc.gz", "https://example.org/rss"])

Files are recognised by their ending; folders are walked in name order. Readers never raise for a
bad input: they yield a `Problem` naming it, and go on with the rest.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import settings
from .encoding import UTF8_REPAIRED, NotText, decode
from .htmlpage import NoBody, article_from_html
from .records import Article, Problem

Item = Article | Problem


def read(inputs: Iterable[str | Path], *, fetch_pages: bool = False, fetcher=None) -> Iterator[Item]:
    """Read every input; yield articles with unique ids, and problems."""
    seen: set[str] = set()
    for item in _read_all(inputs, fetch_pages=fetch_pages, fetcher=fetcher):
        if isinstance(item, Article):
            item.id = _unique(item.id, seen)
        yield item


def _read_all(inputs, *, fetch_pages: bool, fetcher) -> Iterator[Item]:
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
                yield from read_file(file, fetch_pages=fetch_pages, fetcher=fetcher)
        elif path.is_file():
            yield from read_file(path, fetch_pages=fetch_pages, fetcher=fetcher, named=True)
        elif "://" in location:
            yield Problem(location, "only http and https URLs can be read")
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


def read_file(path: Path, *, fetch_pages: bool = False, fetcher=None, named: bool = False) -> Iterator[Item]:
    """Read one file. A file given by name with an unknown ending is tried as text."""
    kind = kind_of(path) or ("text" if named else None)
    source = str(path)
    if kind == "warc":
        from .warc import read_warc
        yield from read_warc(source)
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
            yield Problem(source, f"file is {size / 2**20:.0f} MB, larger than the {settings.MAX_FILE_BYTES // 2**20} MB limit")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Problem(source, f"cannot read file ({exc.strerror or exc})")
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
    problem of its own; the other lines are read."""
    source = str(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield Problem(source, f"cannot read file ({exc.strerror or exc})")
        return
    any_line = False
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            any_line = True
            where = f"{source}:{number}"
            if len(line) > settings.MAX_JSONL_LINE_BYTES:
                yield Problem(where, f"line is longer than {settings.MAX_JSONL_LINE_BYTES // 2**20} MB; skipped")
                continue
            try:
                record = json.loads(decode(line)[0])
            except (NotText, ValueError) as exc:
                yield Problem(where, f"invalid JSON ({exc})")
                continue
            if not isinstance(record, dict):
                yield Problem(where, "line is not a JSON object")
                continue
            yield from _article_from_record(record, where=where, default_id=f"{_stem(path)}-{number}")
    if not any_line:
        yield Problem(source, "empty file")


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
            setattr(article, key, value.strip())
            article.provenance[key] = "jsonl"
    yield article


def read_url(url: str, *, fetch_pages: bool = False, fetcher=None) -> Iterator[Item]:
    """A URL is a feed when it answers with a feed, else an article page."""
    from .feeds import read_feed
    from .fetch import Fetcher, FetchError

    fetcher = fetcher or Fetcher()
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


