"""The web dashboard (`chancery serve`): server-rendered pages over the query layer, data first.

    app = create_app("chancery.db")      # chancery.api; calls register(app, store)

Pages: / (overview), /stories, /stories/{id}, /events (explorer with facets), /events/{id},
/actors/{name}, /dyads/{a}/{b}, /articles, /articles/{id}, /search. Every page is also JSON with
`?format=json` (the data the page shows, nothing more) and links to the /api/ URL that gives the same
rows; the events explorer links to the CSV of its filter. The URL holds the whole query, so a page
can be bookmarked and shared.

Safety: Jinja2 autoescaping is on for every template, and text with highlights (article bodies,
evidence sentences) is cut into segments in Python and escaped by the template, never assembled as
HTML strings; links to stored URLs are kept only for http(s). Every script and stylesheet is served
by the app itself (plotly's JavaScript from the installed `plotly` package), so the dashboard works
offline, and pages carry a Content-Security-Policy that allows no inline or foreign script.
Every list is paged through the query layer, so a page costs the same on a million events as on a
hundred. See docs/dashboard.md.
"""
from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from urllib.parse import quote, urlencode, urlsplit

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import ChainableUndefined, Environment, PackageLoader, select_autoescape

from . import __version__, queries
from .queries import COUNT_CAP, FREQUENCIES, MAX_LIMIT, QUADS, STATUSES, EventFilter, QueryError
from .storage import Store, articles_table, link_table, stories_table
from .wordlists import load

__all__ = ["register"]

PAGE_SIZE = 50
EVENTS_SORT = "-date"  # the explorer shows the latest first
MAX_PAGE_SIZE = 200
FACETS = ("type", "quad", "status", "outlet")
FACET_VALUES = 12  # values shown per facet
QUAD_COLOURS = {"verbal_cooperation": "#5aa469", "material_cooperation": "#1f6f43",
                "verbal_conflict": "#e39b3c", "material_conflict": "#c0392b"}
