"""Read-only questions a user asks of a store: filtered lists, one record, time series, the network.

The API, the dashboard, the exports and the notebook interface all go through these functions, so a
filter means the same everywhere. Every value a user gives reaches the database as a bound
parameter; invalid filters raise `QueryError` with a message that names the parameter.

    page = events(store, EventFilter(dyad="CHN-RUS", quad="verbal_cooperation"), limit=50)
    page.rows, page.total, page.more
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, fields
from datetime import date, timedelta

import sqlalchemy as sa

from .storage import (
    SearchError,
    Store,
    articles_table,
    events_table,
    facts_table,
    link_table,
    quotes_table,
    stories_table,
    story_articles_table,
)

__all__ = ["EventFilter", "Page", "QueryError", "article", "comparisons", "dyad_series", "event", "events", "facts",
           "iter_events", "iter_table", "network", "overview", "quotes", "search", "stories", "story"]

MAX_LIMIT = 1000
MAX_OFFSET = 10**9  # databases take 64-bit offsets; anything near that is a mistake, not a page
COUNT_CAP = 1_000  # totals above this are reported as "more than"; counting a million rows is not free
QUADS = ("verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict")
STATUSES = ("asserted", "negated", "hypothetical", "future", "historical")
FREQUENCIES = {"D": "day", "W": "week", "M": "month", "Y": "year"}
EVENT_SORTS = {"date": "date", "type": "type", "outlet": "outlet", "source": "source_name",
               "target": "target_name", "intensity": "intensity", "id": "pk"}
_COUNTRY = re.compile(r"^[A-Z]{3}$")
_ISO_DAY = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class QueryError(ValueError):
    """A filter or parameter that cannot be used; the message names it and says why."""


@dataclass
class Page:
    rows: list[dict]
    total: int  # exact when `more` is False and total <= COUNT_CAP
    limit: int
    offset: int
    capped: bool = False  # there are more than COUNT_CAP matches; `total` is COUNT_CAP

    @property
    def more(self) -> bool:
        return self.offset + len(self.rows) < self.total


@dataclass
class EventFilter:
    """Filters for events; every field is optional. `dyad` is "AAA-BBB" in either direction;
    `country` matches source or target; `actor` a source or target name (case-insensitive, exact);
    `text` words that must occur in the evidence sentence; dates are ISO (YYYY, YYYY-MM or YYYY-MM-DD)."""

    actor: str | None = None
    country: str | None = None
    dyad: str | None = None
    type: str | None = None
    quad: str | None = None
    status: str | None = None
    start: str | None = None
    end: str | None = None
    outlet: str | None = None
    story: str | None = None
    article: str | None = None
    text: str | None = None

    def check(self) -> EventFilter:
        for name in ("country",):
            value = getattr(self, name)
            if value is not None and not _COUNTRY.match(value.upper()):
                raise QueryError(f"{name}: expected a three-letter country code such as CHN, not {value!r}")
        if self.dyad is not None and len(_dyad(self.dyad)) != 2:
            raise QueryError(f"dyad: expected two country codes such as CHN-RUS, not {self.dyad!r}")
        if self.quad is not None and self.quad not in QUADS:
            raise QueryError(f"quad: expected one of {', '.join(QUADS)}, not {self.quad!r}")
        if self.status is not None and self.status not in STATUSES:
            raise QueryError(f"status: expected one of {', '.join(STATUSES)}, not {self.status!r}")
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None and not _valid_day(value):
                raise QueryError(f"{name}: expected a date YYYY-MM-DD (or YYYY-MM, YYYY), not {value!r}")
        if self.start and self.end and _day_bounds(self.start)[0] > _day_bounds(self.end)[1]:
            raise QueryError(f"start {self.start} is after end {self.end}")
        return self

    def as_params(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) not in (None, "")}


def _dyad(value: str) -> list[str]:
    parts = [p for p in re.split(r"[-_,|/ ]+", value.strip().upper()) if p]
    return parts if all(_COUNTRY.match(p) for p in parts) else []


def _valid_day(value: str) -> bool:
    if not _ISO_DAY.match(value):
        return False
    try:
        _day_bounds(value)
    except ValueError:
        return False
    return True


def _day_bounds(value: str) -> tuple[str, str]:
    """The first and last day an ISO date of any precision covers."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        day = date(*parts)
        return day.isoformat(), day.isoformat()
    if len(parts) == 2:
        first = date(parts[0], parts[1], 1)
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return first.isoformat(), last.isoformat()
    return date(parts[0], 1, 1).isoformat(), date(parts[0], 12, 31).isoformat()


