"""The `chancery` command line."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

try:  # recent typer versions carry their own copy of click; its exceptions are the ones raised
    from typer._click import exceptions as click
except ImportError:  # pragma: no cover - older typer
    from click import exceptions as click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from . import __version__
from .manifest import Manifest, ManifestError
from .pipeline import Pipeline, run
from .records import Article, Problem
from .report import build_report, write_report

EXIT_OK, EXIT_USAGE, EXIT_SOME_FAILED = 0, 1, 2

app = typer.Typer(
    name="chancery",
    help=(
        "Turn news coverage of international relations into structured, source-attributed records.\n\n"
        "Examples:\n\n"
        "  chancery demo                              # analyse the bundled demo corpus into chancery.db\n\n"
        "  chancery analyze articles/ -o report.json  # one chancery.report/1 JSON document\n\n"
        "  chancery analyze wire.jsonl feed.xml --manifest manifest.csv -o report.json\n\n"
        "  chancery ingest articles/ --db sqlite:///news.db\n\n"
        "  chancery articles --search \"joint statement\""
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
err = Console(stderr=True)
out = Console()

DbOption = Annotated[str | None, typer.Option(
    "--db", envvar="CHANCERY_DB", metavar="URL",
    help="Database: a file path, sqlite:///file.db or postgresql+psycopg://user@host/db. Default: ./chancery.db")]
ManifestOption = Annotated[Path | None, typer.Option(
    "--manifest", "-m", metavar="FILE", dir_okay=False,
    help="JSON list or CSV with file/id, outlet, published, url, title; its values win over guesses.")]
OutletsOption = Annotated[list[Path] | None, typer.Option(
    "--outlets", metavar="FILE", exists=True, dir_okay=False,
    help="Extra outlet table (TOML, same format as the bundled data/outlets.toml). Repeatable.")]
ActorsOption = Annotated[list[Path] | None, typer.Option(
    "--actors", metavar="FILE", exists=True, dir_okay=False,
    help="Extra actor knowledge: TOML ([[country]], [[organisation]], [[person]], [sectors], [roles]) "
         "or a CSV of office-holders (name,surname,aliases,country,sector,role,start,end,gender). Repeatable.")]
PatternsOption = Annotated[list[Path] | None, typer.Option(
    "--patterns", metavar="FILE", exists=True, dir_okay=False,
    help="Extra event patterns (TOML [[pattern]] tables, same format as data/events/*.toml; an entry with "
         "the id of a bundled one replaces it). Repeatable.")]
FetchOption = Annotated[bool, typer.Option(
    "--fetch-pages", help="For feeds, fetch each entry's web page (polite: robots.txt, rate limit).")]
JobsOption = Annotated[int, typer.Option("--jobs", "-j", min=1, help="Run the per-article stages in N processes.")]
EngineOption = Annotated[str, typer.Option("--engine", help="serial, process (a pool of --jobs processes) or dask.")]
SchedulerOption = Annotated[str | None, typer.Option(
    "--scheduler", metavar="ADDRESS", help="With --engine dask: a running scheduler (tcp://host:8786); "
                                           "without it a local cluster is started.")]
WorkersOption = Annotated[int | None, typer.Option(
    "--workers", min=1, help="With --engine dask and no --scheduler: worker processes of the local cluster.")]
LanguageOption = Annotated[list[str] | None, typer.Option(
    "--language", metavar="CODE", help="Keep only articles in this language (ISO 639-1, e.g. en; repeatable). "
                                       "Pages of a WARC in another language are skipped before parsing; "
                                       "articles of unknown language are kept.")]
AllowPrivateOption = Annotated[bool, typer.Option(
    "--allow-private", help="Let URLs reach loopback and private-network addresses (refused by default).")]
Inputs = Annotated[list[str] | None, typer.Argument(
    metavar="PATH...", help="Files, folders, JSONL, RSS/Atom feeds, WARC(.gz) files or http(s) URLs.",
    show_default=False)]


def _version(value: bool) -> None:
    if value:
        print(f"chancery {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Show the version and exit.")] = False) -> None:
    """chancery: who did what to whom, who said what, and which outlet reported it."""


def _load_manifest(path: Path | None) -> Manifest | None:
    if path is None:
        return None
    try:
        return Manifest.load(path)
    except ManifestError as exc:
        raise click.UsageError(str(exc)) from None


def _pipeline(outlets: list[Path] | None, actors: list[Path] | None = None,
              patterns: list[Path] | None = None) -> Pipeline:
    return Pipeline(outlet_files=tuple(str(p) for p in outlets or ()), actor_files=tuple(str(p) for p in actors or ()),
                    pattern_files=tuple(str(p) for p in patterns or ()))


def _stream(inputs: list[str], manifest: Manifest | None, outlets: list[Path] | None, fetch_pages: bool,
            problems: list[Problem], label: str, actors: list[Path] | None = None,
            patterns: list[Path] | None = None, engine: str = "serial", jobs: int = 1,
            scheduler: str | None = None, workers: int | None = None, skip=None,
            allow_private: bool = False, languages: list[str] | None = None) -> Iterator[Article]:
    """Run the pipeline with a progress display; report each problem on one stderr line as it comes."""
    from .engines import open_engine

    if not inputs and manifest is None:
        raise click.UsageError("give at least one PATH (or a --manifest that names files)")
    if engine not in ("serial", "process", "dask"):
        raise click.UsageError(f"--engine must be serial, process or dask, not {engine!r}")
    if (scheduler or workers) and engine != "dask":
        raise click.UsageError("--scheduler and --workers go with --engine dask")
    pipeline = _pipeline(outlets, actors, patterns)
    columns = [SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[current]}"), TimeElapsedColumn()]
    with open_engine(engine, jobs=jobs, scheduler=scheduler, workers=workers) as running, \
            Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task(label, total=None, current="")
        for item in run(inputs, pipeline=pipeline, manifest=manifest, fetch_pages=fetch_pages, engine=running,
                        skip=skip, allow_private=allow_private, languages=set(languages or ()) or None):
            if isinstance(item, Problem):
                problems.append(item)
                # one line per problem, whatever the file name or the reason holds
                print(f"chancery: {item}".replace("\n", "\\n").replace("\r", "\\r"), file=sys.stderr, flush=True)
                continue
            progress.update(task, advance=1, current=item.source[-50:])
            yield item


def _articles_table(rows: list[dict], title: str) -> Table:
    table = Table(title=title, expand=True)
    table.add_column("id", no_wrap=True, overflow="ellipsis", max_width=30)
    table.add_column("outlet", no_wrap=True, overflow="ellipsis", max_width=22)
    table.add_column("published", no_wrap=True)
    table.add_column("dateline", no_wrap=True, overflow="ellipsis", max_width=12)
    table.add_column("title", overflow="fold", ratio=1)
    for row in rows:
        table.add_row(str(row["id"]), row.get("outlet") or "—", row.get("published") or "—",
                      (row.get("dateline") or {}).get("place") or "—",
                      row.get("title") or row.get("snippet") or "")
    return table


def _summary(action: str, n_articles: int, problems: list[Problem]) -> None:
    tail = f", [red]{len(problems)} input problem(s)[/red] (listed above)" if problems else ""
    err.print(f"[green]{action}[/green] {n_articles} article(s){tail}")


@app.command()
def analyze(
    paths: Inputs = None,
    manifest: ManifestOption = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE",
                                                   help="Write the report here (default: standard output).")] = None,
    outlets: OutletsOption = None,
    actors: ActorsOption = None,
    patterns: PatternsOption = None,
    fetch_pages: FetchOption = False,
    jobs: JobsOption = 1,
    engine: EngineOption = "serial",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    allow_private: AllowPrivateOption = False,
    language: LanguageOption = None,
) -> None:
    """Analyse inputs and write one [bold]chancery.report/1[/bold] JSON document.

    Examples:

      chancery analyze articles/ -o report.json

      chancery analyze a.txt b.html wire.jsonl --manifest manifest.json -o report.json

    Exit status: 0 all inputs read; 2 some inputs failed (the rest are in the report); 1 usage error.
    """
    problems: list[Problem] = []
    articles = list(_stream(paths or [], _load_manifest(manifest), outlets, fetch_pages, problems, "analysing",
                            actors, patterns, engine, jobs, scheduler, workers, allow_private=allow_private,
                            languages=language))
    from .link import propagate_dates
    from .stories import cluster

    stories = cluster(articles)
    pipeline = _pipeline(outlets, actors, patterns)  # built by _stream already: cached
    articles = propagate_dates(articles, stories, pipeline.analyse)
    write_report(build_report(articles, problems, stories, outlets=pipeline.cleaner.outlets), output)
    _summary("analysed", len(articles), problems)
    if output:
        err.print(f"report written to {output}")
    raise typer.Exit(EXIT_SOME_FAILED if problems else EXIT_OK)


@app.command()
def ingest(
    paths: Inputs = None,
    db: DbOption = None,
    manifest: ManifestOption = None,
    outlets: OutletsOption = None,
    actors: ActorsOption = None,
    patterns: PatternsOption = None,
    fetch_pages: FetchOption = False,
    jobs: JobsOption = 1,
    engine: EngineOption = "serial",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Articles per database transaction; "
                                                                        "a crash loses at most one batch.")] = 200,
    allow_private: AllowPrivateOption = False,
    language: LanguageOption = None,
    recluster: Annotated[bool, typer.Option("--recluster", help="Cluster every stored article into stories "
                                                                "again, instead of adding the new ones to the "
                                                                "stories already found.")] = False,
) -> None:
    """Analyse inputs and store them in the database. Safe to repeat: unchanged articles are skipped;
    changed content under the same id or URL is stored as a new version, the old one kept. New
    articles join the stories already found or start new ones; `--recluster` redoes them all.

    Examples:

      chancery ingest articles/

      chancery ingest crawl.warc.gz --db postgresql+psycopg://me@localhost/news
    """
    from .storage import open_store

    problems: list[Problem] = []
    pipeline = _pipeline(outlets, actors, patterns)
    with open_store(db) as store:
        skip = _AlreadyStored(store, pipeline.generator)
        stats = store.add(_stream(paths or [], _load_manifest(manifest), outlets, fetch_pages, problems, "ingesting",
                                  actors, patterns, engine, jobs, scheduler, workers, skip, allow_private,
                                  language),
                          batch_size=batch_size, generator=pipeline.generator)
        stats.unchanged += skip.count
        _relink(store, pipeline, full=recluster)
        counts = store.counts()
    err.print(f"[green]ingested[/green] {_outcomes(stats)}; the database holds {_holdings(counts)}")
    if problems:
        err.print(f"[red]{len(problems)} input problem(s)[/red] (listed above)")
    raise typer.Exit(EXIT_SOME_FAILED if problems else EXIT_OK)


class _AlreadyStored:
    """Tells the pipeline to skip articles whose content is stored already (a rerun resumes where a
    stopped run ended), and counts them."""

    def __init__(self, store, generator: str | None = None) -> None:
        self.store, self.generator, self.count = store, generator, 0

    def __call__(self, article: Article) -> bool:
        found = self.store.is_stored(article, self.generator)
        self.count += found
        return found


def _relink(store, pipeline: Pipeline, full: bool = False) -> None:
    from .relink import relink

    with err.status("linking: stories and comparisons across articles", spinner="dots"):
        relink(store, outlets=pipeline.cleaner.outlets, pipeline=pipeline, full=full)


def _outcomes(stats) -> str:
    said = f"{stats.added} new, {stats.versioned} new version(s), {stats.unchanged} unchanged"
    if stats.reanalysed:
        said += f", {stats.reanalysed} analysed again (the knowledge files changed)"
    return said


def _holdings(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts.get(name, 0)} {name}" for name in ("articles", "stories", "events", "quotes", "facts"))


@app.command()
def articles(
    db: DbOption = None,
    search: Annotated[str | None, typer.Option("--search", "-s", help="Full-text search in titles and bodies.")] = None,
    outlet: Annotated[str | None, typer.Option("--outlet", help="Only this outlet.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many to show.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List stored articles, newest first.

    Examples:

      chancery articles --search "joint statement"

      chancery articles --outlet Xinhua --json
    """
    from .storage import SearchError, open_store

    with open_store(db) as store:
        try:
            rows = store.articles(search=search, outlet=outlet, limit=limit)
        except SearchError as exc:
            raise click.UsageError(f"--search: {exc}") from None
    if as_json:
        import json
        print(json.dumps(rows, ensure_ascii=False, indent=1, default=str))
        return
    table = _articles_table(rows, f"{len(rows)} article(s)" + (f" matching {search!r}" if search else ""))
    out.print(table)


