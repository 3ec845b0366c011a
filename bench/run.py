"""Benchmarks, measured side by side in one run. Prints figures and writes bench/results.json.

    make bench            # or: .venv/bin/python bench/run.py [--repeat N]

Figures are ratios against a baseline measured in the same process on the same text, so they
mean the same on a slow laptop and a fast server. Nothing here fails on timing.
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


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_read_clean_sentences(repeat: int) -> list[dict]:
    import spacy

    from chancery.pipeline import Pipeline
    from chancery.readers import read

    texts = corpus_texts()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i, (name, text) in enumerate(texts):
            (folder / f"{i:05d}_{name}.txt").write_text(text, encoding="utf-8")
        total_bytes = sum(len(t.encode("utf-8")) for _, t in texts)
        pipeline = Pipeline()
        sentences = 0

        def ours() -> None:
            nonlocal sentences
            sentences = sum(len(pipeline.process(a).sentences) for a in read([folder]))

        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        raw = [t for _, t in texts]

        def spacy_baseline() -> None:
            for doc in nlp.pipe(raw, batch_size=64):
                list(doc.sents)

        ours()  # warm caches (data files, regexes) before timing
        spacy_baseline()
        t_ours = best_of(repeat, ours)
        t_spacy = best_of(repeat, spacy_baseline)

    n = len(texts)
    print(f"read+clean+sentences over {n} text files, {total_bytes / 1e6:.2f} MB, {sentences} sentences "
          f"(best of {repeat})")
    print(f"  chancery:               {t_ours:7.3f} s  {n / t_ours:9.0f} articles/s  {total_bytes / 1e6 / t_ours:6.2f} MB/s"
          f"  {sentences / t_ours:9.0f} sentences/s")
    print(f"  spaCy blank+sentencizer:{t_spacy:7.3f} s  {n / t_spacy:9.0f} articles/s  {total_bytes / 1e6 / t_spacy:6.2f} MB/s")
    print(f"  ratio chancery / spaCy: {t_ours / t_spacy:.2f}x the time")
    return [
        {"name": "read_clean_sentences.articles_per_s", "value": round(n / t_ours, 1), "unit": "articles/s",
         "target": 500, "meets": n / t_ours >= 500},
        {"name": "read_clean_sentences.mb_per_s", "value": round(total_bytes / 1e6 / t_ours, 2), "unit": "MB/s",
         "target": None, "meets": None},
        {"name": "read_clean_sentences.sentences_per_s", "value": round(sentences / t_ours, 1),
         "unit": "sentences/s", "target": None, "meets": None},
        {"name": "read_clean_sentences.time_vs_spacy_blank", "value": round(t_ours / t_spacy, 3), "unit": "ratio",
         "target": None, "meets": None},
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="timed repetitions; the best is kept")
    ap.add_argument("--output", type=Path, default=HERE / "results.json")
    args = ap.parse_args()
    results = bench_read_clean_sentences(args.repeat)
    args.output.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
