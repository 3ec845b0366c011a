"""The "link" stage after story clustering: dates lent by stories, and the cross-article fields.

Two entry points, one per kind of input:

    articles = propagate_dates(articles, stories, pipeline.analyse)   # in memory, before the report
    report = link(report)                                              # on a report-shaped dict

`propagate_dates` gives an article with no date of its own (no publication date, no date in its
dateline) the date of its story, taken from the publication dates of the story's dated articles,
and runs its annotate and extract stages again so that "on Thursday" and "last year" resolve. The
article's `published` stays empty: the date is lent through `Article.anchor`, and every event date
that came from it says `date_source: "story"`.

`link` fills the report's `story_events` (chancery.story_events), `comparisons`
(chancery.compare) and `framing` (chancery.framing). It reads only the report's entries, so it runs
the same on a fresh report and on rows read back from the database.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor

from .annotate import anchor_date
from .compare import compare
from .framing import framing
from .outlets import OutletTable
from .records import Article
from .story_events import story_events
from .wordlists import load

__all__ = ["link", "propagate_dates", "story_anchor"]

STORY_SOURCES = frozenset({"relative", "dateline", "published"})  # dates that only an anchor can give
MIN_PARALLEL = 32  # fewer articles than this are analysed again in this process


def link(report: dict, *, outlets: OutletTable | None = None) -> dict:
    """Fill `story_events`, `comparisons` and `framing` of a report (in place) and return it."""
    report["story_events"] = story_events(report)
    report["comparisons"] = compare(report, report["story_events"])
    report["framing"] = framing(report, report["comparisons"], outlets)
    return report


def story_anchor(dates: Iterable[str | None]) -> str | None:
    """The date a story lends its undated articles: the publication (or dateline) day most of its
    dated articles share, the latest of equally common ones; None when they lie more than
    `max_spread_days` (data/compare.toml) apart, as a story known only by publication dates may:
    then the story's date is too vague to say which Thursday "on Thursday" was."""
    counts = Counter(d[:10] for d in dates if d and len(d) >= 10)
    if not counts:
        return None
    try:
        days = [dt.date.fromisoformat(d).toordinal() for d in counts]
    except ValueError:
        return None
    if max(days) - min(days) > int(load("compare.toml")["dates"]["max_spread_days"]):
        return None
    return max(counts, key=lambda d: (counts[d], d))


def propagate_dates(articles: list[Article], stories: Iterable, analyse: Callable[[Article], Article],
                    workers: int | None = None) -> list[Article]:
    """The articles, with each undated one that belongs to a story with dated articles analysed again
    against the story's date (`analyse`: the per-article stages after cleaning, `Pipeline.analyse`;
    `workers` processes, default one per CPU). Articles with a date of their own are returned
    unchanged."""
    by_id = {a.id: a for a in articles}
    lent: list[Article] = []
    for story in stories:
        members = [by_id[a] for a in story.articles if a in by_id]
        anchor = story_anchor(anchor_date(a) for a in members)
        if anchor is None:
            continue
        lent += [dataclasses.replace(a, anchor=anchor, provenance={**a.provenance, "anchor": "story"})
                 for a in members if anchor_date(a) is None]
    redone: dict[str, Article] = {}
    for again in _analyse_all(lent, analyse, workers):
        _mark_story_dates(by_id[again.id], again)
        redone[again.id] = again
    return [redone.get(a.id, a) for a in articles]


def _analyse_all(articles: list[Article], analyse: Callable[[Article], Article], workers: int | None) -> list[Article]:
    """`analyse` over the articles, in worker processes when there are enough of them to pay for it
    (the per-article stages are pure; forked workers inherit `analyse` without pickling it)."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers < 2 or len(articles) < MIN_PARALLEL or "fork" not in multiprocessing.get_all_start_methods():
        return [analyse(a) for a in articles]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=_worker_init,
                             initargs=(analyse,)) as pool:
        return list(pool.map(_worker_analyse, articles, chunksize=max(1, len(articles) // (4 * workers))))


_worker_stage: Callable[[Article], Article] | None = None  # set in each worker process only


def _worker_init(analyse: Callable[[Article], Article]) -> None:
    global _worker_stage
    _worker_stage = analyse


def _worker_analyse(article: Article) -> Article:
    assert _worker_stage is not None
    return _worker_stage(article)


def _mark_story_dates(before: Article, after: Article) -> None:
    """Say `date_source: "story"` for every event date the story's date gave: relative dates, the
    default date, and explicit dates the text left without a year ("Sept. 2")."""
    undated_before = {(t.start, t.end) for t in before.times if not t.date}
    for event in after.events:
        if not event.date:
            continue
        if event.date_source in STORY_SOURCES:
            event.date_source = "story"
        elif event.date_source == "explicit" and event.span and event.section == "body":
            resolving = [t for t in after.times if t.date == event.date and event.span[0] <= t.start < event.span[1]]
            if resolving and all((t.start, t.end) in undated_before for t in resolving):
                event.date_source = "story"
