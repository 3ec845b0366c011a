"""The `chancery.report/1` document (see DESIGN.md, "The report contract")."""
from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from . import __version__, settings
from .link import link
from .outlets import OutletTable
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
        **({"anchor": article.anchor} if article.anchor else {}),
    }


def mention_entry(m: Mention) -> dict:
    return {"text": m.text, "span": [m.start, m.end], "sentence": m.sentence, "how": m.how,
            "actor": m.actor.to_dict()}


def time_entry(t: TimeExpr) -> dict:
    return {"text": t.text, "span": [t.start, t.end], "sentence": t.sentence, "date": t.date,
            "precision": t.precision, "source": t.source, "tense": t.tense, "until": t.until}


def event_entry(e) -> dict:
    return {"id": e.id, "article": e.article, "story": e.story, "sentence": e.sentence, "text": e.text,
            "span": e.span, "type": e.type, "mode": e.mode, "cameo": e.cameo, "quad": e.quad,
            "intensity": e.intensity, "source": e.source, "target": e.target, "date": e.date,
            "date_precision": e.date_precision, "date_source": e.date_source, "location": e.location,
            "status": e.status, "status_cue": e.status_cue, "confidence": e.confidence, "rule": e.rule, "mentions": e.mentions,
            "evidence": e.evidence, "section": e.section}


def fact_entries(article: Article) -> list[dict]:
    return [{"id": f"{article.id}-f{n}", "article": article.id, **f.to_dict()} for n, f in enumerate(article.facts)]


def build_report(articles: Iterable[Article], problems: Iterable[object] = (), stories: Iterable = (),
                 outlets: OutletTable | None = None) -> dict:
    """The report of analysed articles and their stories, with the link stage's fields filled
    (`story_events`, `comparisons`, `framing`; `outlets` gives the outlets' countries)."""
    articles = list(articles)
    stories = list(stories)
    story_of = {article_id: story.id for story in stories for article_id in story.articles}
    for article in articles:
        for event in article.events:
            event.story = story_of.get(article.id)
    report = {
        "schema": settings.REPORT_SCHEMA,
        "generator": f"chancery {__version__}",
        "articles": [article_entry(a) for a in articles],
        "stories": [story.to_dict() for story in stories],
        "events": [event_entry(e) for a in articles for e in a.events],
        "quotes": [q.to_dict() for a in articles for q in a.quotes],
        "facts": [entry for a in articles for entry in fact_entries(a)],
        "comparisons": [],
        "problems": [{"source": p.source, "reason": p.reason} for p in problems],
    }
    return link(report, outlets=outlets)


def write_report(report: dict, path: str | Path | None) -> None:
    text = json.dumps(report, ensure_ascii=False, indent=1)
    if path in (None, "-"):
        print(text)
    else:
        Path(path).write_text(text + "\n", encoding="utf-8")
