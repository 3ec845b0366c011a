"""Story clustering at scale: time `chancery.stories` on generated articles with planted stories.

    .venv/bin/python bench/stories.py                  # N = 10,000 and 100,000, side by side
    .venv/bin/python bench/stories.py --sizes 2000 20000

The articles are synthetic: words drawn from a made-up vocabulary (a Zipf-distributed background
shared by all stories, a pool of "kind of happening" words shared by many stories, and a few words
and names of the story's own), published over a period that grows with N so that the number of
articles per day stays the same, as in a real feed. Printed per size: seconds for signatures and
for clustering, articles per second, the B-cubed F1 against the planted stories (a sanity check,
not a quality figure), and at the end the growth ratio time(largest)/time(smallest) next to the
size ratio (equal means linear). Nothing here fails on timing.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import resource
import time
from collections import defaultdict

from chancery import story_state
from chancery.records import Article
from chancery.stories import StoryClusterer, StorySettings, signature

SYLLABLES = ["ka", "lo", "mi", "ter", "van", "so", "ru", "bel", "dan", "qui", "por", "zen", "fa", "li", "mon",
             "tra", "ves", "go", "ni", "sha", "pel", "dor", "ix", "ul", "bri", "cam", "ed", "yo", "has", "ne"]
FUNCTION_WORDS = ["the", "of", "and", "to", "in", "a", "on", "for", "with", "was", "said", "that", "by", "at"]
ARTICLES_PER_DAY = 300
ARTICLES_PER_STORY = 8


def make_words(rng: random.Random, count: int, syllables: tuple[int, int]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(*syllables)))
        if word not in seen:
            seen.add(word)
            out.append(word)
    return out


def generate(n: int, seed: int = 7) -> tuple[list[Article], dict[str, int]]:
    """n articles in publication order, and the planted story of each."""
    rng = random.Random(seed)
    background = make_words(rng, 20000, (2, 4))
    cumulative, total = [], 0.0
    for rank in range(len(background)):
        total += 1.0 / (rank + 1)
        cumulative.append(total)
    kinds = [make_words(rng, 12, (3, 4)) for _ in range(200)]  # kinds of happening, shared by stories
    days = max(30, n // ARTICLES_PER_DAY)
    start = dt.date(2024, 1, 1).toordinal()
    stories = []
    for number in range(max(1, n // ARTICLES_PER_STORY)):
        own = make_words(rng, 8, (3, 5))
        names = [w.capitalize() for w in make_words(rng, 3, (2, 3))]
        stories.append((number, rng.choice(kinds), own, names, start + rng.randrange(days)))
    drafts = []
    for i in range(n):
        number, kind, own, names, day = stories[rng.randrange(len(stories))]
        published = day + rng.randint(0, 1)
        common = iter(rng.choices(background, cum_weights=cumulative, k=140))
        words = []
        for _ in range(140):
            r = rng.random()
            if r < 0.15:
                words.append(rng.choice(own))
            elif r < 0.21:
                words.append(rng.choice(names))
            elif r < 0.26:
                words.append(rng.choice(kind))
            elif r < 0.45:
                words.append(rng.choice(FUNCTION_WORDS))
            else:
                words.append(next(common))
        sentences = [" ".join(words[k:k + 14]).capitalize() + "." for k in range(0, len(words), 14)]
        title = " ".join([rng.choice(names)] + rng.sample(own, 3) + [rng.choice(kind)]).capitalize()
        text = " ".join(sentences)
        drafts.append((published, i, Article(id=f"a{i:07d}", source="bench", raw=text, text=text, title=title,
                                             published=dt.date.fromordinal(published).isoformat()), number))
    drafts.sort(key=lambda d: (d[0], d[1]))
    return [d[2] for d in drafts], {d[2].id: d[3] for d in drafts}


def bcubed_f1(pred: dict[str, str], gold: dict[str, int]) -> float:
    by_pred: dict[str, set] = defaultdict(set)
    by_gold: dict[int, set] = defaultdict(set)
    for a in gold:
        by_pred[pred[a]].add(a)
        by_gold[gold[a]].add(a)
    p = r = 0.0
    for a in gold:
        same_pred, same_gold = by_pred[pred[a]], by_gold[gold[a]]
        inter = len(same_pred & same_gold)
        p += inter / len(same_pred)
        r += inter / len(same_gold)
    p, r = p / len(gold), r / len(gold)
    return 2 * p * r / (p + r) if p + r else 0.0


def run(n: int, settings: StorySettings, collect: bool = False) -> dict:
    articles, gold = generate(n)
    gc.collect()
    if not collect:
        gc.disable()
    clusterer = StoryClusterer(settings)
    signing = clustering = signing_cpu = clustering_cpu = 0.0
    per_batch = []
    step = settings.batch_size
    for k in range(0, len(articles), step):  # as a feed would: sign a batch, add it, let it go
        t0, c0 = time.perf_counter(), time.process_time()
        sigs = [signature(a, settings) for a in articles[k:k + step]]
        t1, c1 = time.perf_counter(), time.process_time()
        clusterer.add_many(sigs)
        t2, c2 = time.perf_counter(), time.process_time()
        signing, clustering = signing + t1 - t0, clustering + t2 - t1
        signing_cpu, clustering_cpu = signing_cpu + c1 - c0, clustering_cpu + c2 - c1
        per_batch.append((t2 - t0) * step / len(sigs))
    gc.enable()
    pred = {a.id: clusterer.story_of(a.id) for a in articles}
    return {"n": n, "signatures_s": signing, "clustering_s": clustering, "total_s": signing + clustering,
            "signatures_cpu_s": signing_cpu, "clustering_cpu_s": clustering_cpu,
            "per_batch": per_batch, "stories": len(clusterer), "planted": len(set(gold.values())),
            "f1": bcubed_f1(pred, gold), "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def incremental(n: int, settings: StorySettings, new: int = 100) -> dict:
    """What an ingest of `new` articles into a store of n - `new` costs the story stage (load the saved
    clusterer, add the new articles, save it again) next to clustering all n from scratch."""
    articles, _ = generate(n)
    sigs = [signature(a, settings) for a in articles]
    hashes = {a.id: a.id for a in articles}  # stand-ins: only their number matters to the size
    t0 = time.perf_counter()
    StoryClusterer(settings).add_stream(sigs)
    scratch = time.perf_counter() - t0
    before = StoryClusterer(settings)
    before.add_stream(sigs[:-new])
    data = story_state.dumps(before, {k: hashes[k] for k in before.article_ids()})
    del before
    t0 = time.perf_counter()
    saved = story_state.loads(data, settings)
    t1 = time.perf_counter()
    saved.clusterer.add_stream(sigs[-new:])
    t2 = time.perf_counter()
    story_state.dumps(saved.clusterer, hashes)
    t3 = time.perf_counter()
    return {"n": n, "new": new, "scratch_s": scratch, "load_s": t1 - t0, "add_s": t2 - t1, "save_s": t3 - t2,
            "incremental_s": t3 - t0, "state_mb": len(data) / 1e6}


def warm(settings: StorySettings) -> None:
    """Load the word tables before timing."""
    text = "warm up the word tables"
    StoryClusterer(settings).add(Article(id="warm", source="bench", raw=text, text=text))


def growth(small: dict, large: dict) -> dict:
    """Growth of the times from the smallest run to the largest (equal to the size ratio: linear)."""
    return {"size": large["n"] / small["n"], "total": large["total_s"] / small["total_s"],
            "clustering": large["clustering_s"] / small["clustering_s"],
            "clustering_cpu": large["clustering_cpu_s"] / small["clustering_cpu_s"]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--gc", action="store_true",
                        help="leave Python's garbage collector on while timing (by default it is paused, as "
                             "timeit does: its full passes grow with everything in memory, the generated "
                             "articles included, and would blur the figure for the clustering itself)")
    args = parser.parse_args(argv)
    settings = StorySettings()
    warm(settings)
    rows = []
    for n in sorted(args.sizes):
        row = run(n, settings, collect=args.gc)
        rows.append(row)
        print(f"N={n:>7}: signatures {row['signatures_s']:7.1f} s, clustering {row['clustering_s']:7.1f} s "
              f"({row['clustering_cpu_s']:.1f} s CPU), {n / row['total_s']:7.0f} articles/s, {row['stories']} stories "
              f"for {row['planted']} planted, B-cubed F1 {row['f1']:.3f}, peak memory so far {row['peak_mb']:.0f} MB",
              flush=True)
        batches = row["per_batch"]
        if len(batches) > 1:
            print(f"           seconds per {settings.batch_size:,} articles: first {batches[0]:.1f}, "
                  f"last {batches[-1]:.1f}, min {min(batches):.1f}, max {max(batches):.1f}", flush=True)
    print("garbage collector " + ("on" if args.gc else "paused") + " while timing")
    inc = incremental(min(args.sizes), settings)
    print(f"an ingest of {inc['new']} articles into a store of {inc['n'] - inc['new']:,}: {inc['incremental_s']:.1f} s "
          f"(load {inc['load_s']:.1f}, add {inc['add_s']:.1f}, save {inc['save_s']:.1f}; state "
          f"{inc['state_mb']:.1f} MB) against {inc['scratch_s']:.1f} s clustering all {inc['n']:,} from scratch")
    if len(rows) > 1:
        g = growth(rows[0], rows[-1])
        print(f"growth for {g['size']:.0f}x the articles: total {g['total']:.1f}x, clustering alone "
              f"{g['clustering']:.1f}x ({g['clustering_cpu']:.1f}x in CPU time; {g['size']:.0f}x would be linear)")


if __name__ == "__main__":
    main()