@app.command()
def article(article_id: Annotated[str, typer.Argument(metavar="ID")], db: DbOption = None) -> None:
    """Show one stored article: metadata, cleaned text and what cleaning removed."""
    from .storage import open_store

    with open_store(db) as store:
        record = store.get(article_id)
    if record is None:
        raise click.UsageError(f"no article with id {article_id!r} in the database")
    out.print(f"[bold]{record.get('title') or record['id']}[/bold]")
    for key in ("id", "outlet", "published", "url", "source", "content_hash", "version"):
        out.print(f"  {key}: {record.get(key)}")
    dateline = record.get("dateline") or {}
    if dateline.get("place"):
        out.print(f"  dateline: {dateline.get('place')} {dateline.get('date') or ''}")
    out.print()
    out.print(record.get("text", ""), markup=False, highlight=False)
    if record.get("removed"):
        out.print("\n[bold]removed by cleaning[/bold]")
        for part in record["removed"]:
            out.print(f"  [dim]{part['kind']}:[/dim] {part['text'][:200]}", markup=True, highlight=False)


@app.command()
def demo(db: DbOption = None) -> None:
    """Ingest the bundled demo corpus (invented wording about five real diplomatic happenings) and list it."""
    from .storage import open_store

    root = resources.files("chancery") / "demo"
    with resources.as_file(root) as folder:
        outlets_file = folder / "outlets.toml"
        manifest_file = folder / "manifest.csv"
        problems: list[Problem] = []
        manifest = Manifest.load(manifest_file) if manifest_file.exists() else None
        outlets = [outlets_file] if outlets_file.exists() else None
        pipeline = _pipeline(outlets)
        with open_store(db) as store:
            skip = _AlreadyStored(store, pipeline.generator)
            stats = store.add(_stream([str(folder / "articles")], manifest, outlets, False, problems,
                                      "demo corpus", skip=skip), generator=pipeline.generator)
            stats.unchanged += skip.count
            _relink(store, pipeline)
            rows = store.articles(limit=100)
            counts = store.counts()
            stories_found = store.stories()
    err.print(f"[green]demo corpus[/green]: {_outcomes(stats)}; the database holds {_holdings(counts)}")
    out.print(_articles_table(rows, f"{len(rows)} article(s) in {db or 'chancery.db'}"))
    out.print(_stories_table(stories_found))
    raise typer.Exit(EXIT_SOME_FAILED if problems else EXIT_OK)


