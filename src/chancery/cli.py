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


def _stream(inputs: list[str], manifest: Manifest | None, outlets: list[Path] | None, fetch_pages: bool,
            problems: list[Problem], label: str, actors: list[Path] | None = None,
            patterns: list[Path] | None = None, allow_private: bool = False) -> Iterator[Article]:
    """Run the pipeline with a progress display; report each problem on one stderr line as it comes."""
    if not inputs and manifest is None:
        raise click.UsageError("give at least one PATH (or a --manifest that names files)")
    pipeline = Pipeline(outlet_files=tuple(str(p) for p in outlets or ()),
                        actor_files=tuple(str(p) for p in actors or ()),
                        pattern_files=tuple(str(p) for p in patterns or ()))
    columns = [SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[current]}"), TimeElapsedColumn()]
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task(label, total=None, current="")
        for item in run(inputs, pipeline=pipeline, manifest=manifest, fetch_pages=fetch_pages,
                        allow_private=allow_private):
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
    allow_private: AllowPrivateOption = False,
) -> None:
    """Analyse inputs and write one [bold]chancery.report/1[/bold] JSON document.

    Examples:

      chancery analyze articles/ -o report.json

      chancery analyze a.txt b.html wire.jsonl --manifest manifest.json -o report.json

    Exit status: 0 all inputs read; 2 some inputs failed (the rest are in the report); 1 usage error.
    """
    problems: list[Problem] = []
    articles = list(_stream(paths or [], _load_manifest(manifest), outlets, fetch_pages, problems, "analysing",
                            actors, patterns, allow_private))
    from .stories import StoryClusterer

    stories = StoryClusterer.cluster(articles)
    write_report(build_report(articles, problems, stories), output)
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
    allow_private: AllowPrivateOption = False,
) -> None:
    """Analyse inputs and store them in the database. Safe to repeat: unchanged articles are skipped;
    changed content under the same id or URL is stored as a new version, the old one kept.

    Examples:

      chancery ingest articles/

      chancery ingest crawl.warc.gz --db postgresql+psycopg://me@localhost/news
    """
    from .storage import open_store

    problems: list[Problem] = []
    with open_store(db) as store:
        stats = store.add(_stream(paths or [], _load_manifest(manifest), outlets, fetch_pages, problems, "ingesting",
                                  actors, patterns, allow_private))
        counts = store.counts()
    err.print(f"[green]ingested[/green] {stats.added} new, {stats.versioned} new version(s), "
              f"{stats.unchanged} unchanged; the database holds {counts.get('articles', 0)} article(s)")
    if problems:
        err.print(f"[red]{len(problems)} input problem(s)[/red] (listed above)")
    raise typer.Exit(EXIT_SOME_FAILED if problems else EXIT_OK)


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
        stream = _stream([str(folder / "articles")], manifest,
                         [outlets_file] if outlets_file.exists() else None, False, problems, "demo corpus")
        with open_store(db) as store:
            stats = store.add(stream)
            rows = store.articles(limit=100)
    err.print(f"[green]demo corpus[/green]: {stats.added} new, {stats.versioned} new version(s), "
              f"{stats.unchanged} unchanged")
    table = _articles_table(rows, f"{len(rows)} article(s) in {db or 'chancery.db'}")
    out.print(table)
    raise typer.Exit(EXIT_SOME_FAILED if problems else EXIT_OK)


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
