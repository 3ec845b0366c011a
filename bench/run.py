"""Benchmarks, measured side by side in one run. Prints figures and writes bench/results.json.

    make bench            # or: .venv/bin/python bench/run.py [--repeat N] [--story-sizes 10000 100000]

Figures are ratios against a baseline measured in the same process on the same text, so they
mean the same on a slow laptop and a fast server; the timed functions take turns, so that a
machine busy with other work slows them alike. Story clustering (bench/stories.py) is timed at
two corpus sizes and reported as the growth of its time. Nothing here fails on timing.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from importlib import resources
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"


def corpus_texts() -> list[tuple[str, str]]:
    """(name, text) pairs: the bundled demo corpus as text, the seeds and ECB+ where present."""
    from chancery.readers import read
    from chancery.records import Article

    texts: list[tuple[str, str]] = []
    with resources.as_file(resources.files("chancery") / "demo" / "articles") as demo:
        if demo.exists():
            texts += [(a.id, a.raw) for a in read([demo]) if isinstance(a, Article)]
    seeds = SHARED / "seeds" / "articles"
    if seeds.exists():
        texts += [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(seeds.glob("*.txt"))]
    ecb = SHARED / "peer" / "ecbplus" / "articles.jsonl"
    if ecb.exists():
        for line in ecb.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            texts.append((record["id"], record["text"]))
    return texts


def best_of(repeat: int, chunks: list, *fns) -> list[float]:
    """Each function's time over all chunks of the corpus: on each chunk the best of `repeat` rounds,
    the functions taking turns chunk by chunk, so that a change in the machine's speed (other work,
    a busy neighbour on a shared host) hits them alike."""
    best = [[float("inf")] * len(chunks) for _ in fns]
    for _ in range(repeat):
        for c, chunk in enumerate(chunks):
            for k, fn in enumerate(fns):
                start = time.perf_counter()
                fn(chunk)
                best[k][c] = min(best[k][c], time.perf_counter() - start)
    return [sum(times) for times in best]


def bench_per_article(repeat: int) -> list[dict]:
    """read+clean+sentences (issue 2) and the whole per-article pipeline, next to spaCy's blank
    tokenizer + sentencizer over the same raw text, all in this run."""
    import spacy

    from chancery.cleaning import Cleaner
    from chancery.pipeline import Pipeline
    from chancery.readers import read
    from chancery.sentences import split_sentences

    texts = corpus_texts()
    with tempfile.TemporaryDirectory() as tmp:
        chunks = []  # (folder of text files, the raw texts), about 1/8 of the corpus each
        size = -(-len(texts) // 8)
        for c in range(0, len(texts), size):
            folder = Path(tmp) / f"chunk{c:05d}"
            folder.mkdir()
            for i, (name, text) in enumerate(texts[c:c + size], start=c):
                (folder / f"{i:05d}_{name}.txt").write_text(text, encoding="utf-8")
            chunks.append((folder, [t for _, t in texts[c:c + size]]))
        total_bytes = sum(len(t.encode("utf-8")) for _, t in texts)
        cleaner, pipeline = Cleaner(), Pipeline()
        counted: dict = {}

        def read_clean_split(chunk) -> None:
            counted[chunk[0]] = sum(len(split_sentences(cleaner(a).text)) for a in read([chunk[0]]))

        def end_to_end(chunk) -> None:
            for article in read([chunk[0]]):
                pipeline.process(article)

        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")

        def spacy_baseline(chunk) -> None:
            for doc in nlp.pipe(chunk[1], batch_size=64):
                list(doc.sents)

        for chunk in chunks:  # warm caches and data files first
            for fn in (read_clean_split, end_to_end, spacy_baseline):
                fn(chunk)
        t_clean, t_all, t_spacy = best_of(repeat, chunks, read_clean_split, end_to_end, spacy_baseline)
        counted["sentences"] = sum(counted[folder] for folder, _ in chunks)

    n, sentences, mb = len(texts), counted["sentences"], total_bytes / 1e6
    print(f"per-article stages over {n} text files, {mb:.2f} MB, {sentences} sentences (best of {repeat}, one core)")
    for label, t in (("read+clean+sentences", t_clean), ("whole per-article pipeline", t_all),
                     ("spaCy blank+sentencizer", t_spacy)):
        print(f"  {label:28} {t:7.3f} s {n / t:8.0f} articles/s {mb / t:6.2f} MB/s {sentences / t:9.0f} sentences/s")
    print(f"  ratio read+clean+sentences / spaCy: {t_clean / t_spacy:.2f}x the time")
    print(f"  ratio whole pipeline / spaCy:       {t_all / t_spacy:.2f}x the time")
    return [
        {"name": "read_clean_sentences.articles_per_s", "value": round(n / t_clean, 1), "unit": "articles/s",
         "target": 500, "meets": n / t_clean >= 500},
        {"name": "read_clean_sentences.mb_per_s", "value": round(mb / t_clean, 2), "unit": "MB/s",
         "target": None, "meets": None},
        {"name": "read_clean_sentences.time_vs_spacy_blank", "value": round(t_clean / t_spacy, 3), "unit": "ratio",
         "target": None, "meets": None},
        {"name": "per_article.sentences_per_s", "value": round(sentences / t_all, 1), "unit": "sentences/s",
         "target": 2000, "meets": sentences / t_all >= 2000},
        {"name": "per_article.time_vs_spacy_blank", "value": round(t_all / t_spacy, 3), "unit": "ratio",
         "target": 4.0, "meets": t_all / t_spacy <= 4.0},
    ]


def bench_stories(sizes: list[int]) -> list[dict]:
    """Story clustering over synthetic corpora of each size (bench/stories.py), one after the other."""
    import stories

    from chancery.stories import StorySettings

    settings = StorySettings()
    stories.warm(settings)
    rows = [stories.run(n, settings) for n in sorted(sizes)]
    print(f"story clustering over synthetic articles (bench/stories.py, {settings.batch_size:,} per batch, one core)")
    for row in rows:
        print(f"  N={row['n']:>7,}: clustering {row['clustering_s']:7.1f} s ({row['clustering_cpu_s']:.1f} s CPU), "
              f"signatures {row['signatures_s']:5.1f} s, {row['n'] / row['total_s']:5.0f} articles/s, "
              f"B-cubed F1 {row['f1']:.3f}")
    results = [{"name": f"stories.clustering_s.{row['n']}", "value": round(row["clustering_s"], 2), "unit": "s",
                "target": None, "meets": None} for row in rows]
    if len(rows) > 1:
        g = stories.growth(rows[0], rows[-1])
        print(f"  growth for {g['size']:.0f}x the articles: clustering {g['clustering']:.1f}x "
              f"({g['clustering_cpu']:.1f}x in CPU time), signatures and clustering {g['total']:.1f}x "
              f"(target: at most 12x; {g['size']:.0f}x is linear)")
        # CPU time: the growth of the work itself, whatever else the machine runs meanwhile
        results += [{"name": "stories.clustering_growth", "value": round(g["clustering"], 2), "unit": "ratio",
                     "target": None, "meets": None},
                    {"name": "stories.clustering_growth_cpu", "value": round(g["clustering_cpu"], 2),
                     "unit": "ratio", "target": 12.0, "meets": g["clustering_cpu"] <= 12.0}]
    inc = stories.incremental(min(sizes), settings)
    print(f"  an ingest of {inc['new']} articles into a store of {inc['n'] - inc['new']:,}: story stage "
          f"{inc['incremental_s']:.1f} s (load, add, save the clusterer; state {inc['state_mb']:.1f} MB) against "
          f"{inc['scratch_s']:.1f} s clustering all from scratch")
    results += [{"name": f"stories.incremental_vs_scratch.{inc['n']}",
                 "value": round(inc["incremental_s"] / inc["scratch_s"], 3), "unit": "ratio", "target": None,
                 "meets": None},
                {"name": f"stories.state_mb.{inc['n']}", "value": round(inc["state_mb"], 1), "unit": "MB",
                 "target": None, "meets": None}]
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="timed repetitions; the best is kept")
    ap.add_argument("--story-sizes", type=int, nargs="*", default=[10_000, 100_000],
                    help="corpus sizes for story clustering (none: skip it; the largest takes minutes)")
    ap.add_argument("--output", type=Path, default=HERE / "results.json")
    args = ap.parse_args()
    results = bench_per_article(args.repeat)
    if args.story_sizes:
        results += bench_stories(args.story_sizes)
    args.output.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