def _stories_table(stories: list[dict]) -> Table:
    table = Table(title=f"{len(stories)} stor{'y' if len(stories) == 1 else 'ies'}", expand=True)
    table.add_column("id", no_wrap=True, min_width=15)
    table.add_column("dates", overflow="fold", max_width=12)
    table.add_column("n", justify="right")
    table.add_column("actors", overflow="fold", max_width=12)
    table.add_column("title", overflow="fold", ratio=1, min_width=20)
    for story in stories:
        dates = story.get("start") or "—"
        if story.get("end") and story.get("end") != story.get("start"):
            dates += f" … {story['end']}"
        table.add_row(story["id"], dates, str(len(story.get("articles", []))), ", ".join(story.get("actors") or []),
                      story.get("title") or "")
    return table


@app.command()
def stories(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the story entries as JSON.")] = False,
) -> None:
    """List the stories found in the database: articles about the same happening, across outlets.

    Examples:

      chancery stories

      chancery stories --db sqlite:///news.db --json
    """
    from .storage import open_store

    with open_store(db) as store:
        found = store.stories()
    if as_json:
        import json
        print(json.dumps(found, ensure_ascii=False, indent=1))
        return
    out.print(_stories_table(found))


@app.command()
def story(story_id: Annotated[str, typer.Argument(metavar="ID", help="A story id from `chancery stories`.")],
          db: DbOption = None) -> None:
    """Show one story with its outlets side by side: each event, number, quote and list, which outlet
    reports it and what it says, which outlets leave it out, and whether they agree."""
    from .sidebyside import render_story
    from .storage import open_store

    with open_store(db) as store:
        report = store.report(story=story_id)
    found = next(iter(report["stories"]), None)
    if found is None:
        raise click.UsageError(f"no story with id {story_id!r} in the database (see `chancery stories`)")
    for renderable in render_story(report, found):
        out.print(renderable)


