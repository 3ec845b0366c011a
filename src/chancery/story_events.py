"""The "link: story events" stage: one event record for the many reports of one happening.

Within a story, the per-article events that report the same happening become one story event:

- the same PLOVER type and the same status;
- the same actors: the countries of source and target agree (either order for CONSULT, AGREE and
  COOPERATE), an actor without a country is known by its name, and two named office-holders on
  the same side must be the same person; a missing side (no target) fits any;
- compatible dates: the intervals they stand for overlap. A date the text gives is its day, month
  or year; a date that only repeats the publication, dateline or story date stands for a happening
  up to `default_date_lag_days` (data/compare.toml) before it and a day after it; no date fits a
  day or no date, not a bare week, month or year.

Events join greedily, the best-dated first (a day named in the text, then a target, then
confidence), each into the group it fits best (same countries beat a missing side). A group must
fit every member, so a fuzzy event cannot bridge two days the text keeps apart.

Works on report-shaped dicts (`build_report`'s entries, or rows read back from the database):

    from chancery.story_events import story_events
    report["story_events"] = story_events(report)
"""
from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from collections import Counter, defaultdict
from functools import lru_cache

from .events import SYMMETRIC
from .wordlists import load

__all__ = ["date_interval", "story_events"]

_DEFAULT_SOURCES = frozenset({"published", "dateline", "story"})


def story_events(report: dict) -> list[dict]:
    """One record per happening of each story, most widely reported first within a story."""
    articles = {a["id"]: a for a in report.get("articles", [])}
    by_story: dict[str, list[dict]] = defaultdict(list)
    for event in report.get("events", []):
        if event.get("story"):
            by_story[event["story"]].append(event)
    out: list[dict] = []
    for story in report.get("stories", []):
        groups = _group(story, by_story.get(story["id"], []), articles)
        records = [_record(story, g, articles) for g in groups]
        out += sorted(records, key=lambda r: (-r["num_articles"], r["date"] or "", r["type"]))
    return out


# -- grouping -------------------------------------------------------------------------------------

def _group(story: dict, events: list[dict], articles: dict[str, dict]) -> list[list[dict]]:
    order = {a: n for n, a in enumerate(story.get("articles", []))}
    when = {id(e): _when(e, articles.get(e["article"])) for e in events}
    ranked = sorted(events, key=lambda e: (when[id(e)][1], e.get("target") is None,
                                           -(e.get("confidence") or 0), order.get(e["article"], 0)))
    groups: list[list[dict]] = []
    open_groups: dict[tuple, list[int]] = defaultdict(list)
    for event in ranked:
        best, best_score = None, -1.0
        for g in open_groups[(event["type"], event["status"])]:
            score = _fit(event, groups[g], when)
            if score is not None and score > best_score:
                best, best_score = g, score
        if best is None:
            open_groups[(event["type"], event["status"])].append(len(groups))
            groups.append([event])
        else:
            groups[best].append(event)
    return groups


def _fit(event: dict, group: list[dict], when: dict[int, tuple[tuple[int, int] | None, int]]) -> float | None:
    """How well an event fits a group (higher is better), None when it contradicts a member."""
    total = 0.0
    for member in group:
        if not _dates_fit(when[id(event)], when[id(member)]):
            return None
        score = _actors_fit(event, member)
        if score is None:
            return None
        total += score
    return total / len(group)


def _dates_fit(a: tuple[tuple[int, int] | None, int], b: tuple[tuple[int, int] | None, int]) -> bool:
    """Overlapping intervals; no date fits a day, but not a bare week, month or year: in a story
    nobody dates, "since 1985" is background, and undated reports of the happening are not about it."""
    (span_a, rank_a), (span_b, rank_b) = a, b
    if span_a is None or span_b is None:
        return (span_a or span_b) is None or min(rank_a, rank_b) < 2
    return not (span_a[1] < span_b[0] or span_b[1] < span_a[0])


def _actors_fit(a: dict, b: dict) -> float | None:
    straight = _pair_fit((a.get("source"), a.get("target")), (b.get("source"), b.get("target")))
    if a["type"] not in SYMMETRIC:
        return straight
    crossed = _pair_fit((a.get("source"), a.get("target")), (b.get("target"), b.get("source")))
    scores = [s for s in (straight, crossed) if s is not None]
    return max(scores) if scores else None


def _pair_fit(a: tuple, b: tuple) -> float | None:
    total = 0.0
    for x, y in zip(a, b):
        score = _side_fit(x, y)
        if score is None:
            return None
        total += score
    return total


def _side_fit(x: dict | None, y: dict | None) -> float | None:
    """2 for the same country or organisation (+1 for the same person), 0 for a missing side, None
    for different actors."""
    if not x or not y:
        return 0.0
    ix, iy = _identity(x), _identity(y)
    if ix is None or iy is None:
        return 0.0
    if ix != iy:
        return None
    px, py = _person(x), _person(y)
    if px and py and px != py:
        return None
    return 3.0 if px and px == py else 2.0


