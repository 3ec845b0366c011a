"""The `chancery.report/1` document (see DESIGN.md, "The report contract")."""
from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from . import __version__, settings
from .records import Article, Mention, TimeExpr


def article_entry(article: Article) -> dict:
    dateline = article.dateline
    return {
        "id": article.id,
        "source": article.source,
        "url": article.url,
        "outlet": article.outlet,
        "title": article.title,
        "published": article.published,
        "dateline": {"place": dateline.place, "date": dateline.date, "agency": dateline.agency} if dateline else None,
        "language": article.language,
        "text": article.text,
        "removed": [{"kind": r.kind, "text": r.text} for r in article.removed],
        "sentences": [list(s) for s in article.sentences],
        "content_hash": article.content_hash,
        "provenance": article.provenance,
        "mentions": [mention_entry(m) for m in article.mentions],
        "times": [time_entry(t) for t in article.times],
    }


def mention_entry(m: Mention) -> dict:
    return {"text": m.text, "span": [m.start, m.end], "sentence": m.sentence, "how": m.how,
            "actor": m.actor.to_dict()}


def time_entry(t: TimeExpr) -> dict:
    return {"text": t.text, "span": [t.start, t.end], "sentence": t.sentence, "date": t.date,
            "precision": t.precision, "source": t.source, "tense": t.tense, "until": t.until}


def build_report(articles: Iterable[Article], problems: Iterable[object] = ()) -> dict:
    return {
        "schema": settings.REPORT_SCHEMA,
        "generator": f"chancery {__version__}",
        "articles": [article_entry(a) for a in articles],
        "stories": [],
        "events": [],
        "quotes": [],
        "facts": [],
        "comparisons": [],
        "problems": [{"source": p.source, "reason": p.reason} for p in problems],
    }


def write_report(report: dict, path: str | Path | None) -> None:
    text = json.dumps(report, ensure_ascii=False, indent=1)
    if path in (None, "-"):
        print(text)
    else:
        Path(path).write_text(text + "\n", encoding="utf-8")