@app.command()
def export(
    db: DbOption = None,
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT",
                                     help="csv, jsonl, parquet, plover-jsonl, cameo-tsv or graphml.")] = "csv",
    output: Annotated[str, typer.Option("--output", "-o", metavar="FILE", help="Where to write; - is standard "
                                                                               "output (not for parquet).")] = "-",
    kind: Annotated[str, typer.Option("--kind", help="events, quotes, facts or stories (csv, jsonl, parquet).")]
    = "events",
    dyad: Annotated[str | None, typer.Option(help="Only events between two countries: CHN-RUS.")] = None,
    country: Annotated[str | None, typer.Option(help="Only events with this source or target country.")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Only this PLOVER type, e.g. CONSULT.")] = None,
    status: Annotated[str | None, typer.Option(help="Only this status (cameo-tsv defaults to asserted).")] = None,
    start: Annotated[str | None, typer.Option(help="First date, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option(help="Last date, YYYY-MM-DD.")] = None,
) -> None:
    """Export what the database holds for other tools: spreadsheets, pandas, Gephi, GDELT/ICEWS pipelines.

    Examples:

      chancery export -f csv -o events.csv --dyad CHN-RUS

      chancery export -f parquet -o events.parquet

      chancery export -f plover-jsonl -o plover.jsonl --start 2025-01-01

      chancery export -f cameo-tsv -o events.tsv          # asserted events, GDELT-like columns

      chancery export -f graphml -o network.graphml       # the actor network for Gephi
    """
    from .exports import export as write
    from .queries import EventFilter, QueryError
    from .storage import open_store

    filters = EventFilter(dyad=dyad, country=country, type=type_, status=status, start=start, end=end)
    with open_store(db) as store:
        try:
            n = write(store, fmt, output, kind=kind, filters=filters if filters.as_params() else None)
        except (QueryError, ValueError) as exc:
            raise click.UsageError(str(exc)) from None
    if output != "-":
        err.print(f"[green]exported[/green] {n} {'edge(s)' if fmt == 'graphml' else kind} to {output}")


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on. Only this machine can connect by "
                                                     "default.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    token: Annotated[str | None, typer.Option("--token", envvar="CHANCERY_TOKEN",
                                              help="Require this bearer token on every request.")] = None,
    public: Annotated[bool, typer.Option("--public", help="Allow another --host without a --token "
                                                          "(anyone who can reach it reads everything).")] = False,
) -> None:
    """Serve the dashboard and the read-only REST API over a database.

    Examples:

      chancery serve                                  # http://127.0.0.1:8000/ over ./chancery.db

      chancery serve --db news.db --port 8080

      chancery serve --host 0.0.0.0 --token s3cret    # reachable from other machines, token required

    The API is under /api/ (documentation at /api/docs); every list is also CSV with .csv.
    """
    if host not in LOOPBACK_HOSTS and not token and not public:
        raise click.UsageError(f"--host {host} lets other machines connect: give --token, or --public to "
                               "serve without one")
    import uvicorn

    from .api import create_app
    from .storage import open_store

    if host not in LOOPBACK_HOSTS and not token:
        err.print(f"[yellow]warning:[/yellow] serving on {host} without a token; anyone who can reach it can read "
                  "the database")
    with open_store(db) as store:
        application = create_app(store=store, token=token)
        shown = f"[{host}]" if ":" in host else host
        err.print(f"[green]chancery[/green] dashboard on http://{shown}:{port}/  (API: /api/, docs: /api/docs; "
                  "Ctrl+C stops)")
        uvicorn.run(application, host=host, port=port, log_level="warning")


