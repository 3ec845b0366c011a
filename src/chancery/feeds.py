"""RSS and Atom feeds → Articles, one per entry, through feedparser.

The feed's XML is checked before feedparser sees it: a document type that declares entities (the
"billion laughs" expansion bomb, or external entities that read local files) is refused.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import time
import xml.parsers.expat
from collections.abc import Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime
from html import unescape
from pathlib import Path

import feedparser
import lxml.etree
import lxml.html

from . import settings
from .encoding import NotText
from .fetch import Fetcher, FetchError, decode_html, media_type
from .htmlpage import NoBody, article_from_html
from .readers import file_too_large
from .records import Article, Problem

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_BLOCKS = {
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure", "footer",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "ol", "p", "pre", "section", "table",
    "tr", "ul",
}


def read_feed(
    location: str | os.PathLike,
    *,
    fetch_pages: bool = False,
    fetcher: Fetcher | None = None,
    body: bytes | None = None,
) -> Iterator[Article | Problem]:
    """Yield one Article per feed entry, or a Problem saying why an entry or the feed could not be read.

    `location` is a file path or an http(s) URL. `body`, when given, is the feed's bytes already read
    from `location` (which then only names the feed). With `fetch_pages`, each entry's link is fetched
    and the page becomes the article; when that fails, a Problem names the page and the entry's own
    content (if any) is used instead.
    """
    location = str(location)
    own_fetcher = fetcher is None and (fetch_pages or (body is None and _is_url(location)))
    if own_fetcher:
        fetcher = Fetcher()
    try:
        yield from _read(location, body, fetch_pages=fetch_pages, fetcher=fetcher)
    finally:
        if own_fetcher:
            fetcher.close()


def _read(
    location: str, body: bytes | None, *, fetch_pages: bool, fetcher: Fetcher | None
) -> Iterator[Article | Problem]:
    data, headers = (body, {}) if body is not None else _load(location, fetcher)
    if isinstance(data, Problem):
        yield data
        return
    if not data.strip():
        yield Problem(location, "feed is empty")
        return
    refusal = entity_refusal(data)
    if refusal:
        yield Problem(location, refusal)
        return
    # a stream, never bytes: feedparser would take bytes that look like a path for a file name and open it
    parsed = feedparser.parse(
        io.BytesIO(data), response_headers=headers, sanitize_html=True, resolve_relative_uris=True
    )
    if not parsed.entries:
        error = _one_line(parsed.get("bozo_exception")) if parsed.bozo else ""
        if parsed.get("version"):
            yield Problem(location, "feed has no entries" + (f" ({error})" if error else ""))
        elif error:
            yield Problem(location, f"not a readable feed: {error}")
        else:
            yield Problem(location, "not an RSS or Atom feed")
        return

    feed = parsed.feed
    outlet = _plain(feed, "title")
    name = _slug(outlet or "") or _slug(_location_name(location)) or "feed"
    language = _primary_language(feed.get("language"))
    seen: set[str] = set()
    for index, entry in enumerate(parsed.entries):
        key = entry.get("id") or entry.get("link") or f"{entry.get('title', '')}|{entry.get('published', '')}"
        if not key.strip("|"):
            key = f"{location}#{index}"
        if key in seen:
            continue  # the same entry listed twice
        seen.add(key)
        entry_id = f"{name}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:12]}"
        source = f"{location}#{entry.get('id') or index}"
        link = entry.get("link") or None

        article = None
        if fetch_pages and link:
            article = yield from _page_article(link, entry_id, source, fetcher)
        if article is None:
            article = _entry_article(entry, entry_id, source)
        if article is None:
            if not (fetch_pages and link):  # else the page's Problem was given already
                hint = "; fetch_pages would read the linked page" if link else ""
                yield Problem(source, f"entry has no content{hint}")
            continue
        article.set("url", link, "feed")
        article.set("title", _plain(entry, "title"), "feed")
        article.set("published", _entry_date(entry), "feed")
        article.set("outlet", outlet, "feed")
        article.set("language", language, "feed")
        yield article


def entity_refusal(data: bytes) -> str | None:
    """Why the XML must not be parsed (it declares entities), or None.

    Only the prolog is read: expat stops at the first element or at the first entity declaration,
    so a bomb is never expanded and an external entity never read or fetched.
    """
    class _Stop(Exception):
        pass

    declared: list[str] = []

    def on_entity(name, is_parameter, value, base, system_id, *_rest) -> None:
        shown = ("%" if is_parameter else "") + (name or "?")
        if system_id:
            declared.append(f"external XML entity {shown!r} ({_short(system_id)}); refused, never read")
        else:
            declared.append(f"XML entity {shown!r}; refused for safety (entity expansion)")
        raise _Stop

    def on_unparsed(name, base, system_id, *_rest) -> None:
        declared.append(f"external XML entity {name!r} ({_short(system_id)}); refused, never read")
        raise _Stop

    def on_reference(context, base, system_id, *_rest) -> None:
        declared.append(f"a reference to external XML entity ({_short(system_id)}); refused, never read")
        raise _Stop

    def on_element(*_args) -> None:
        raise _Stop

    parser = xml.parsers.expat.ParserCreate()
    parser.EntityDeclHandler = on_entity
    parser.UnparsedEntityDeclHandler = on_unparsed
    parser.ExternalEntityRefHandler = on_reference
    parser.StartElementHandler = on_element
    try:
        parser.Parse(data, True)
    except _Stop:
        pass
    except xml.parsers.expat.ExpatError:
        # not well-formed before the first element (feedparser may still read it loosely): refuse any
        # entity declaration anywhere in the document
        if re.search(rb"<!\s*ENTITY", data.replace(b"\x00", b""), re.IGNORECASE):
            declared.append("XML entities; refused for safety")
    return f"feed declares {declared[0]}" if declared else None


def _short(text: str | None, size: int = 60) -> str:
    text = re.sub(r"\s+", " ", text or "?")
    return text if len(text) <= size else text[: size - 1] + "…"


# -- input --------------------------------------------------------------------------------------------

def _load(location: str, fetcher: Fetcher | None) -> tuple[bytes | Problem, dict]:
    if _is_url(location):
        try:
            result = fetcher.get(location)
        except FetchError as error:
            return Problem(location, f"could not fetch feed: {error}"), {}
        headers = {"content-type": result.content_type} if result.content_type else {}
        return result.body, headers
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]+://", location):
        return Problem(location, "unsupported URL scheme; give an http(s) URL or a file path"), {}
    try:
        size = Path(location).stat().st_size
        if size > settings.MAX_FILE_BYTES:
            return Problem(location, file_too_large(size)), {}
        return Path(location).read_bytes(), {}
    except OSError as error:
        return Problem(location, f"cannot read feed file: {error.strerror or error}"), {}


def _is_url(location: str) -> bool:
    return location.lower().startswith(("http://", "https://"))


def _location_name(location: str) -> str:
    if _is_url(location):
        return re.sub(r"^(?:https?://)?(?:www\.)?", "", location.lower()).split("/", 1)[0]
    return Path(location).stem


# -- entries ------------------------------------------------------------------------------------------

def _page_article(link: str, entry_id: str, source: str, fetcher: Fetcher):
    """Article from the entry's web page, or None after yielding a Problem for the page."""
    try:
        result = fetcher.get(link)
    except FetchError as error:
        yield Problem(link, f"could not fetch page: {error}")
        return None
    mime = media_type(result.content_type)[0]
    if mime and mime not in _HTML_TYPES:
        yield Problem(link, f"page is not HTML ({mime})")
        return None
    try:
        html = decode_html(result.body, result.content_type)
        return article_from_html(html, id=entry_id, source=source, url=result.url)
    except (NotText, NoBody) as error:
        yield Problem(link, f"page unusable: {error}")
        return None