def _current():
    return sa.select(articles_table.c.pk).where(articles_table.c.is_current)


def _event_conditions(f: EventFilter) -> list:
    e = events_table
    conditions = [e.c.current]
    if f.actor:
        name = f.actor.lower()
        conditions.append(sa.or_(sa.func.lower(e.c.source_name) == name, sa.func.lower(e.c.target_name) == name))
    if f.country:
        code = f.country.upper()
        conditions.append(sa.or_(e.c.source_country == code, e.c.target_country == code))
    if f.dyad:
        a, b = _dyad(f.dyad)
        conditions.append(sa.or_(sa.and_(e.c.source_country == a, e.c.target_country == b),
                                 sa.and_(e.c.source_country == b, e.c.target_country == a)))
    for name in ("type", "quad", "status"):
        if getattr(f, name):
            conditions.append(e.c[name] == getattr(f, name).upper() if name == "type" else e.c[name] == getattr(f, name))
    if f.start:
        # the start as written: "2024-05" then also takes events dated only by that month (or year)
        conditions.append(e.c.date >= f.start)
    if f.end:
        conditions.append(e.c.date <= _day_bounds(f.end)[1] + "~")  # "~" sorts after any suffix
    if f.outlet:
        conditions.append(sa.func.lower(e.c.outlet) == f.outlet.lower())
    if f.story:
        conditions.append(e.c.article_pk.in_(sa.select(story_articles_table.c.article_pk)
                                             .where(story_articles_table.c.story_id == f.story)))
    if f.article:
        conditions.append(e.c.article_pk.in_(_current().where(articles_table.c.article_id == f.article)))
    if f.text:
        for word in f.text.split():
            conditions.append(e.c.text.ilike("%" + _escape_like(word) + "%", escape="\\"))
    return conditions


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _check_paging(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit: expected 1 to {MAX_LIMIT}, not {limit}")
    if not 0 <= offset <= MAX_OFFSET:
        raise QueryError(f"offset: expected 0 to {MAX_OFFSET}, not {offset}")


def _page(store: Store, query: sa.Select, order: list, limit: int, offset: int, make) -> Page:
    _check_paging(limit, offset)
    with store.engine.connect() as connection:
        rows = connection.execute(query.order_by(*order).limit(limit).offset(offset)).all()
        if offset == 0 and len(rows) < limit:
            total, capped = len(rows), False
        else:
            counted = connection.execute(sa.select(sa.func.count()).select_from(
                query.order_by(None).limit(COUNT_CAP + 1).subquery())).scalar_one()
            total, capped = min(counted, COUNT_CAP), counted > COUNT_CAP
    return Page([make(row) for row in rows], total, limit, offset, capped)


def _event_row(row) -> dict:
    return {**row.payload, "outlet": row.outlet, "story": row.story_id}


def _event_select():
    e = events_table
    return (sa.select(e.c.payload, e.c.outlet, story_articles_table.c.story_id)
            .join(story_articles_table, story_articles_table.c.article_pk == e.c.article_pk, isouter=True))


def events(store: Store, f: EventFilter | None = None, *, sort: str = "date", limit: int = 50,
           offset: int = 0) -> Page:
    """Events of current articles matching `f`; `sort` is a field name, "-field" for descending."""
    f = (f or EventFilter()).check()
    descending = sort.startswith("-")
    column = EVENT_SORTS.get(sort.lstrip("-"))
    if column is None:
        raise QueryError(f"sort: expected one of {', '.join(EVENT_SORTS)} (with - for descending), not {sort!r}")
    _check_paging(limit, offset)
    e = events_table
    key = e.c[column]
    order = [key.desc() if descending else key.asc(), e.c.pk]
    conditions = _event_conditions(f)
    # Choose the page by primary key first, then fetch the payloads of those rows only: sorting the
    # matches with their JSON payloads attached is what made broad filters slow.
    chosen = sa.select(e.c.pk).where(*conditions).order_by(*order).limit(limit).offset(offset)
    with store.engine.connect() as connection:
        pks = connection.execute(chosen).scalars().all()
        rows = connection.execute(_event_select().add_columns(e.c.pk).where(e.c.pk.in_(pks))).all() if pks else []
        if offset == 0 and len(pks) < limit:
            total, capped = len(pks), False
        else:
            counted = connection.execute(sa.select(sa.func.count()).select_from(
                sa.select(e.c.pk).where(*conditions).limit(COUNT_CAP + 1).subquery())).scalar_one()
            total, capped = min(counted, COUNT_CAP), counted > COUNT_CAP
    by_pk = {row.pk: row for row in rows}
    return Page([_event_row(by_pk[pk]) for pk in pks], total, limit, offset, capped)


def event(store: Store, event_id: str) -> dict | None:
    """One event with its article's title, outlet and text around the evidence."""
    e, a = events_table, articles_table
    with store.engine.connect() as connection:
        row = connection.execute(
            _event_select().add_columns(a.c.article_id, a.c.title, a.c.published, a.c.text)
            .join(a, a.c.pk == e.c.article_pk).where(e.c.event_id == event_id, a.c.is_current)
        ).first()
    if row is None:
        return None
    found = _event_row(row)
    found["article_title"], found["article_published"] = row.title, row.published
    found["context"] = _context(row.text, found.get("span"))
    return found


def _context(text: str, span, width: int = 300) -> dict | None:
    """The evidence with what comes before and after it, for showing it highlighted in place."""
    if not span or not text or not (0 <= span[0] <= span[1] <= len(text)):
        return None
    start, end = span
    return {"before": text[max(0, start - width):start], "evidence": text[start:end], "after": text[end:end + width]}


def quotes(store: Store, *, speaker: str | None = None, country: str | None = None, article: str | None = None,
           story: str | None = None, text: str | None = None, limit: int = 50, offset: int = 0) -> Page:
    q, a = quotes_table, articles_table
    if country is not None and not _COUNTRY.match(country.upper()):
        raise QueryError(f"country: expected a three-letter country code such as CHN, not {country!r}")
    query = (sa.select(q.c.payload, a.c.outlet, a.c.published).join(a, a.c.pk == q.c.article_pk)
             .where(a.c.is_current))
    if speaker:
        query = query.where(sa.func.lower(q.c.speaker_name) == speaker.lower())
    if country:
        query = query.where(q.c.speaker_country == country.upper())
    if article:
        query = query.where(a.c.article_id == article)
    if story:
        query = query.where(q.c.article_pk.in_(sa.select(story_articles_table.c.article_pk)
                                               .where(story_articles_table.c.story_id == story)))
    if text:
        query = query.where(q.c.pk.in_(_quote_matches(store, text)))
    return _page(store, query, [a.c.published.desc().nulls_last(), q.c.pk], limit, offset,
                 lambda row: {**row.payload, "outlet": row.outlet, "published": row.published})


def _quote_matches(store: Store, text: str) -> sa.Select:
    try:
        return store.matching_quotes(text)
    except SearchError as exc:
        raise QueryError(f"text: {exc}") from None


def facts(store: Store, *, what: str | None = None, kind: str | None = None, article: str | None = None,
          story: str | None = None, limit: int = 50, offset: int = 0) -> Page:
    f, a = facts_table, articles_table
    query = sa.select(f.c.payload, a.c.outlet).join(a, a.c.pk == f.c.article_pk).where(a.c.is_current)
    if what:
        query = query.where(f.c.what.ilike("%" + _escape_like(what) + "%", escape="\\"))
    if kind:
        query = query.where(f.c.kind == kind)
    if article:
        query = query.where(a.c.article_id == article)
    if story:
        query = query.where(f.c.article_pk.in_(sa.select(story_articles_table.c.article_pk)
                                               .where(story_articles_table.c.story_id == story)))
    return _page(store, query, [f.c.pk], limit, offset, lambda row: {**row.payload, "outlet": row.outlet})


def stories(store: Store, *, actor: str | None = None, limit: int = 50, offset: int = 0) -> Page:
    s = stories_table
    n_articles = (sa.select(sa.func.count()).where(story_articles_table.c.story_id == s.c.story_id)
                  .scalar_subquery())
    query = sa.select(s.c.payload, n_articles.label("n"))
    rows = _page(store, query, [s.c.start.desc().nulls_last(), s.c.story_id], MAX_LIMIT if actor else limit,
                 0 if actor else offset, lambda row: {**row.payload, "num_articles": row.n})
    if actor:  # actors are a JSON list: filter here (there are far fewer stories than events)
        code = actor.upper()
        kept = [r for r in rows.rows if code in (r.get("actors") or [])]
        return Page(kept[offset:offset + limit], len(kept), limit, offset)
    return rows


def story(store: Store, story_id: str) -> dict | None:
    """A story with its articles (metadata), comparisons and the other link results."""
    report = store.report(story=story_id)
    if not report["stories"]:
        return None
    found = dict(report["stories"][0])
    for key in ("articles", "events", "quotes", "facts", "comparisons", *_link_kinds(report)):
        found[key if key != "articles" else "article_records"] = report.get(key, [])
    for record in found["article_records"]:
        record.pop("mentions", None), record.pop("times", None)
    return found


def _link_kinds(report: dict) -> list[str]:
    standard = {"schema", "generator", "articles", "stories", "events", "quotes", "facts", "comparisons", "problems"}
    return [k for k in report if k not in standard]


def comparisons(store: Store, *, story: str | None = None, verdict: str | None = None, limit: int = 50,
                offset: int = 0) -> Page:
    """Compared items (flattened: one row per item, with its story)."""
    if verdict is not None and verdict not in ("agree", "differ", "unique"):
        raise QueryError(f"verdict: expected agree, differ or unique, not {verdict!r}")
    _check_paging(limit, offset)
    query = sa.select(link_table.c.story_id, link_table.c.payload).where(link_table.c.kind == "comparison")
    if story:
        query = query.where(link_table.c.story_id == story)
    with store.engine.connect() as connection:
        items = [{"story": row.story_id, **item} for row in connection.execute(query.order_by(link_table.c.pk))
                 for item in row.payload.get("items", [])]
    if verdict:
        items = [item for item in items if item.get("verdict") == verdict]
    return Page(items[offset:offset + limit], len(items), limit, offset)


def article(store: Store, article_id: str) -> dict | None:
    """The full stored article with its annotations (mentions, times, events, quotes, facts) and story."""
    record = store.get(article_id)
    if record is None:
        return None
    a = articles_table
    with store.engine.connect() as connection:
        pk = connection.execute(sa.select(a.c.pk).where(a.c.article_id == article_id)
                                .order_by(a.c.is_current.desc(), a.c.pk.desc()).limit(1)).scalar_one()
        from .storage import annotations_table
        notes = connection.execute(sa.select(annotations_table).where(annotations_table.c.article_pk == pk)).first()
        record["mentions"] = notes.mentions if notes else []
        record["times"] = notes.times if notes else []
        for name, table in (("events", events_table), ("quotes", quotes_table), ("facts", facts_table)):
            record[name] = list(connection.execute(sa.select(table.c.payload).where(table.c.article_pk == pk)
                                                   .order_by(table.c.pk)).scalars())
        record["story"] = connection.execute(sa.select(story_articles_table.c.story_id)
                                             .where(story_articles_table.c.article_pk == pk)).scalar()
    return record


def dyad_series(store: Store, a: str, b: str, *, freq: str = "M", f: EventFilter | None = None) -> list[dict]:
    """Events between countries `a` and `b` (either direction) per period, by quad class, with the ids
    of the events behind each point. Only asserted events count unless `f.status` says otherwise."""
    if freq not in FREQUENCIES:
        raise QueryError(f"freq: expected one of {', '.join(FREQUENCIES)} (day, week, month, year), not {freq!r}")
    f = EventFilter(**{**(f or EventFilter()).as_params(), "dyad": f"{a}-{b}"})
    if f.status is None:
        f.status = "asserted"
    f.check()
    e = events_table
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(e.c.event_id, e.c.date, e.c.quad, e.c.intensity)
                                  .where(*_event_conditions(f), e.c.date.is_not(None)).order_by(e.c.date)).all()
    series: dict[str, dict] = {}
    for event_id, day, quad, intensity in rows:
        period = _period(day, freq)
        if period is None:
            continue
        point = series.setdefault(period, {"period": period, **{q: 0 for q in QUADS}, "intensity": 0.0,
                                           "events": []})
        if quad in QUADS:
            point[quad] += 1
        point["intensity"] = round(point["intensity"] + (intensity or 0.0), 3)
        point["events"].append(event_id)
    return [series[k] for k in sorted(series)]