@app.command()
def explain(
    sentence: Annotated[str, typer.Argument(help="A sentence or short text to annotate.")],
    date: Annotated[str | None, typer.Option("--date", metavar="YYYY-MM-DD",
                                                help="Publication date that names and times resolve against.")] = None,
    actors: ActorsOption = None,
    patterns: PatternsOption = None,
) -> None:
    """Show how chancery reads a sentence: each actor mention, who it resolves to and how, each time
    expression with its date, and the events coded from it with the pattern that fired and the
    status it got.

    Examples:

      chancery explain "The Chinese president met his Egyptian counterpart on Monday." --date 2024-05-30

      chancery explain "Lavrov said the two sides would meet next year." --date 2025-09-02
    """
    from .dates import parse_date
    from .sentences import split_sentences

    if date is not None and not (len(date) == 10 and parse_date(date)):
        raise click.UsageError(f"--date must be YYYY-MM-DD, not {date!r}")
    from .pipeline import Pipeline
    from .records import Article

    pipeline = Pipeline(actor_files=tuple(str(p) for p in actors or ()),
                        pattern_files=tuple(str(p) for p in patterns or ()))
    article = Article(id="explain", source="explain", raw=sentence, text=sentence, published=date)
    article.sentences = split_sentences(sentence)
    article = pipeline.annotator(article)
    events = pipeline.extractor(article)
    mentions, times = article.mentions, article.times
    table = Table(title="actors", expand=True)
    for column in ("text", "span", "actor", "country", "sector", "role", "how"):
        table.add_column(column, overflow="fold")
    for m in mentions:
        a = m.actor
        name = a.name + (f" ({' + '.join(x.name for x in a.members)})" if a.members and a.kind == "pair" else "")
        table.add_row(m.text, f"{m.start}-{m.end}", name, a.country or "—", a.sector or "—", a.role or "—",
                      m.how if a.kind != "place" else "place")
    out.print(table)
    times_table = Table(title="times", expand=True)
    for column in ("text", "span", "date", "precision", "source", "tense"):
        times_table.add_column(column)
    for t in times:
        date_text = t.date + (f" … {t.until}" if t.until else "") if t.date else "—"
        times_table.add_row(t.text, f"{t.start}-{t.end}", date_text, t.precision or "—", t.source, t.tense)
    out.print(times_table)
    events_table = Table(title="events", expand=True)
    for column in ("type", "mode", "cameo", "source", "target", "date", "status", "rule", "trigger"):
        events_table.add_column(column, overflow="fold")
    for e in events:
        events_table.add_row(e.type, e.mode or "—", e.cameo, _actor_label(e.source), _actor_label(e.target),
                             e.date or "—", e.status + (f" ({e.status_cue!r})" if e.status_cue else ""), e.rule, ", ".join(x["text"] for x in e.evidence))
    out.print(events_table)


def _actor_label(actor: dict | None) -> str:
    if not actor:
        return "—"
    return f"{actor.get('name')} ({actor.get('country') or '?'} {actor.get('sector') or '?'})"


def main(argv: list[str] | None = None) -> int:
    """Entry point: usage errors exit with 1 (click's default is 2, which we keep for failed inputs)."""
    try:
        rc = app(args=argv, standalone_mode=False)
    except click.NoArgsIsHelpError as exc:
        print(exc.ctx.get_help() if exc.ctx else exc.format_message())
        return EXIT_OK
    except click.UsageError as exc:
        message = exc.format_message()
        print(f"chancery: error: {message}", file=sys.stderr)
        if exc.ctx is not None:
            print(f"Try '{exc.ctx.command_path} --help'.", file=sys.stderr)
        return EXIT_USAGE
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        print("chancery: aborted", file=sys.stderr)
        return 130
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    return rc if isinstance(rc, int) else EXIT_OK


def entry() -> None:
    sys.exit(main())
