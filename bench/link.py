"""What the link stage adds to `chancery analyze`, measured side by side in one run.

    .venv/bin/python bench/link.py                           # ECB+ from ../shared, else the demo corpus
    .venv/bin/python bench/link.py PATH [--manifest FILE]

Prints, in seconds and as a share of the per-article pass: the per-article pass (read, clean,
annotate, extract), story clustering, redoing the undated articles with their story's date
(in this process, then in worker processes), the report's entries, `link` (story events,
comparisons, framing, each timed), and writing the report. Nothing here fails on timing.
"""
from __future__ import annotations

import argparse
import gc
import tempfile
import time
from importlib import resources
from pathlib import Path

HERE = Path(__file__).resolve().parent
ECB = HERE.parent.parent / "shared" / "peer" / "ecbplus" / "articles.jsonl"


def main() -> None:
    from chancery.compare import compare
    from chancery.framing import framing
    from chancery.link import propagate_dates
    from chancery.manifest import Manifest
    from chancery.pipeline import Pipeline, run
    from chancery.records import Article
    from chancery.report import build_report, write_report
    from chancery.stories import StoryClusterer
    from chancery.story_events import story_events

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?")
    parser.add_argument("--manifest")
    args = parser.parse_args()
    demo = resources.files("chancery") / "demo"
    path = args.path or (str(ECB) if ECB.exists() else str(demo / "articles"))
    manifest = Manifest.load(args.manifest) if args.manifest else None

    gc.collect()
    times: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        times[name] = now - clock
        clock = now

    pipeline = Pipeline()
    articles = [a for a in run([path], pipeline=pipeline, manifest=manifest) if isinstance(a, Article)]
    lap("per-article pass")
    stories = StoryClusterer.cluster(articles)
    lap("stories")
    redone = propagate_dates(articles, stories, pipeline.analyse, workers=1)
    lap("dates lent, in this process")
    propagate_dates(articles, stories, pipeline.analyse)
    lap("dates lent, worker processes")
    report = build_report(redone, [], stories)
    lap("report with link")
    events = story_events(report)
    lap("  story events")
    comparisons = compare(report, events)
    lap("  comparisons")
    framing(report, comparisons)
    lap("  framing")
    with tempfile.TemporaryDirectory() as tmp:
        write_report(report, Path(tmp) / "report.json")
    lap("write")

    n_redone = sum(1 for a in redone if a.anchor)
    base = times["per-article pass"]
    print(f"{path}: {len(articles)} articles, {len(stories)} stories, {n_redone} undated articles redone")
    for name, seconds in times.items():
        print(f"  {name:32} {seconds:7.2f} s  {seconds / base:6.1%} of the per-article pass")


if __name__ == "__main__":
    main()