def _period(day: str, freq: str) -> str | None:
    """The period an event date falls in; a date less precise than the period is left out."""
    parts = day.split("-")
    if freq == "Y":
        return parts[0]
    if freq == "M":
        return "-".join(parts[:2]) if len(parts) >= 2 else None
    if len(parts) < 3:
        return None
    if freq == "D":
        return day
    monday = date.fromisoformat(day) - timedelta(days=date.fromisoformat(day).weekday())
    return monday.isoformat()


def network(store: Store, f: EventFilter | None = None, *, min_events: int = 1) -> dict:
    """The actor network: countries as nodes, directed edges weighted by event counts per quad."""
    f = (f or EventFilter()).check()
    e = events_table
    query = (sa.select(e.c.source_country, e.c.target_country, e.c.quad, sa.func.count().label("n"))
             .where(*_event_conditions(f), e.c.source_country.is_not(None), e.c.target_country.is_not(None),
                    e.c.source_country != e.c.target_country)
             .group_by(e.c.source_country, e.c.target_country, e.c.quad))
    edges: dict[tuple[str, str], dict] = {}
    with store.engine.connect() as connection:
        for source, target, quad, n in connection.execute(query):
            edge = edges.setdefault((source, target), {"source": source, "target": target, "events": 0,
                                                       **{q: 0 for q in QUADS}})
            edge["events"] += n
            if quad in QUADS:
                edge[quad] += n
    kept = [edge for edge in edges.values() if edge["events"] >= min_events]
    degree: Counter = Counter()
    for edge in kept:
        degree[edge["source"]] += edge["events"]
        degree[edge["target"]] += edge["events"]
    nodes = [{"id": code, "events": n} for code, n in sorted(degree.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {"nodes": nodes, "edges": sorted(kept, key=lambda edge: (-edge["events"], edge["source"], edge["target"]))}


def overview(store: Store, top: int = 10) -> dict:
    """Corpus counts, outlets, the busiest dyads and events per month by quad class."""
    e, a = events_table, articles_table
    counts = store.counts()
    with store.engine.connect() as connection:
        outlets = connection.execute(
            sa.select(a.c.outlet, sa.func.count()).where(a.c.is_current).group_by(a.c.outlet)
            .order_by(sa.func.count().desc(), a.c.outlet)).all()
        month = sa.func.substr(e.c.date, 1, 7)
        timeline = connection.execute(
            sa.select(month, e.c.quad, sa.func.count()).where(e.c.current,
                                                              e.c.status == "asserted", e.c.date.is_not(None))
            .group_by(month, e.c.quad).order_by(month)).all()
    dyads = network(store)["edges"]
    merged: dict[tuple[str, str], int] = Counter()
    for edge in dyads:
        merged[tuple(sorted((edge["source"], edge["target"])))] += edge["events"]
    months: dict[str, dict] = {}
    for period, quad, n in timeline:
        if period and len(period) == 7:
            months.setdefault(period, {"period": period, **{q: 0 for q in QUADS}})
            if quad in QUADS:
                months[period][quad] += n
    return {
        "counts": counts,
        "outlets": [{"outlet": outlet, "articles": n} for outlet, n in outlets],
        "top_dyads": [{"dyad": f"{x}-{y}", "events": n}
                      for (x, y), n in sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))[:top]],
        "timeline": list(months.values()),
    }


