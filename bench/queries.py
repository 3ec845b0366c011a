"""Latency of filtered event queries on a generated SQLite database of one million events.

    .venv/bin/python bench/queries.py                       # 1,000,000 events (built once, then reused)
    .venv/bin/python bench/queries.py --events 100000 --db /tmp/small.db

The database is filled with generated articles (50 events each) spread over five years, 60 countries,
40 outlets and the PLOVER types, written straight into the tables the store uses. Each query is a
page of 50 events through `chancery.queries.events` (what the API and the dashboard call), with its
capped total, for filters drawn at random: a dyad, a country and a quad class, a type and a month,
an outlet and a year, an actor, a story, words of the evidence; and the same through the HTTP API.
Prints p50 and p95 per filter and overall, and merges the figures into bench/results.json.
Nothing here fails on timing.
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from results import merge_results

HERE = Path(__file__).resolve().parent
TYPES = ["CONSULT", "AGREE", "COOPERATE", "AID", "YIELD", "ACCUSE", "REQUEST", "REJECT", "THREATEN", "PROTEST",
         "SANCTION", "MOBILIZE", "COERCE", "ASSAULT", "SUPPORT", "RETREAT"]
QUAD_OF = {"CONSULT": "verbal_cooperation", "AGREE": "verbal_cooperation", "SUPPORT": "verbal_cooperation",
           "COOPERATE": "material_cooperation", "AID": "material_cooperation", "YIELD": "material_cooperation",
           "RETREAT": "material_cooperation", "ACCUSE": "verbal_conflict", "REQUEST": "verbal_conflict",
           "REJECT": "verbal_conflict", "THREATEN": "verbal_conflict", "PROTEST": "verbal_conflict",
           "SANCTION": "material_conflict", "MOBILIZE": "material_conflict", "COERCE": "material_conflict",
           "ASSAULT": "material_conflict"}
STATUSES = ["asserted"] * 7 + ["future", "negated", "hypothetical", "historical"]
WORDS = ["talks", "trade", "summit", "border", "missile", "sanctions", "visit", "pipeline", "treaty", "grain",
         "ceasefire", "drills", "envoy", "port", "loan", "vaccine", "satellite", "tariff", "embassy", "fishing"]
EVENTS_PER_ARTICLE = 50


def countries(n: int = 60) -> list[str]:
    rng = random.Random(7)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    found: set[str] = {"CHN", "RUS", "USA"}
    while len(found) < n:
        found.add("".join(rng.choice(letters) for _ in range(3)))
    return sorted(found)


def build(path: Path, n_events: int) -> None:
    import sqlalchemy as sa

    from chancery.storage import (
        annotations_table,
        articles_table,
        events_table,
        open_store,
        stories_table,
        story_articles_table,
    )

    rng = random.Random(1)
    codes = countries()
    outlets = [f"Outlet {n}" for n in range(40)]
    people = [(f"Person {n}", rng.choice(codes)) for n in range(400)]
    first_day = date(2021, 1, 1)
    n_articles = max(1, n_events // EVENTS_PER_ARTICLE)
    started = time.perf_counter()
    with open_store(str(path)) as store, store.engine.begin() as connection:
        for start in range(0, n_articles, 500):
            article_rows, annotation_rows, event_rows, story_rows, member_rows = [], [], [], [], []
            for number in range(start, min(start + 500, n_articles)):
                pk = number + 1
                day = first_day + timedelta(days=rng.randrange(5 * 365))
                outlet = rng.choice(outlets)
                article_rows.append({
                    "pk": pk, "article_id": f"a{number}", "identity_key": f"id:a{number}", "version": 1,
                    "is_current": True, "source": "generated", "outlet": outlet, "title": f"Article {number}",
                    "published": day.isoformat(), "language": "en", "text": "generated", "raw": "generated",
                    "content_hash": f"{number:064d}", "provenance": {}, "ingested_at": datetime.now(UTC)})
                annotation_rows.append({"article_pk": pk, "mentions": [], "times": [], "generator": "bench"})
                story = f"s-{number // 8:08d}"
                if number % 8 == 0:
                    story_rows.append({"story_id": story, "title": story, "start": day.isoformat(),
                                       "end": day.isoformat(), "payload": {"id": story}})
                member_rows.append({"story_id": story, "article_pk": pk})
                for k in range(EVENTS_PER_ARTICLE):
                    kind = rng.choice(TYPES)
                    (source, a), (target, b) = rng.choice(people), rng.choice(people)
                    event_day = (day - timedelta(days=rng.randrange(3))).isoformat()
                    text = " ".join(rng.choice(WORDS) for _ in range(12))
                    event_id = f"{number:07d}{k:03d}"
                    payload = {"id": event_id, "article": f"a{number}", "type": kind, "date": event_day,
                               "source": {"name": source, "country": a}, "target": {"name": target, "country": b},
                               "text": text, "span": [0, len(text)]}
                    event_rows.append({
                        "article_pk": pk, "event_id": event_id, "current": True, "outlet": outlet, "sentence": k,
                        "type": kind,
                        "mode": None, "cameo": "040", "quad": QUAD_OF[kind], "intensity": rng.uniform(-10, 10),
                        "source_name": source, "source_country": a, "target_name": target,
                        "target_country": b, "date": event_day, "status": rng.choice(STATUSES), "text": text,
                        "payload": payload})
            connection.execute(sa.insert(articles_table), article_rows)
            connection.execute(sa.insert(annotations_table), annotation_rows)
            if story_rows:
                connection.execute(sa.insert(stories_table), story_rows)
            connection.execute(sa.insert(story_articles_table), member_rows)
            connection.execute(sa.insert(events_table), event_rows)
        connection.exec_driver_sql("ANALYZE")
    print(f"built {path} with {n_articles * EVENTS_PER_ARTICLE:,} events in {time.perf_counter() - started:.0f} s")


def filters(rng: random.Random, codes: list[str]) -> list[tuple[str, dict]]:
    year = rng.randrange(2021, 2026)
    month = f"{year}-{rng.randrange(1, 13):02d}"
    return [
        ("dyad", {"dyad": f"{rng.choice(codes)}-{rng.choice(codes)}"}),
        ("country+quad", {"country": rng.choice(codes), "quad": QUAD_OF[rng.choice(TYPES)]}),
        ("type+month", {"type": rng.choice(TYPES), "start": month, "end": month}),
        ("outlet+year", {"outlet": f"Outlet {rng.randrange(40)}", "start": str(year), "end": str(year)}),
        ("actor", {"actor": f"Person {rng.randrange(400)}"}),
        ("story", {"story": f"s-{rng.randrange(2500):08d}"}),
        ("dyad+status+year", {"dyad": f"{rng.choice(codes)}-{rng.choice(codes)}", "status": "asserted",
                              "start": str(year), "end": str(year)}),
        ("text", {"text": f"{rng.choice(WORDS)} {rng.choice(WORDS)}", "start": month, "end": month}),
    ]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(path: Path, rounds: int) -> list[dict]:
    from fastapi.testclient import TestClient

    from chancery import queries
    from chancery.api import create_app
    from chancery.storage import open_store

    rng = random.Random(3)
    codes = countries()
    timings: dict[str, list[float]] = {}
    with open_store(str(path)) as store:
        client = TestClient(create_app(store=store))
        for _ in range(rounds):
            for name, given in filters(rng, codes):
                for sort in ("date", "-date"):
                    started = time.perf_counter()
                    queries.events(store, queries.EventFilter(**given), sort=sort, limit=50)
                    timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                answer = client.get("/api/events", params={**given, "limit": 50})
                timings.setdefault("http:" + name, []).append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, answer.text
    every = [t for name, values in timings.items() if not name.startswith("http:") for t in values]
    http = [t for name, values in timings.items() if name.startswith("http:") for t in values]
    print(f"{'filter':24} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in timings.items():
        print(f"{name:24} {statistics.median(values):8.1f} {percentile(values, 95):8.1f}")
    print(f"{'all (query layer)':24} {statistics.median(every):8.1f} {percentile(every, 95):8.1f}")
    print(f"{'all (HTTP API)':24} {statistics.median(http):8.1f} {percentile(http, 95):8.1f}")
    p95, p95_http = percentile(every, 95), percentile(http, 95)
    return [
        {"name": "events_query_1m.p50_ms", "value": round(statistics.median(every), 1), "unit": "ms",
         "target": None, "meets": None},
        {"name": "events_query_1m.p95_ms", "value": round(p95, 1), "unit": "ms", "target": 200, "meets": p95 < 200},
        {"name": "events_query_1m.http_p95_ms", "value": round(p95_http, 1), "unit": "ms", "target": 200,
         "meets": p95_http < 200},
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "chancery-bench-1m.db",
                    help="where the generated database is kept between runs")
    ap.add_argument("--rounds", type=int, default=25, help="random filter sets per kind of filter")
    ap.add_argument("--output", type=Path, default=HERE / "results.json")
    args = ap.parse_args()
    marker = args.db.with_suffix(".events")
    if not (args.db.exists() and marker.exists() and marker.read_text() == str(args.events)):
        for stale in (args.db, Path(f"{args.db}-wal"), Path(f"{args.db}-shm")):
            stale.unlink(missing_ok=True)
        build(args.db, args.events)
        marker.write_text(str(args.events))
    figures = measure(args.db, args.rounds)
    if args.events == 1_000_000:
        merge_results(figures, args.output)
        print(f"merged into {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
