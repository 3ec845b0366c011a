"""The read-only REST API (`chancery serve`), under /api/, with OpenAPI docs at /api/docs.

Every list is JSON by default and CSV from the same URL with `.csv` (or `?format=csv`), keeping its
filters, as in Datasette: /api/events.csv?dyad=CHN-RUS&quad=verbal_conflict. Bad parameters get a
400 answer whose `error` says which parameter and why.
"""
from __future__ import annotations

import csv
import io
import json
import secrets
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import __version__, queries
from .queries import MAX_LIMIT, MAX_OFFSET, EventFilter, Page, QueryError
from .storage import Store, open_store

__all__ = ["create_app", "flatten"]

FORMATS = ("json", "csv")


TOKEN_COOKIE = "chancery_token"


def create_app(db: str | None = None, *, store: Store | None = None, token: str | None = None,
               dashboard: bool = True) -> FastAPI:
    """The app over the store at `db` (or an open `store`). With `token`, every request must carry
    `Authorization: Bearer <token>` (or `?token=` for a browser, which then keeps it in a cookie)."""
    store = store or open_store(db)
    app = FastAPI(title="chancery", version=__version__, docs_url="/api/docs", redoc_url=None,
                  openapi_url="/api/openapi.json",
                  description="Events, stories, quotes, facts and comparisons from news coverage of "
                              "international relations. Read-only.")
    app.state.store = store

    if token:
        @app.middleware("http")
        async def _require_token(request: Request, call_next):
            in_query = request.query_params.get("token", "")
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip() \
                or in_query or request.cookies.get(TOKEN_COOKIE, "")
            if not secrets.compare_digest(given.encode(), token.encode()):
                return JSONResponse({"error": "a bearer token is required (Authorization: Bearer …, or "
                                              "?token=… once in a browser)"}, status_code=401)
            response = await call_next(request)
            if in_query:  # a browser opened with ?token= keeps it, so the dashboard's own links work
                response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
            return response

    @app.middleware("http")
    async def _refuse_nul(request: Request, call_next):
        # no database keeps a NUL in text (PostgreSQL refuses it, SQLite's full-text parser chokes on it)
        if "\x00" in request.url.path or "%00" in request.url.query:
            return JSONResponse({"error": "parameters may not contain NUL characters"}, status_code=400)
        return await call_next(request)

    @app.exception_handler(QueryError)
    async def _query_error(_request: Request, exc: QueryError):
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException):
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError):
        messages = []
        for problem in exc.errors():
            where = ".".join(str(p) for p in problem.get("loc", ()) if p not in ("query", "path"))
            messages.append(f"{where}: {problem.get('msg')}" if where else str(problem.get("msg")))
        return JSONResponse({"error": "; ".join(messages)}, status_code=400)

    app.include_router(_router(store))
    if dashboard:
        from .dashboard import register
        register(app, store)
    return app


def flatten(row: dict, prefix: str = "") -> dict:
    """One level of columns for CSV: nested objects become prefix_key, lists become JSON text."""
    flat: dict = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "_"))
        elif isinstance(value, list | tuple):
            flat[name] = json.dumps(value, ensure_ascii=False)
        else:
            flat[name] = value
    return flat


def to_csv(rows: list[dict]) -> str:
    flat = [flatten(row) for row in rows]
    columns: dict[str, None] = {}
    for row in flat:
        columns.update(dict.fromkeys(row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(flat)
    return buffer.getvalue()


def _answer(request: Request, fmt: str | None, rows: list[dict], page: Page | None = None, name: str = "rows"):
    fmt = (fmt or request.query_params.get("format") or "json").lower()
    if fmt not in FORMATS:
        raise QueryError(f"format: expected json or csv, not {fmt!r}")
    if fmt == "csv":
        return Response(to_csv(rows), media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": f'attachment; filename="{name}.csv"'})
    body: dict = {name: rows}
    if page is not None:
        body.update(total=page.total, total_is_lower_bound=page.capped, limit=page.limit, offset=page.offset)
        if page.more:
            params = dict(request.query_params)
            params["offset"] = str(page.offset + page.limit)
            body["next"] = str(request.url.replace_query_params(**params))
    return body


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"How many rows (1–{MAX_LIMIT}).")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="How many rows to skip.")]


def _event_filter(
    actor: Annotated[str | None, Query(description="Source or target name, e.g. Xi Jinping.")] = None,
    country: Annotated[str | None, Query(description="Source or target country (ISO alpha-3).")] = None,
    dyad: Annotated[str | None, Query(description="Two countries, either direction: CHN-RUS.")] = None,
    type: Annotated[str | None, Query(description="PLOVER event type, e.g. CONSULT.")] = None,
    quad: Annotated[str | None, Query(description="verbal_cooperation, material_cooperation, "
                                                  "verbal_conflict or material_conflict.")] = None,
    status: Annotated[str | None, Query(description="asserted, negated, hypothetical, future or historical.")] = None,
    start: Annotated[str | None, Query(description="First date (YYYY-MM-DD, YYYY-MM or YYYY).")] = None,
    end: Annotated[str | None, Query(description="Last date.")] = None,
    outlet: Annotated[str | None, Query(description="Outlet name.")] = None,
    story: Annotated[str | None, Query(description="Story id.")] = None,
    article: Annotated[str | None, Query(description="Article id.")] = None,
    text: Annotated[str | None, Query(description="Words the evidence sentence contains.")] = None,
) -> EventFilter:
    return EventFilter(actor=actor, country=country, dyad=dyad, type=type, quad=quad, status=status, start=start,
                       end=end, outlet=outlet, story=story, article=article, text=text).check()


Filters = Annotated[EventFilter, Depends(_event_filter)]