def search(store: Store, text: str, limit: int = 20) -> dict:
    """Full-text search over articles and quotes (the syntax of `storage.parse_search`)."""
    try:
        found_articles = store.articles(search=text, limit=limit)
    except SearchError as exc:
        raise QueryError(f"q: {exc}") from None
    return {"articles": found_articles, "quotes": quotes(store, text=text, limit=limit).rows}


def iter_events(store: Store, f: EventFilter | None = None, batch_size: int = 2000):
    """Every event matching `f`, in storage order, read `batch_size` at a time (for exports)."""
    f = (f or EventFilter()).check()
    e = events_table
    last = -1
    while True:
        query = (_event_select().add_columns(e.c.pk).where(*_event_conditions(f), e.c.pk > last)
                 .order_by(e.c.pk).limit(batch_size))
        with store.engine.connect() as connection:
            rows = connection.execute(query).all()
        if not rows:
            return
        yield from (_event_row(row) for row in rows)
        last = rows[-1].pk


def iter_table(store: Store, kind: str, batch_size: int = 2000):
    """Every quote or fact of current articles (`kind` "quotes" or "facts"), with its outlet."""
    table = {"quotes": quotes_table, "facts": facts_table}[kind]
    a = articles_table
    last = -1
    while True:
        query = (sa.select(table.c.pk, table.c.payload, a.c.outlet).join(a, a.c.pk == table.c.article_pk)
                 .where(a.c.is_current, table.c.pk > last).order_by(table.c.pk).limit(batch_size))
        with store.engine.connect() as connection:
            rows = connection.execute(query).all()
        if not rows:
            return
        yield from ({**row.payload, "outlet": row.outlet} for row in rows)
        last = rows[-1].pk


