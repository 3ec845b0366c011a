"""HTML page → Article: body text and metadata through trafilatura and htmldate."""
from __future__ import annotations

import re

import lxml.html
import trafilatura
from htmldate import find_date

from .records import Article, Removed


class NoBody(ValueError):
    """The page has no extractable article body."""


def article_from_html(html: str, *, id: str, source: str, url: str | None = None) -> Article:
    """Extract the main text and what the page says about itself (title, date, site name, language).

    Figure captions are kept in `removed` (kind caption): they often state the event itself.
    """
    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False,
        include_images=False, deduplicate=False, fast=False,
    )
    text = (doc.text if doc is not None else "") or ""
    if not text.strip():
        if _too_deep(html):
            raise NoBody("HTML page is nested more than 255 levels deep; no article body above that depth")
        raise NoBody("HTML page has no article body")
    article = Article(id=id, source=source, raw=text, url=url, html=html)
    if doc is not None:
        article.set("title", _clean(doc.title), "html")
        article.set("outlet", _clean(doc.sitename), "html")
        article.set("language", doc.language, "html")
        article.set("url", url or doc.url, "html")
    article.set("published", _page_date(html, url), "html")
    for caption in _captions(html):
        if caption not in text:
            article.removed.append(Removed("caption", caption))
    return article


def _page_date(html: str, url: str | None) -> str | None:
    try:
        # extensive_search=False: only dates the page states as metadata, not any date in the text
        return find_date(html, url=url, extensive_search=False, original_date=True)
    except (ValueError, TypeError):
        return None


def _too_deep(html: str) -> bool:
    """Whether the HTML parser (libxml2) stopped at its nesting limit, leaving out what lies deeper."""
    parser = lxml.html.HTMLParser()
    try:
        lxml.html.fromstring(html, parser=parser)
    except (ValueError, lxml.etree.ParserError):
        return False
    return any("depth" in entry.message for entry in parser.error_log)


def _captions(html: str) -> list[str]:
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    found = []
    for node in tree.iter("figcaption"):
        caption = _clean(node.text_content())
        if caption:
            found.append(caption)
    return found


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    value = re.sub(r"\s+", " ", value).strip()
    return value or None