def _router(store: Store) -> APIRouter:
    router = APIRouter(prefix="/api")

    def listing(path: str, summary: str) -> Callable:
        """Register a list endpoint at `path` and at `path.{format}`."""
        def decorate(view: Callable) -> Callable:
            router.add_api_route(path, view, methods=["GET"], summary=summary)
            router.add_api_route(path + ".{fmt}", view, methods=["GET"], summary=summary + " (json or csv)",
                                 include_in_schema=False)
            return view
        return decorate

    def not_found(what: str, key: str):
        raise HTTPException(status_code=404, detail=f"no {what} with id {key!r}")

    @router.get("/", summary="What the API offers")
    def index() -> dict:
        return {"name": "chancery", "version": __version__, "docs": "/api/docs", "endpoints": [
            "/api/overview", "/api/articles", "/api/articles/{id}", "/api/stories", "/api/stories/{id}",
            "/api/events", "/api/events/{id}", "/api/quotes", "/api/facts", "/api/comparisons",
            "/api/dyads/{a}/{b}", "/api/network", "/api/search?q="]}

    @router.get("/overview", summary="Corpus counts, outlets, top dyads, events per month by quad class")
    def overview() -> dict:
        return queries.overview(store)

    @listing("/articles", "Articles, newest first, or best match first with search")
    def articles(request: Request, fmt: str | None = None,
                 search: Annotated[str | None, Query(description='Words, "phrases", OR, -word.')] = None,
                 outlet: str | None = None, limit: Limit = 50, offset: Offset = 0):
        try:
            rows = store.articles(search=search, outlet=outlet, limit=limit, offset=offset)
        except ValueError as exc:
            raise QueryError(f"search: {exc}") from None
        return _answer(request, fmt, rows, None, "articles")

    @router.get("/articles/{article_id}", summary="One article with its annotations")
    def article(article_id: str) -> dict:
        return queries.article(store, article_id) or not_found("article", article_id)

    @listing("/stories", "Stories, most recent first")
    def stories(request: Request, fmt: str | None = None,
                actor: Annotated[str | None, Query(description="Only stories with this country among their actors.")]
                = None, limit: Limit = 50, offset: Offset = 0):
        page = queries.stories(store, actor=actor, limit=limit, offset=offset)
        return _answer(request, fmt, page.rows, page, "stories")

    @router.get("/stories/{story_id}", summary="One story: articles, events, quotes, facts, comparisons")
    def story(story_id: str) -> dict:
        return queries.story(store, story_id) or not_found("story", story_id)

    @listing("/events", "Events with filters, paging and sorting")
    def events(request: Request, f: Filters, fmt: str | None = None,
               sort: Annotated[str, Query(description="date, type, outlet, source, target, intensity, id; "
                                                      "-field for descending.")] = "date",
               limit: Limit = 50, offset: Offset = 0):
        page = queries.events(store, f, sort=sort, limit=limit, offset=offset)
        return _answer(request, fmt, page.rows, page, "events")

    @router.get("/events/{event_id}", summary="One event with its evidence in context")
    def event(event_id: str) -> dict:
        return queries.event(store, event_id) or not_found("event", event_id)

    @listing("/quotes", "Quotes with their speakers")
    def quotes(request: Request, fmt: str | None = None, speaker: str | None = None, country: str | None = None,
               article: str | None = None, story: str | None = None,
               text: Annotated[str | None, Query(description="Full-text search in the quoted words.")] = None,
               limit: Limit = 50, offset: Offset = 0):
        page = queries.quotes(store, speaker=speaker, country=country, article=article, story=story, text=text,
                              limit=limit, offset=offset)
        return _answer(request, fmt, page.rows, page, "quotes")

    @listing("/facts", "Numeric facts and lists")
    def facts(request: Request, fmt: str | None = None, what: str | None = None,
              kind: Annotated[str | None, Query(pattern="^(number|list)$")] = None, article: str | None = None,
              story: str | None = None, limit: Limit = 50, offset: Offset = 0):
        page = queries.facts(store, what=what, kind=kind, article=article, story=story, limit=limit, offset=offset)
        return _answer(request, fmt, page.rows, page, "facts")

    @listing("/comparisons", "What outlets report differently, item by item")
    def comparisons(request: Request, fmt: str | None = None, story: str | None = None,
                    verdict: str | None = None, limit: Limit = 50, offset: Offset = 0):
        page = queries.comparisons(store, story=story, verdict=verdict, limit=limit, offset=offset)
        return _answer(request, fmt, page.rows, page, "comparisons")

    @router.get("/dyads/{a}/{b}", summary="Events between two countries per period, by quad class")
    def dyad(request: Request, a: str, b: str, fmt: str | None = None,
             freq: Annotated[str, Query(description="D, W, M or Y.")] = "M",
             status: str | None = None, start: str | None = None, end: str | None = None,
             outlet: str | None = None):
        if fmt is None and "." in b:  # /api/dyads/CHN/RUS.csv: the format rides on the last segment
            b, fmt = b.rsplit(".", 1)
        f = EventFilter(status=status, start=start, end=end, outlet=outlet)
        rows = queries.dyad_series(store, a.upper(), b.upper(), freq=freq, f=f)
        return _answer(request, fmt, rows, None, "series")

    @router.get("/network", summary="Countries and the events between them")
    def network(f: Filters,
                min_events: Annotated[int, Query(ge=1, le=MAX_OFFSET)] = 1) -> dict:
        return queries.network(store, f, min_events=min_events)

    @router.get("/search", summary="Full-text search over articles and quotes")
    def search(q: Annotated[str, Query(min_length=1, description='Words, "phrases", OR, -word.')],
               limit: Annotated[int, Query(ge=1, le=100)] = 20) -> dict:
        return queries.search(store, q, limit=limit)

    return router