# --- counts for facets and profiles (added for the dashboard) ------------------------------------------

COUNTABLE = ("type", "mode", "quad", "status", "outlet", "source_name", "source_country", "target_name",
             "target_country")
MAX_GROUPS = 100_000


def event_counts(store: Store, f: EventFilter | None = None, by: tuple[str, ...] = ("type",), *,
                 limit: int = 100, within: int | None = None) -> list[dict]:
    """How many events matching `f` share each combination of the `by` columns (of `COUNTABLE`), most
    first, at most `limit` combinations: [{"type": "CONSULT", "events": 12}, …]. With `within`, only
    the first `within` matching events (in no particular order) are counted: a cheap sample for
    facets over a million matches; the counts are exact when fewer events match."""
    f = (f or EventFilter()).check()
    unknown = [name for name in by if name not in COUNTABLE]
    if not by or unknown:
        raise QueryError(f"by: expected columns among {', '.join(COUNTABLE)}, not {unknown or 'nothing'}")
    if not 1 <= limit <= MAX_GROUPS:
        raise QueryError(f"limit: expected 1 to {MAX_GROUPS}, not {limit}")
    if within is not None and within < 1:
        raise QueryError(f"within: expected 1 or more, not {within}")
    e = events_table
    matching = sa.select(*(e.c[name] for name in by)).where(*_event_conditions(f))
    if within is not None:
        matching = matching.limit(within)
    sub = matching.subquery()
    columns = [sub.c[name] for name in by]
    n = sa.func.count().label("events")
    query = sa.select(*columns, n).group_by(*columns).order_by(n.desc(), *columns).limit(limit)
    with store.engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]