def _entry_article(entry, entry_id: str, source: str) -> Article | None:
    content, kind = _entry_content(entry)
    if not content.strip():
        return None
    if "html" not in kind and not re.search(r"<[A-Za-z/!]", content):
        return Article(id=entry_id, source=source, raw=_clean_lines(content))
    if re.search(r"<(?:html|body)[\s>]", content[:2000], re.IGNORECASE):
        try:
            return article_from_html(content, id=entry_id, source=source)
        except NoBody:
            pass
    text = _strip_tags(content)
    if not text:
        return None
    return Article(id=entry_id, source=source, raw=text, html=content)


def _entry_content(entry) -> tuple[str, str]:
    """The entry's fullest text: content (Atom content, RSS content:encoded) before summary."""
    for item in entry.get("content") or []:
        if (item.get("value") or "").strip():
            return item["value"], (item.get("type") or "text/html").lower()
    detail = entry.get("summary_detail") or {}
    return entry.get("summary") or "", (detail.get("type") or "text/html").lower()


def _entry_date(entry) -> str | None:
    """The entry's date as stated in the feed (its own time zone), else feedparser's UTC reading."""
    for field in ("published", "updated"):
        stated = (entry.get(field) or "").strip()
        if not stated:
            continue
        for parse in (parsedate_to_datetime, datetime.fromisoformat):
            try:
                return parse(stated).date().isoformat()
            except (TypeError, ValueError, IndexError):
                pass
        parsed = entry.get(f"{field}_parsed")
        if parsed:
            return time.strftime("%Y-%m-%d", parsed)
    return None


# -- text ---------------------------------------------------------------------------------------------

def _strip_tags(html: str) -> str:
    """An HTML fragment → text, one line per paragraph or other block."""
    if "<" not in html:
        return _clean_lines(unescape(html))
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return _clean_lines(re.sub(r"<[^>]*>", " ", html))
    for node in list(root.iter("script", "style", "noscript", "template")):
        node.drop_tree()
    preformatted = {node for pre in root.iter("pre") for node in pre.iter()}
    for node in root.iter(lxml.etree.Element):
        # line breaks in the source are layout, not text (except in <pre>)
        if node.text and node not in preformatted:
            node.text = re.sub(r"\s+", " ", node.text)
        if node.tail and node.getparent() not in preformatted:
            node.tail = re.sub(r"\s+", " ", node.tail)
    for node in root.iter(lxml.etree.Element):
        if node.tag == "br":
            node.tail = "\n" + (node.tail or "")
        elif node.tag in _BLOCKS:
            node.text = "\n" + (node.text or "")
            node.tail = "\n" + (node.tail or "")
    return _clean_lines(root.text_content())


def _plain(element, name: str) -> str | None:
    """A one-line field (title) as plain text; feedparser has already decoded it unless it is HTML."""
    value = element.get(name) or ""
    kind = ((element.get(f"{name}_detail") or {}).get("type") or "").lower()
    return _clean(_strip_tags(value) if "html" in kind else value)


def _clean_lines(text: str) -> str:
    lines = (re.sub(r"[^\S\n]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _clean(value: str | None) -> str | None:
    value = re.sub(r"\s+", " ", value or "").strip()
    return value or None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-")


def _primary_language(tag: str | None) -> str | None:
    match = re.match(r"\s*([A-Za-z]{2,3})(?:[-_]|\s*$)", tag or "")
    return match.group(1).lower() if match else None


def _one_line(error) -> str:
    text = re.sub(r"\s+", " ", str(error) if error else "unknown error").strip()
    return re.sub(r"^<unknown>:(\d+):(\d+): ", r"line \1, column \2: ", text)