CACHE_ENTRIES = 256
CACHE_SECONDS = 600  # a backstop: entries are dropped at once when the store changes (see _Cache)
MAX_FILLED_PERIODS = 1000  # empty periods between dated ones are drawn as zeros up to this many
CONTEXT_CHARS = 300  # the width of queries.event's context on each side of the evidence
STATIC_FILES = {"chancery.css": "text/css", "chancery.js": "text/javascript", "favicon.svg": "image/svg+xml"}
_COUNTRY_CODE = re.compile(r"^[A-Z]{3}$")
_SEARCH_WORD = re.compile(r"[^\W_]+", re.UNICODE)
SECURITY_HEADERS = {
    # No inline script, nothing from elsewhere; plotly sets style attributes, hence 'unsafe-inline' for styles.
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
                               "frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


class NotFound(LookupError):
    """A page about something the store does not hold."""


def register(app: FastAPI, store: Store) -> None:
    """Add the dashboard's pages and its static files to `app`, reading from `store`."""
    pages = _Pages(store, _environment())
    for path, view in pages.routes().items():
        app.add_api_route(path, view, methods=["GET"], include_in_schema=False, response_class=HTMLResponse)
    app.add_api_route("/static/{name}", _static, methods=["GET"], include_in_schema=False)


# --- templates and helpers they use ------------------------------------------------------------------

def _environment() -> Environment:
    env = Environment(loader=PackageLoader("chancery", "templates"), autoescape=select_autoescape(default=True),
                      undefined=ChainableUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(version=__version__, quads=QUADS, statuses=STATUSES, quad_colours=QUAD_COLOURS,
                       link=link, plover_types=plover_types())
    env.filters.update(path=path_part, http_url=http_url, number=number, quad_label=quad_label, said=said)
    return env


def link(path: str, params: dict | None = None, **changes) -> str:
    """`path` with a query string from `params` updated by `changes` (None or "" drops a parameter)."""
    merged = {**(params or {}), **changes}
    query = urlencode({k: v for k, v in merged.items() if v not in (None, "")})
    return f"{path}?{query}" if query else path


def path_part(value) -> str:
    """A value quoted to sit in one segment of a URL path."""
    return quote(str(value), safe="")


def http_url(value) -> str | None:
    """A stored URL if it is an http(s) URL; anything else (javascript:, data:) is not made a link."""
    if not isinstance(value, str):
        return None
    try:
        scheme = urlsplit(value.strip()).scheme.lower()
    except ValueError:
        return None
    return value.strip() if scheme in ("http", "https") else None


def number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


def quad_label(value) -> str:
    return str(value or "").replace("_", " ")


def said(value) -> str:
    """What an article says about a compared item, as one line of text."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return "" if value is None else str(value)


@lru_cache(maxsize=1)
def plover_types() -> tuple[str, ...]:
    return tuple(load("ontology.toml")["types"])


# --- text cut into highlighted segments ------------------------------------------------------------

def segments(text: str, notes: list[dict], offset: int = 0) -> list[dict]:
    """`text` cut at the edges of `notes` (dicts with `kind`, `span` [start, end] counted from `offset`,
    `label`, optional `anchor`), each piece with the kinds and labels of the notes that cover it and the
    anchors of the notes that start there. The template escapes every piece."""
    size = len(text)
    spans = []
    for note in notes:
        span = note.get("span")
        if not span or len(span) != 2 or not all(isinstance(x, int) for x in span):
            continue
        start, end = max(0, span[0] - offset), min(size, span[1] - offset)
        if start < end:
            spans.append((start, end, note))
    cuts = sorted({0, size, *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    starting: dict[int, list[dict]] = {}
    for start, end, note in spans:
        starting.setdefault(start, []).append({"end": end, **note})
    pieces, active = [], []
    for left, right in pairwise(cuts):
        active = [note for note in active if note["end"] > left] + starting.get(left, [])
        kinds = sorted({note["kind"] for note in active})
        pieces.append({"text": text[left:right], "kinds": kinds,
                       "title": "; ".join(dict.fromkeys(note["label"] for note in active if note.get("label"))),
                       "anchors": [note["anchor"] for note in starting.get(left, []) if note.get("anchor")]})
    return pieces


def _who(side: dict | None) -> str:
    if not side:
        return "?"
    name, country = side.get("name") or side.get("text"), side.get("country")
    return f"{name} ({country})" if name and country and name != country else name or country or "?"


def event_label(event: dict) -> str:
    kind = event.get("type", "?") + (f"/{event['mode']}" if event.get("mode") else "")
    return f"{kind}: {_who(event.get('source'))} → {_who(event.get('target'))}, {event.get('status')}"


def trigger_notes(event: dict) -> list[dict]:
    """The words that triggered an event (its `evidence` spans), as notes."""
    return [{"kind": "trigger", "span": part.get("span"), "label": f"trigger of {event.get('type')}"}
            for part in event.get("evidence") or [] if isinstance(part, dict)]


def sentence_segments(event: dict) -> list[dict]:
    """An event's evidence sentence with its trigger words marked."""
    span = event.get("span") or [0, 0]
    return segments(event.get("text") or "", trigger_notes(event), offset=span[0] if span else 0)


def article_notes(record: dict) -> list[dict]:
    notes = []
    for m in record.get("mentions") or []:
        actor = m.get("actor") or {}
        notes.append({"kind": "mention", "span": m.get("span"),
                      "label": f"actor: {actor.get('name') or m.get('text')}"
                               + (f" ({actor['country']})" if actor.get("country") else "")})
    for t in record.get("times") or []:
        notes.append({"kind": "time", "span": t.get("span"), "label": f"time: {t.get('date') or '?'}"})
    for e in record.get("events") or []:
        notes.append({"kind": "event", "span": e.get("span"), "label": "event " + event_label(e),
                      "anchor": f"event-{e.get('id')}"})
        notes += trigger_notes(e)
    for q in record.get("quotes") or []:
        speaker = (q.get("speaker") or {}).get("name") or "?"
        notes.append({"kind": "quote", "span": q.get("span"), "label": f"quote ({q.get('kind')}) by {speaker}",
                      "anchor": f"quote-{q.get('id')}"})
    for f in record.get("facts") or []:
        notes.append({"kind": "fact", "span": f.get("span"),
                      "label": f"fact: {f.get('what')} = {number(f.get('value'))} {f.get('unit') or ''}".strip(),
                      "anchor": f"fact-{f.get('id')}"})
    return notes


def word_segments(text: str, words: list[str]) -> list[dict]:
    """`text` with the searched `words` marked (whole words, case-insensitive prefixes, as search stems)."""
    wanted = [w.lower() for w in words if w]
    notes = []
    for match in _SEARCH_WORD.finditer(text or ""):
        token = match.group().lower()
        if any(token.startswith(w) or w.startswith(token) and len(token) > 3 for w in wanted):
            notes.append({"kind": "hit", "span": [match.start(), match.end()], "label": ""})
    return segments(text or "", notes)


# --- a cache for the aggregates --------------------------------------------------------------------

class _Cache:
    """Aggregates over the whole store (the overview, facet counts, a dyad's series) by key, valid while
    the store holds the same data: its version is the last article row, the last link result and the
    number of stories, which every ingest and relink changes, read in one cheap query."""

    def __init__(self, store: Store):
        self.store = store
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def version(self) -> tuple:
        query = sa.select(sa.select(sa.func.max(articles_table.c.pk)).scalar_subquery(),
                          sa.select(sa.func.max(link_table.c.pk)).scalar_subquery(),
                          sa.select(sa.func.count()).select_from(stories_table).scalar_subquery())
        with self.store.engine.connect() as connection:
            return tuple(connection.execute(query).one())

    def get(self, key: tuple, compute: Callable):
        version, now = self.version(), time.monotonic()
        with self.lock:
            found = self.entries.get(key)
            if found and found[0] == version and found[1] > now:
                self.entries.move_to_end(key)
                return found[2]
        value = compute()
        with self.lock:
            self.entries[key] = (version, now + CACHE_SECONDS, value)
            self.entries.move_to_end(key)
            while len(self.entries) > CACHE_ENTRIES:
                self.entries.popitem(last=False)
        return value


# --- pages -------------------------------------------------------------------------------------------

class _Pages:
    def __init__(self, store: Store, env: Environment):
        self.store, self.env = store, env
        self.cache = _Cache(store)

    def routes(self) -> dict[str, Callable]:
        return {"/": self._view(self.overview), "/stories": self._view(self.stories),
                "/stories/{story_id}": self._view(self.story), "/events": self._view(self.events),
                "/events/{event_id}": self._view(self.event), "/actors/{name:path}": self._view(self.actor),
                "/dyads/{a}/{b}": self._view(self.dyad), "/articles": self._view(self.articles),
                "/articles/{article_id:path}": self._view(self.article), "/search": self._view(self.search)}

    def _view(self, build: Callable) -> Callable:
        """A route for `build(request, **path) -> (template, data)`: HTML, or the data as JSON with
        ?format=json; a QueryError is a 400 page and NotFound a 404 page, in the same format."""
        def view(request: Request) -> Response:
            wants_json = False
            try:
                wants_json = _format(request) == "json"
                template, data = build(request, **request.path_params)
                status = 200
            except QueryError as exc:
                template, data, status = "error.html", {"error": str(exc), "status": 400}, 400
            except NotFound as exc:
                template, data, status = "error.html", {"error": str(exc), "status": 404}, 404
            if wants_json:
                return JSONResponse(data, status_code=status)
            html = self.env.get_template(template).render(
                data=data, params=_params(request), path=_here(request),
                json_url=link(_here(request), _params(request), format="json"))
            return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
        view.__name__ = f"dashboard_{build.__name__}"
        return view

    # / -----------------------------------------------------------------------------------------------

    def overview(self, request: Request) -> tuple[str, dict]:
        data = dict(self.cache.get(("overview",), lambda: queries.overview(self.store)))
        data["stories"] = queries.stories(self.store, limit=8).rows
        data["chart"] = _timeline_chart(data["timeline"])
        data["api"] = "/api/overview"
        return "overview.html", data

    # /stories ----------------------------------------------------------------------------------------

    def stories(self, request: Request) -> tuple[str, dict]:
        params = _params(request)
        limit, offset = _paging(params)
        actor = params.get("actor")
        page = queries.stories(self.store, actor=actor, limit=limit, offset=offset)
        return "stories.html", {"stories": page.rows, **_page_info(page, _here(request), params),
                                "actor": actor, "api": link("/api/stories", params)}

    def story(self, request: Request, story_id: str) -> tuple[str, dict]:
        found = queries.story(self.store, story_id)
        if found is None:
            raise NotFound(f"no story with id {story_id!r}")
        params = _params(request)
        records = {a["id"]: a for a in found.pop("article_records")}
        columns = [records[a] for a in found["articles"] if a in records]
        for a in columns:
            a.pop("text", None), a.pop("provenance", None), a.pop("sentences", None)
            a["counts"] = {kind: sum(1 for x in found[kind] if x.get("article") == a["id"])
                           for kind in ("events", "quotes", "facts")}
        items = [item for c in found.get("comparisons") or [] for item in c.get("items") or []]
        story_events = found.get("story_events") or []
        provisional = not items
        if provisional:
            items = provisional_items(found, [a["id"] for a in columns])
        kinds = sorted({item.get("kind") or "?" for item in items})
        kind, verdict = params.get("kind"), params.get("verdict")
        shown = [item for item in items if (not kind or item.get("kind") == kind)
                 and (not verdict or item.get("verdict") == verdict)]
        lookup = {kind: {x.get("id"): x for x in found[kind]} for kind in ("events", "facts", "quotes")}
        lookup["story_events"] = {se.get("id"): se for se in story_events}
        events = lookup["events"]
        for item in shown:
            item["cells"] = [_cell(item, a["id"], lookup) for a in columns]
        for se in story_events:
            se["reports"] = [{**m, "segments": sentence_segments(events.get(m.get("event"), m))}
                             for m in se.get("mentions") or []]
        if not story_events:
            outlets = {a["id"]: a.get("outlet") for a in columns}
            for e in found["events"]:
                e["segments"], e["outlet"] = sentence_segments(e), outlets.get(e.get("article"))
        found.update(columns=columns, compared=shown, all_items=len(items), item_kinds=kinds, provisional=provisional,
                     story_events=story_events, filter={"kind": kind, "verdict": verdict},
                     api=f"/api/stories/{path_part(story_id)}")
        found.pop("comparisons", None)  # shown as `compared`; the API has them as stored
        return "story.html", found

    # /events -----------------------------------------------------------------------------------------

    def events(self, request: Request) -> tuple[str, dict]:
        params = _params(request)
        f = _event_filter(params)
        sort = params.get("sort", EVENTS_SORT)
        limit, offset = _paging(params)
        page = queries.events(self.store, f, sort=sort, limit=limit, offset=offset)
        facets = self.cache.get(("facets", tuple(sorted(f.as_params().items()))), lambda: self.facet_counts(f))
        for e in page.rows:
            e["segments"] = sentence_segments(e)
        filters = f.as_params()
        keep = {"sort": None if sort == EVENTS_SORT else sort, "limit": None if limit == PAGE_SIZE else limit}
        return "events.html", {
            "filter": filters, "sort": sort, "events": page.rows, **_page_info(page, _here(request), params),
            "facets": {name: _facet(name, rows, filters, keep) for name, rows in facets.items()},
            "facets_sampled": page.capped,
            "csv": link("/api/events.csv", filters, sort=sort, limit=MAX_LIMIT),
            "api": link("/api/events", filters, sort=sort, limit=limit,
                        offset=offset or None),
            "sorts": list(queries.EVENT_SORTS)}

    def facet_counts(self, f: EventFilter) -> dict[str, list[dict]]:
        """Counts per value of each facet, from one grouped query over at most COUNT_CAP + 1 matching
        events: exact when fewer match (the page then knows its total), a sample otherwise."""
        rows = queries.event_counts(self.store, f, FACETS, limit=COUNT_CAP + 1, within=COUNT_CAP + 1)
        facets: dict[str, dict] = {name: defaultdict(int) for name in FACETS}
        for row in rows:
            for name in FACETS:
                facets[name][row[name]] += row["events"]
        return {name: [{name: value, "events": n} for value, n in
                       sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:FACET_VALUES + 1]]
                for name, counts in facets.items()}

    def event(self, request: Request, event_id: str) -> tuple[str, dict]:
        found = queries.event(self.store, event_id)
        if found is None:
            raise NotFound(f"no event with id {event_id!r}")
        if found.get("context") and found.get("span"):
            found["context_segments"] = _context_segments(found)
        found["api"] = f"/api/events/{path_part(event_id)}"
        return "event.html", found

    # /actors/{name} ----------------------------------------------------------------------------------

    def actor(self, request: Request, name: str) -> tuple[str, dict]:
        params = _params(request)
        name = name.strip()
        if not name:
            raise QueryError("name: expected an actor name or a country code")
        is_country = bool(_COUNTRY_CODE.match(name))
        f = EventFilter(country=name) if is_country else EventFilter(actor=name)
        limit, offset = _paging(params)
        quote_offset = _int(params, "quotes_offset", 0, 0, None)
        page = queries.events(self.store, f, sort=params.get("sort", "-date"), limit=limit, offset=offset)
        side = "country" if is_country else "name"
        pairs = self.cache.get(("actor", name), lambda: queries.event_counts(
            self.store, f, (f"source_{side}", f"target_{side}", "type"), limit=200, within=COUNT_CAP + 1))
        key = name if is_country else name.lower()

        def same(value) -> bool:
            return value is not None and (value if is_country else value.lower()) == key

        did = [{"type": r["type"], "other": r[f"target_{side}"], "events": r["events"]}
               for r in pairs if same(r[f"source_{side}"])]
        received = [{"type": r["type"], "other": r[f"source_{side}"], "events": r["events"]}
                    for r in pairs if same(r[f"target_{side}"]) and not same(r[f"source_{side}"])]
        quotes = queries.quotes(self.store, **({"country": name} if is_country else {"speaker": name}),
                                limit=20, offset=quote_offset)
        if not is_country and not page.total and not quotes.total and not offset and not quote_offset:
            raise NotFound(f"no event or quote of {name!r}")  # a country code always has its page
        for e in page.rows:
            e["segments"] = sentence_segments(e)
        profile = _actor_profile(name, is_country, page.rows, quotes.rows)
        return "actor.html", {
            "name": name, "is_country": is_country, "profile": profile, "filter": f.as_params(),
            "did": did, "received": received, "sampled": page.capped, "events": page.rows,
            **_page_info(page, _here(request), params),
            "quotes": quotes.rows, "quotes_total": quotes.total, "quotes_offset": quote_offset,
            "quotes_more": quotes.more, "api": link("/api/events", f.as_params(), sort="-date"),
            "quotes_api": link("/api/quotes", {"country": name} if is_country else {"speaker": name})}

    # /dyads/{a}/{b} ----------------------------------------------------------------------------------

    def dyad(self, request: Request, a: str, b: str) -> tuple[str, dict]:
        params = _params(request)
        a, b = a.upper(), b.upper()
        freq = params.get("freq", "M").upper()
        if freq not in FREQUENCIES:
            raise QueryError(f"freq: expected W (week) or M (month) (or D, Y), not {params['freq']!r}")
        base = EventFilter(status=params.get("status"), start=params.get("start"), end=params.get("end"),
                           outlet=params.get("outlet"))
        series = self.cache.get(("dyad", a, b, freq, tuple(sorted(base.as_params().items()))),
                                lambda: _filled(_counted(queries.dyad_series(self.store, a, b, freq=freq, f=base)), freq))
        status = base.status or "asserted"
        data = {"a": a, "b": b, "freq": freq, "frequencies": FREQUENCIES, "status": status,
                "filter": {k: v for k, v in base.as_params().items() if k != "status"}, "series": series,
                "api": link(f"/api/dyads/{a}/{b}", {**base.as_params(), "freq": freq})}
        data["chart"] = _dyad_chart(series, a, b, freq, params)
        period = params.get("period")
        if period:
            first, last = _period_bounds(period, freq)
            quad = params.get("quad")
            f = EventFilter(**{**base.as_params(), "dyad": f"{a}-{b}", "status": status, "start": first,
                               "end": last, "quad": quad})
            limit, offset = _paging(params)
            page = queries.events(self.store, f, limit=limit, offset=offset)
            for e in page.rows:
                e["segments"] = sentence_segments(e)
            data.update(period=period, quad=quad, events=page.rows, **_page_info(page, _here(request), params, "#events"),
                        explorer=link("/events", f.as_params()))
        return "dyad.html", data

    # /articles ---------------------------------------------------------------------------------------

    def articles(self, request: Request) -> tuple[str, dict]:
        params = _params(request)
        limit, offset = _paging(params)
        search, outlet = params.get("q"), params.get("outlet")
        try:
            rows = self.store.articles(search=search, outlet=outlet, limit=limit + 1, offset=offset)
        except ValueError as exc:
            raise QueryError(f"q: {exc}") from None
        more = len(rows) > limit
        rows = rows[:limit]
        words = _words(search)
        for row in rows:
            row["segments"] = word_segments(row.get("snippet") or "", words)
        return "articles.html", {
            "articles": rows, "q": search, "outlet": outlet, "limit": limit, "offset": offset, "more": more,
            "next": link("/articles", params, offset=offset + limit) if more else None,
            "previous": link("/articles", params, offset=max(0, offset - limit) or None) if offset else None,
            "api": link("/api/articles", {"search": search, "outlet": outlet, "limit": limit,
                                          "offset": offset or None})}

    def article(self, request: Request, article_id: str) -> tuple[str, dict]:
        found = queries.article(self.store, article_id)
        if found is None:
            raise NotFound(f"no article with id {article_id!r}")
        found["segments"] = segments(found.get("text") or "", article_notes(found))
        for e in found["events"]:
            e["label"] = event_label(e)
        found.pop("raw", None), found.pop("html", None)  # the JSON twin at /api/articles/{id} keeps all
        found["api"] = f"/api/articles/{path_part(article_id)}"
        found["link"] = http_url(found.get("url"))
        return "article.html", found

    # /search -----------------------------------------------------------------------------------------

    def search(self, request: Request) -> tuple[str, dict]:
        q = _params(request).get("q", "").strip()
        data: dict = {"q": q, "articles": [], "quotes": []}
        if q:
            data["api"] = link("/api/search", q=q)
            data.update(queries.search(self.store, q, limit=20))
            words = _words(q)
            for row in data["articles"]:
                row["segments"] = word_segments(row.get("snippet") or "", words)
            for row in data["quotes"]:
                row["segments"] = word_segments(row.get("text") or "", words)
        return "search.html", data


def _context_segments(event: dict) -> list[dict]:
    """The event's context (queries.event: `before`, `evidence`, `after`), trimmed to whole words where
    it was cut, as segments with the evidence and its trigger words marked. Sets `cut_before` and
    `cut_after` in the context so that the page can show the cuts."""
    context, span = event["context"], event["span"]
    before, after = context["before"], context["after"]
    context["cut_before"] = span[0] > len(before)
    context["cut_after"] = len(after) >= CONTEXT_CHARS
    if context["cut_before"] and " " in before[:40]:
        before = before[before.index(" ") + 1:]
    if context["cut_after"] and " " in after[-40:]:
        after = after[:after.rindex(" ")]
    context.update(before=before, after=after)
    notes = [{"kind": "evidence", "span": span, "label": "evidence: " + event_label(event)}, *trigger_notes(event)]
    return segments(before + context["evidence"] + after, notes, offset=span[0] - len(before))


# --- request parsing -----------------------------------------------------------------------------------

def _params(request: Request) -> dict[str, str]:
    """The query string without empty values (a form sends every field) and without `format`."""
    return {k: v.strip() for k, v in request.query_params.items() if v.strip() and k != "format"}


def _here(request: Request) -> str:
    """The path of the request, quoted again, for links back to the same page."""
    return quote(request.scope["path"], safe="/")


def _format(request: Request) -> str:
    fmt = request.query_params.get("format", "html").lower() or "html"
    if fmt not in ("html", "json"):
        raise QueryError(f"format: expected html or json, not {fmt!r} (CSV is under /api/, e.g. /api/events.csv)")
    return fmt


def _int(params: dict, name: str, default: int, low: int, high: int | None) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(f"{name}: expected a whole number, not {raw!r}") from None
    if value < low or (high is not None and value > high):
        raise QueryError(f"{name}: expected {low} to {high}, not {value}" if high is not None
                         else f"{name}: expected {low} or more, not {value}")
    return value


def _paging(params: dict) -> tuple[int, int]:
    return _int(params, "limit", PAGE_SIZE, 1, MAX_PAGE_SIZE), _int(params, "offset", 0, 0, None)


def _page_info(page: queries.Page, path: str, params: dict, anchor: str = "") -> dict:
    """Totals and the links to the previous and next page, keeping every other parameter."""
    return {"total": page.total, "capped": page.capped, "limit": page.limit, "offset": page.offset,
            "more": page.more, "first": page.offset + 1 if page.rows else 0, "last": page.offset + len(page.rows),
            "next": link(path, params, offset=page.offset + page.limit) + anchor if page.more else None,
            "previous": link(path, params, offset=max(0, page.offset - page.limit) or None) + anchor
            if page.offset else None}


def _event_filter(params: dict) -> EventFilter:
    f = EventFilter(**{name: params.get(name) for name in EventFilter.__dataclass_fields__})
    if f.type and f.type.upper() not in plover_types():
        raise QueryError(f"type: expected a PLOVER type such as CONSULT, not {f.type!r}")
    if f.type:
        f.type = f.type.upper()
    if f.country:
        f.country = f.country.upper()
    return f.check()


def _facet(name: str, rows: list[dict], filters: dict, keep: dict) -> dict:
    """A facet's values with their counts, each a link that sets the filter (or, when set, removes it)."""
    current = filters.get(name)
    values = []
    for row in rows[:FACET_VALUES]:
        value = row[name]
        active = value is not None and current is not None and str(value).lower() == current.lower()
        values.append({"value": value, "events": row["events"], "active": active,
                       "href": link("/events", filters, **keep, **{name: None if active else value})
                       if value is not None else None})
    return {"values": values, "more": len(rows) > FACET_VALUES, "active": current,
            "reset": link("/events", filters, **keep, **{name: None}) if current else None}


def _words(search: str | None) -> list[str]:
    if not search:
        return []
    return [w for w in _SEARCH_WORD.findall(search) if w not in ("OR", "AND", "NOT")]


# --- story: the outlets side by side --------------------------------------------------------------------

def _cell(item: dict, article_id: str, lookup: dict[str, dict]) -> dict:
    """What one article says about a compared item: its words and where to read them, or its silence.
    `lookup` maps events, facts, quotes and story_events by id."""
    reported = item.get("reported_by") or {}
    if article_id not in reported:
        return {"missing": True, "expected": article_id in (item.get("missing_from") or [])}
    cell = {"missing": False, "text": said(reported[article_id]), "href": f"/articles/{path_part(article_id)}"}
    kind = item.get("kind")
    ids = (item.get("ids_by_article") or {}).get(article_id) or []
    if kind == "event":
        story_event = lookup["story_events"].get(item.get("event"))
        if story_event:
            ids = [m.get("event") for m in story_event.get("mentions") or [] if m.get("article") == article_id]
        if ids and ids[0] in lookup["events"]:
            cell["href"] = f"/events/{path_part(ids[0])}"
    elif kind in ("fact", "quote"):
        table = lookup[kind + "s"]
        ids = ids or [i for i in item.get(kind + "s") or [] if (table.get(i) or {}).get("article") == article_id]
        if ids:
            cell["href"] += f"#{kind}-{ids[0]}"
    cell["conflict"] = any(article_id in pair for pair in item.get("conflicts") or [])
    only = (item.get("only_in") or {}).get(article_id)
    if only:
        cell["only"] = said(only)
    return cell


def provisional_items(found: dict, articles: list[str]) -> list[dict]:
    """Side-by-side rows built here when the link stage stored no comparison for a story: events by
    type, status and countries; numbers by what they measure and their unit; quotes by speaker. No
    verdict beyond `unique` is given: judging agreement is the link stage's work."""
    items: list[dict] = []

    def add(kind: str, groups: dict[str, dict[str, list]]) -> None:
        for key, by_article in groups.items():
            items.append({"kind": kind, "key": key,
                          "reported_by": {a: " / ".join(by_article[a]["said"]) for a in articles if a in by_article},
                          "missing_from": [a for a in articles if a not in by_article],
                          "verdict": "unique" if len(by_article) == 1 else None,
                          "ids_by_article": {a: by_article[a]["ids"] for a in by_article}})

    events: dict[str, dict] = {}
    for e in found.get("events") or []:
        countries = sorted(c for c in ((e.get("source") or {}).get("country"), (e.get("target") or {}).get("country"))
                           if c)
        key = f"{e.get('type')}: {' – '.join(countries) or '?'}" + (
            "" if e.get("status") == "asserted" else f" [{e.get('status')}]")
        entry = events.setdefault(key, {}).setdefault(e["article"], {"said": [], "ids": []})
        entry["said"].append(e.get("text") or "")
        entry["ids"].append(e.get("id"))
    facts: dict[str, dict] = {}
    for fact in found.get("facts") or []:
        key = f"{fact.get('what')} ({fact.get('unit') or fact.get('kind')})"
        entry = facts.setdefault(key, {}).setdefault(fact["article"], {"said": [], "ids": []})
        entry["said"].append(fact.get("text") or "")
        entry["ids"].append(fact.get("id"))
    quotes: dict[str, dict] = {}
    for q in found.get("quotes") or []:
        key = (q.get("speaker") or {}).get("name") or "unknown speaker"
        entry = quotes.setdefault(key, {}).setdefault(q["article"], {"said": [], "ids": []})
        entry["said"].append(f"“{q.get('text') or ''}”")
        entry["ids"].append(q.get("id"))
    add("fact", facts)
    add("event", events)
    add("quote", quotes)
    return items


# --- actors ------------------------------------------------------------------------------------------------

def _actor_profile(name: str, is_country: bool, events: list[dict], quotes: list[dict]) -> dict:
    """What the records say about an actor: country, sector, kind, role (from the first that names it)."""
    if is_country:
        return {"country": name}
    wanted = name.lower()
    sides = [side for e in events for side in (e.get("source"), e.get("target"))
             if side and (side.get("name") or "").lower() == wanted]
    sides += [q["speaker"] for q in quotes if (q.get("speaker") or {}).get("name", "").lower() == wanted]
    profile: dict = {}
    for side in sides:
        for key in ("name", "country", "sector", "kind", "role"):
            if side.get(key) and key not in profile:
                profile[key] = side[key]
    return profile


# --- charts: plotly figures as data; static/chancery.js draws them ----------------------------------------

def _timeline_chart(timeline: list[dict]) -> dict:
    periods = [row["period"] for row in timeline]
    data = [{"type": "bar", "name": quad_label(q), "x": periods, "y": [row[q] for row in timeline],
             "marker": {"color": QUAD_COLOURS[q]},
             "customdata": [link("/events", quad=q, start=p, end=p, status="asserted") for p in periods],
             "hovertemplate": "%{x}: %{y} " + quad_label(q) + "<extra></extra>"} for q in QUADS]
    layout = {"barmode": "stack", "height": 320, "margin": {"l": 40, "r": 10, "t": 10, "b": 40},
              "legend": {"orientation": "h", "y": -0.2}, "xaxis": {"type": "date"},
              "yaxis": {"title": {"text": "events (asserted)"}}}
    return {"data": data, "layout": layout}


def _dyad_chart(series: list[dict], a: str, b: str, freq: str, params: dict) -> dict:
    periods = [row["period"] for row in series]
    keep = {k: v for k, v in params.items() if k in ("status", "start", "end", "outlet")}
    data = [{"type": "scatter", "mode": "lines+markers", "name": quad_label(q), "x": periods,
             "y": [row[q] for row in series], "line": {"color": QUAD_COLOURS[q]}, "marker": {"size": 8},
             "customdata": [link(f"/dyads/{a}/{b}", keep, freq=freq, period=p, quad=q) + "#events" for p in periods],
             "hovertemplate": "%{x}: %{y} " + quad_label(q) + "<extra></extra>"} for q in QUADS]
    layout = {"height": 360, "margin": {"l": 40, "r": 10, "t": 10, "b": 40}, "legend": {"orientation": "h", "y": -0.2},
              "xaxis": {"type": "category" if freq in ("M", "Y") else "date"},
              "yaxis": {"title": {"text": f"events per {FREQUENCIES[freq]}"}, "rangemode": "tozero"}}
    return {"data": data, "layout": layout}


def _counted(series: list[dict]) -> list[dict]:
    """A dyad series with the number of events per point instead of their ids."""
    return [{**{k: v for k, v in point.items() if k != "events"}, "count": len(point["events"])} for point in series]


def _filled(series: list[dict], freq: str) -> list[dict]:
    """The series with the periods between its first and last that have no event, as zeros."""
    if len(series) < 2 or freq == "Y":
        return series
    known = {row["period"]: row for row in series}
    periods, current, last = [], series[0]["period"], series[-1]["period"]
    while current <= last and len(periods) <= MAX_FILLED_PERIODS:
        periods.append(current)
        current = _next_period(current, freq)
    if len(periods) > MAX_FILLED_PERIODS:
        return series
    empty = {q: 0 for q in QUADS}
    return [known.get(p) or {"period": p, **empty, "intensity": 0.0, "count": 0} for p in periods]


def _next_period(period: str, freq: str) -> str:
    if freq == "M":
        year, month = (int(x) for x in period.split("-"))
        return f"{year + month // 12}-{month % 12 + 1:02d}"
    step = 7 if freq == "W" else 1
    return (date.fromisoformat(period) + timedelta(days=step)).isoformat()


def _period_bounds(period: str, freq: str) -> tuple[str, str]:
    """The first and last date (as EventFilter takes them) of a period of the series."""
    try:
        if freq == "W":
            monday = date.fromisoformat(period)
            return monday.isoformat(), (monday + timedelta(days=6)).isoformat()
        if freq == "D":
            return date.fromisoformat(period).isoformat(), period
        EventFilter(start=period).check()
    except (ValueError, QueryError):
        raise QueryError(f"period: expected a period of the series such as 2024-05 (month) or a Monday "
                         f"2024-05-13 (week), not {period!r}") from None
    return period, period


# --- static files --------------------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _static_file(name: str) -> tuple[bytes, str, str]:
    if name == "plotly.min.js":
        body = (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()
        media = "text/javascript"
    elif name in STATIC_FILES:
        body = (resources.files("chancery") / "static" / name).read_bytes()
        media = STATIC_FILES[name]
    else:
        raise FileNotFoundError(name)
    return body, media, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _static(request: Request, name: str) -> Response:
    """The dashboard's own stylesheet and script, and plotly.min.js read from the installed plotly."""
    try:
        body, media, etag = _static_file(name)
    except FileNotFoundError:
        return JSONResponse({"error": f"no static file {name!r}"}, status_code=404)
    headers = {"etag": etag, "cache-control": "public, max-age=86400", "x-content-type-options": "nosniff"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media, headers=headers)