def _identity(side: dict) -> str | None:
    return side.get("country") or side.get("name") or None


def _person(side: dict) -> str | None:
    """The name of an office-holder the knowledge knows, else None (countries, organisations, groups)."""
    name = side.get("name")
    return name if name and name in _people() else None


@lru_cache(maxsize=1)
def _people() -> frozenset[str]:
    from .knowledge import knowledge

    return frozenset(knowledge(()).people)  # the same cache entry as the pipeline's Annotator


# -- dates ----------------------------------------------------------------------------------------

def date_interval(event: dict, article: dict | None = None) -> tuple[int, int] | None:
    """The days (proleptic ordinals, inclusive) an event's date stands for; None when undated.

    A date the text gives is its day, week, month or year. A date that only repeats the
    publication, dateline or story date (no time expression of the event's sentence resolves to it)
    is the day the article's text names most often in the `default_date_lag_days` before it (or
    the day after), else it covers all of those days."""
    return _when(event, article)[0]


def _when(event: dict, article: dict | None) -> tuple[tuple[int, int] | None, int]:
    """The interval of `date_interval` and how good a date it is: 0 a day the text names, 1 a day
    repeated from the publication, 2 a week, month or year, 3 none."""
    date, precision = event.get("date"), event.get("date_precision")
    if not date:
        return None, 3
    try:
        if precision == "year" or len(date) == 4:
            year = int(date[:4])
            return (dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()), 2
        if precision == "month" or len(date) == 7:
            year, month = int(date[:4]), int(date[5:7])
            last = calendar.monthrange(year, month)[1]
            return (dt.date(year, month, 1).toordinal(), dt.date(year, month, last).toordinal()), 2
        day = dt.date.fromisoformat(date[:10]).toordinal()
    except ValueError:
        return None, 3
    if precision == "week":
        return (day, day + 6), 2
    if event.get("date_source") in _DEFAULT_SOURCES and not _named_in_text(event, article):
        lag = int(_settings()["default_date_lag_days"])
        reported = _reported_day(article, day - lag, day + 1)
        return ((reported, reported) if reported is not None else (day - lag, day + 1)), 1
    return (day, day), 0


def _reported_day(article: dict | None, first: int, last: int) -> int | None:
    """The day the article's text names most often between `first` and `last` (past tense; the
    latest of equally named ones): the day of the happening it reports, which its undated
    sentences are about too."""
    if not article:
        return None
    named: Counter = Counter()
    for t in article.get("times", ()):
        if t.get("precision") == "day" and t.get("date") and t.get("tense") != "future" and len(t["date"]) >= 10:
            try:
                day = dt.date.fromisoformat(t["date"][:10]).toordinal()
            except ValueError:
                continue
            if first <= day <= last:
                named[day] += 1
    return max(named, key=lambda d: (named[d], d)) if named else None


def _named_in_text(event: dict, article: dict | None) -> bool:
    """Whether a time expression inside the event's sentence resolves to the event's date."""
    span = event.get("span")
    if not article or not span:
        return False
    return any(t.get("date") == event["date"] and span[0] <= t["span"][0] < span[1]
               for t in article.get("times", ()))


# -- records --------------------------------------------------------------------------------------

def _record(story: dict, group: list[dict], articles: dict[str, dict]) -> dict:
    head = group[0]  # the best-dated, most complete report
    article_ids = list(dict.fromkeys(e["article"] for e in group))
    outlets = [(articles.get(a) or {}).get("outlet") for a in article_ids]
    modes = Counter(e["mode"] for e in group if e.get("mode"))
    target = head.get("target") or next((e["target"] for e in group if e.get("target")), None)
    location = head.get("location") or next((e["location"] for e in group if e.get("location")), None)
    digest = hashlib.sha1("|".join([story["id"], *sorted(e["id"] for e in group)]).encode()).hexdigest()[:16]
    return {
        "id": "se-" + digest, "story": story["id"], "type": head["type"],
        "mode": modes.most_common(1)[0][0] if modes else None, "cameo": head.get("cameo"), "quad": head.get("quad"),
        "status": head["status"], "source": head.get("source"), "target": target, "date": head.get("date"),
        "date_precision": head.get("date_precision"), "date_source": head.get("date_source"), "location": location,
        "confidence": max((e.get("confidence") or 0) for e in group),
        "num_articles": len(article_ids), "num_outlets": count_outlets(outlets),
        "articles": article_ids, "outlets": sorted({o for o in outlets if o}),
        "events": [e["id"] for e in group],
        "mentions": [{"article": e["article"], "outlet": (articles.get(e["article"]) or {}).get("outlet"),
                      "event": e["id"], "text": e.get("text"), "span": e.get("span"),
                      "section": e.get("section", "body")} for e in group],
    }


def count_outlets(outlets: list[str | None]) -> int:
    """Distinct outlets; an article whose outlet is unknown counts as an outlet of its own."""
    return len({o for o in outlets if o}) + sum(1 for o in outlets if not o)


@lru_cache(maxsize=1)
def _settings() -> dict:
    return load("compare.toml")["events"]
