"""The "link: stories" stage: articles about the same happening go together.

Each analysed article is reduced to a compact `Signature`:

- **content**: its content words (lemmatised, lowercased, stopwords out, numbers kept; words of the
  title and of the opening sentences, and names, count more), weighted by TF-IDF with document
  frequencies that grow as articles arrive, smoothed by general English word frequencies so that
  the first articles of a stream are weighted sensibly too;
- **near-duplicate sketch**: a MinHash of its word 3-shingles, so that wire copies find each other;
- **actors**: the country pairs (dyads) of its asserted events, and the countries and persons its
  mentions resolve to; **places**: places it names, its dateline and its events' locations;
- **happening date**: the day its asserted, dated events agree on (near its publication date, if
  known), else its publication or dateline date, else none; an undated article keeps the weekdays
  it names ("on Wednesday") and the latest year it names.

A story is a cluster of signatures kept as sums, so that comparing two costs the same whatever
their size. Two clusters (an article is a cluster of one) score their *average-link* similarity:
the mean over pairs of members of content cosine, plus weighted agreement of dyads, places, years
and weekdays. Before any of that comes the **date gate**: clusters whose happening days lie more
than `max_gap_days` apart, or would together span more than `max_span_days`, never join, which keeps
two meetings of the same leaders in the same city apart; an undated article that names the weekday
of its happening cannot join a story whose days hold no such weekday.

`add_many` adds a batch: its articles start as stories of one, then any two stories scoring at
least the threshold merge, best pair first, until no candidate pair does (the older story's id
survives). `add` is a batch of one and `cluster` one batch per `batch_size` articles; within a batch
the order of the articles does not matter.

Candidates come from blocking, never from a scan of all stories: an inverted index over each
story's most distinctive words, an index over its main pair of countries, and LSH buckets over
MinHash bands. A lookup reads only the most recent postings of a key, and stories far behind the
stream retire, so adding an article costs about the same with a thousand stories or a million.
All tunables are in `StorySettings`; docs/stories.md gives the measurements behind the defaults.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import math
import re
import zlib
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .lemmas import table
from .records import Article

__all__ = ["Signature", "Story", "StoryClusterer", "StorySettings", "cluster", "signature"]


@dataclass(frozen=True)
class StorySettings:
    """Every tunable of story clustering; the defaults are the ones measured in docs/stories.md."""

    # content
    title_weight: float = 2.0  # a title word counts as this many body words
    name_weight: float = 2.0  # a capitalised word the text never writes in lowercase (a name)
    lead_sentences: int = 2  # the opening sentences, which state the happening ...
    lead_weight: float = 2.0  # ... count this much more
    max_terms: int = 400  # words kept in a story's summed vector
    prior_documents: float = 1000.0  # weight of general word frequencies in the IDF (0: corpus only)
    prior_length: float = 300.0  # words per document assumed when turning word frequency into DF
    # near duplicates (MinHash over word shingles, LSH in bands)
    shingle: int = 3
    bands: int = 8
    rows: int = 4
    near_duplicate: float = 0.6  # estimated Jaccard at which an article joins as a copy
    # date gate
    max_gap_days: int = 4  # between the happening days of two stories that may join
    max_span_days: int = 10  # a story's happening days never spread wider than this
    publication_lag_days: int = 7  # a publication date stands for a happening up to this long before
    max_publication_gap_days: int = 60  # between stories known only by publication dates
    min_event_support: int = 2  # events that must agree on the day of an undated article
    weekday_slack_days: int = 0  # "on Wednesday" may name a day this much before the story's first day
    # (for stories dated by the morning-after reports; never after its last day)
    # scoring: content cosine + weighted agreements, averaged over pairs of members
    w_actors: float = 0.0  # times (actor cosine - actor_base)
    actor_base: float = 0.5
    w_dyads: float = 0.5  # times (cosine of the events' country pairs - dyad_base)
    dyad_base: float = 0.5
    mention_pair_weight: float = 2.0  # the two countries an article names most count as this many events
    mention_pair_min: int = 3  # ... when each is named at least this often
    w_places: float = 0.05  # times the place cosine
    w_year: float = 0.08  # same (+) or different (-) year named as the latest
    w_weekday: float = 0.03  # same (+) or different (-) weekday of the happening
    threshold: float = 0.20  # score to join when both sides are dated (and the gate let them through)
    threshold_undated: float = 0.22  # score to join when a side has no date
    # blocking
    index_terms: int = 12  # distinctive words of an article looked up and posted
    max_postings: int = 50  # most recent stories read per index key
    max_candidates: int = 12  # stories scored in full per lookup
    batch_size: int = 10000  # articles merged best-first together by `cluster`
    retire_after_days: int | None = 90  # stories this far behind the stream's clock ...
    retire_idle_articles: int = 50000  # ... that no article joined among this many stop taking any


@dataclass
class Story:
    """A story cluster as the report shows it (`to_dict` is the report's story entry)."""

    id: str
    title: str
    articles: list[str]
    start: str | None
    end: str | None
    actors: list[str]

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "articles": list(self.articles), "start": self.start,
                "end": self.end, "actors": list(self.actors)}


@dataclass(slots=True)
class Signature:
    """What story clustering keeps of an article."""

    id: str
    terms: dict[str, float]  # word -> log-tf weight (no IDF yet)
    sketch: tuple[int, ...]  # MinHash values, empty for texts too short to shingle
    actors: dict[str, float]  # "C:CHN" / "P:Xi Jinping" -> weight, L2-normalised
    countries: Counter  # ISO code -> how often it is an actor (for the story's actor list)
    dyads: dict[str, float]  # "CHN|RUS" -> weight of the country pairs of its events, L2-normalised
    places: dict[str, float]  # lowercase place name -> weight, L2-normalised
    day: int | None  # proleptic ordinal of the happening date
    exact: bool  # the day comes from dated events, not from a publication date
    weekday: int | None  # weekday of the happening (0 = Monday), from the day or from the text
    named_weekdays: frozenset  # every weekday an undated article names
    year: int | None  # year of the day, else the latest year the text names
    title: str | None
    published: str | None


# -- words ----------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
_YEAR = re.compile(r"(?:1[89]|20)\d\d")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    text = resources.files("chancery").joinpath("data", "stopwords.txt").read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


def _lemmas() -> dict[str, str]:
    return table()


@lru_cache(maxsize=1)
def _word_prior() -> tuple[dict[str, float], float]:
    """Log-probabilities of English words (spaCy's lexeme table) for the IDF prior; rare ones left out."""
    floor = -16.0
    try:
        import gzip
        import json

        import spacy_lookups_data

        path = resources.files(spacy_lookups_data) / "data" / "en_lexeme_prob.json.gz"
        with path.open("rb") as fh:
            table = json.loads(gzip.decompress(fh.read()))
    except Exception:  # noqa: BLE001 - without the table the IDF is the corpus's alone
        return {}, floor
    return {w: p for w, p in table.items() if p > floor and w == w.lower()}, floor


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.replace("’", "'"))


def _content(text: str, weight: float, name_weight: float, lowercase: set[str], counts: Counter,
             body: list[str] | None = None) -> None:
    stop, lem = stopwords(), _lemmas()
    for tok in _tokens(text):
        w = tok.lower()
        w = w.removesuffix("'s")
        if w in stop or (len(w) < 2 and not w.isdigit()):
            continue
        w = lem.get(w, w)
        if w in stop:
            continue
        counts[w] += weight * (name_weight if tok[0].isupper() and tok.lower() not in lowercase else 1.0)
        if body is not None:
            body.append(w)


def _normalise(counts: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in counts.values()))
    return {k: v / norm for k, v in counts.items()} if norm else {}


# -- MinHash --------------------------------------------------------------------------------------

_MASK64 = (1 << 64) - 1


@lru_cache(maxsize=4)
def _hash_params(n: int) -> list[tuple[int, int]]:
    params, counter = [], 0
    while len(params) < n:
        block = hashlib.sha256(b"chancery.stories.minhash" + counter.to_bytes(4, "big")).digest()
        counter += 1
        params.append((int.from_bytes(block[:8], "big") | 1, int.from_bytes(block[8:16], "big")))
    return params


@lru_cache(maxsize=4)
def _hash_arrays(n: int):
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy comes with spaCy
        return None
    params = _hash_params(n)
    return (np.array([a for a, _ in params], dtype=np.uint64)[:, None],
            np.array([b for _, b in params], dtype=np.uint64)[:, None])


def minhash(tokens: list[str], k: int, n: int) -> tuple[int, ...]:
    """n MinHash values over the word k-shingles of `tokens`, the same in every run and process.
    Each value is the minimum of a multiply-shift hash ((a*x + b) mod 2^64) >> 32 of the shingles."""
    if len(tokens) < k or n <= 0:
        return ()
    shingles = {zlib.crc32(" ".join(tokens[i:i + k]).encode("utf-8")) for i in range(len(tokens) - k + 1)}
    arrays = _hash_arrays(n)
    if arrays is not None:
        import numpy as np

        a, b = arrays
        x = np.fromiter(shingles, dtype=np.uint64, count=len(shingles))[None, :]
        with np.errstate(over="ignore"):
            hashed = (a * x + b) >> np.uint64(32)
        return tuple(hashed.min(axis=1).tolist())
    return tuple(min(((a * x + b) & _MASK64) >> 32 for x in shingles) for a, b in _hash_params(n))


def jaccard_estimate(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    if not a or not b or len(a) != len(b):
        return 0.0
    return sum(1 for x, y in zip(a, b) if x == y) / len(a)


# -- signatures -------------------------------------------------------------------------------------

def _ordinal(iso: str | None) -> int | None:
    if not iso or len(iso) < 10:
        return None
    try:
        return dt.date.fromisoformat(iso[:10]).toordinal()
    except ValueError:
        return None


@lru_cache(maxsize=1)
def _weekday_names() -> dict[str, int]:
    from .dates import time_words

    return {k.lower(): int(v) for k, v in time_words().get("weekdays", {}).items()}


def _happening(article: Article, settings: StorySettings) -> tuple[int | None, bool]:
    """The day the article reports on, and whether its text gave it (rather than a publication date).

    Each asserted event dated to the day votes for its day. With a publication (or dateline) date,
    only days up to `publication_lag_days` before it count, and the most voted one wins (ties: the
    latest); it is exact if the text names that day ("on Tuesday", "Sept. 2"), for an event or not,
    rather than only events dated by default to the publication date. Without a publication date
    the most voted day needs `min_event_support` votes: a lone dated event in an undated article is
    too often a background date."""
    votes: Counter = Counter()
    textual: set[int] = set()
    for e in getattr(article, "events", ()) or ():
        if getattr(e, "status", None) != "asserted" or getattr(e, "date_precision", "day") != "day":
            continue
        day = _ordinal(getattr(e, "date", None))
        if day is not None:
            votes[day] += 1
            if getattr(e, "date_source", "explicit") in ("explicit", "relative"):
                textual.add(day)
    for t in getattr(article, "times", ()) or ():
        if getattr(t, "precision", None) == "day" and getattr(t, "tense", "past") != "future":
            day = _ordinal(t.date)
            if day is not None:
                textual.add(day)
    published = _ordinal(article.published) or _ordinal(article.dateline.date if article.dateline else None)
    if published is not None:
        earliest = published - settings.publication_lag_days
        near = {d: n for d, n in votes.items() if earliest <= d <= published + 1}
        if near:
            best = max(near, key=lambda d: (near[d], d))
            return best, best in textual
        return published, False
    textual_votes = {d: n for d, n in votes.items() if d in textual}
    if textual_votes and max(textual_votes.values()) >= settings.min_event_support:
        return max(textual_votes, key=lambda d: (textual_votes[d], d)), True
    return None, False


def _text_weekdays(article: Article) -> tuple[int | None, frozenset[int]]:
    """The weekdays an undated article names without a date resolving them ("on Wednesday", not in
    the future tense): the most common one when one is clearly so, and all of them."""
    names = _weekday_names()
    seen: Counter = Counter()
    for t in getattr(article, "times", ()) or ():
        if t.date is not None or getattr(t, "tense", "past") == "future":
            continue
        for w in _tokens(t.text.lower()):
            if w in names:
                seen[names[w]] += 1
    ranked = seen.most_common(2)
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None, frozenset(seen)
    return ranked[0][0], frozenset(seen)


def _text_year(article: Article) -> int | None:
    """The latest year an article names in an explicit, not future, date."""
    years = [int(t.date[:4]) for t in getattr(article, "times", ()) or ()
             if t.date and getattr(t, "source", "") == "explicit" and getattr(t, "tense", "past") != "future"
             and _YEAR.fullmatch(t.date[:4])]
    return max(years) if years else None


def _actor_keys(actor) -> list[str]:
    kind = getattr(actor, "kind", "person")
    if kind == "pair":
        return [k for m in getattr(actor, "members", ()) for k in _actor_keys(m)]
    if kind == "place":
        return []
    keys = []
    if kind == "person" and actor.name:
        keys.append("P:" + actor.name)
    if actor.country:
        keys.append("C:" + actor.country)
    elif kind == "organisation" and actor.name:
        keys.append("O:" + actor.name)
    return keys


def signature(article: Article, settings: StorySettings | None = None) -> Signature:
    """The compact form of an article that story clustering works on."""
    s = settings or StorySettings()
    text = article.text or article.raw or ""
    title = article.title or ""
    lowercase = {t for t in _tokens(text + " " + title) if t[:1].islower()}
    counts: Counter = Counter()
    body: list[str] = []
    sentences = article.sentences if article.text else []
    cut = sentences[min(s.lead_sentences, len(sentences)) - 1][1] if sentences and s.lead_sentences > 0 else 0
    _content(text[:cut], s.lead_weight, s.name_weight, lowercase, counts, body)
    _content(text[cut:], 1.0, s.name_weight, lowercase, counts, body)
    _content(title, s.title_weight, s.name_weight, lowercase, counts)
    terms = {w: 1.0 + math.log(n) if n >= 1 else n for w, n in counts.items()}

    actors: Counter = Counter()
    countries: Counter = Counter()
    mention_countries: Counter = Counter()
    places: Counter = Counter()
    for m in getattr(article, "mentions", ()) or ():
        a = m.actor
        if getattr(a, "kind", None) == "place":
            if a.name:
                places[a.name.lower()] += 1
            continue
        for key in _actor_keys(a):
            actors[key] += 1
            if key.startswith("C:"):
                countries[key[2:]] += 1
                mention_countries[key[2:]] += 1
    dyads: Counter = Counter()
    for e in getattr(article, "events", ()) or ():
        if getattr(e, "status", None) != "asserted":
            continue
        for side in (e.source, e.target):
            if side and side.get("country"):
                actors["C:" + side["country"]] += 1
                countries[side["country"]] += 2
        pair = {(side or {}).get("country") for side in (e.source, e.target)}
        if len(pair) == 2 and None not in pair:
            dyads["|".join(sorted(pair))] += 1
        if e.location and e.location.get("name"):
            places[e.location["name"].lower()] += 1
    mentioned = heapq.nsmallest(2, mention_countries, key=lambda k: (-mention_countries[k], k))
    if len(mentioned) == 2 and s.mention_pair_weight and \
            mention_countries[mentioned[1]] >= s.mention_pair_min:  # two countries named often: a dyad too
        dyads["|".join(sorted(mentioned))] += s.mention_pair_weight
    if article.dateline and article.dateline.place:
        places[article.dateline.place.lower()] += 2

    day, exact = _happening(article, s)
    if day is not None:
        weekday, year = dt.date.fromordinal(day).weekday(), dt.date.fromordinal(day).year
        weekday, named = (weekday if exact else None), frozenset()
    else:
        (weekday, named), year = _text_weekdays(article), _text_year(article)
    return Signature(id=article.id, terms=terms, sketch=minhash(body, s.shingle, s.bands * s.rows),
                     actors=_normalise({k: math.sqrt(v) for k, v in actors.items()}), countries=countries,
                     dyads=_normalise({k: math.sqrt(v) for k, v in dyads.items()}),
                     places=_normalise({k: math.sqrt(v) for k, v in places.items()}), day=day, exact=exact,
                     weekday=weekday, named_weekdays=named, year=year, title=title.strip() or None,
                     published=article.published)


# -- clusters -------------------------------------------------------------------------------------

@dataclass(slots=True)
class _Cluster:
    """A story while it grows: sums over its members, so comparing costs the same at any size."""

    id: str  # named after its smallest article id, so the same articles give the same id in any order
    order: int  # creation order
    articles: list[str] = field(default_factory=list)
    terms: dict[str, float] = field(default_factory=dict)  # sum of members' TF-IDF unit vectors
    actors: Counter = field(default_factory=Counter)  # sum of members' actor unit vectors
    with_actors: int = 0
    places: Counter = field(default_factory=Counter)
    with_places: int = 0
    countries: Counter = field(default_factory=Counter)
    dyads: Counter = field(default_factory=Counter)  # sum of members' dyad unit vectors
    with_dyads: int = 0
    days: tuple[int, int] | None = None  # first and last exact happening day of its members
    published: tuple[int, int] | None = None  # ... publication day of its members dated by no more
    weekdays: Counter = field(default_factory=Counter)  # weekday of each member that has one
    named_weekdays: set = field(default_factory=set)  # weekdays its undated members name
    years: Counter = field(default_factory=Counter)
    title: tuple | None = None  # (published, article id, title) of its earliest titled article
    posted: set = field(default_factory=set)
    sketches: list = field(default_factory=list)
    touched: int = 0  # articles the clusterer had seen when this story last changed
    alive: bool = True  # False once merged into another story
    retired: bool = False  # too old to take new articles; its vectors are dropped
    summary: str | None = None  # the made-up title of a retired story without titled articles

    @property
    def n(self) -> int:
        return len(self.articles)


def _story_id(first_article: str) -> str:
    return "s-" + hashlib.sha1(first_article.encode("utf-8")).hexdigest()[:12]


def _union(a: tuple[int, int] | None, b: tuple[int, int] | None) -> tuple[int, int] | None:
    if a is None or b is None:
        return a or b
    return min(a[0], b[0]), max(a[1], b[1])


def _dot(a: dict, b: dict) -> float:
    return sum(a[k] * b[k] for k in a.keys() & b.keys())


def _agreement(a: Counter, b: Counter) -> float:
    """Sum over pairs of members that both carry a value of +1 if the values agree, -1 if not."""
    if not a or not b:
        return 0.0
    same = sum(n * b.get(k, 0) for k, n in a.items())
    return 2.0 * same - sum(a.values()) * sum(b.values())


class StoryClusterer:
    """Incremental story clustering: `add` analysed articles (or `add_many` a batch of them), read
    `stories()` at any time. `StoryClusterer.cluster(articles)` does it all for a corpus."""

    def __init__(self, settings: StorySettings | None = None) -> None:
        self.settings = settings or StorySettings()
        self._clusters: list[_Cluster] = []
        # merged clusters point to the cluster that absorbed them; 1 for a retired cluster. Both are read
        # for every posting of every lookup: flat arrays, not lists of int objects strewn over the heap,
        # keep those reads cheap when there are a million clusters
        self._parent = array("q")
        self._retired = bytearray()
        self._by_article: dict[str, int] = {}
        self._smallest: dict[str, str] = {}  # story id -> the article id it is named after
        self._versions: list[int] = []
        self._df: Counter = Counter()
        self._n = 0
        self._index: dict = defaultdict(list)  # word / "pair:A|B" / (band, values) -> cluster numbers
        prior, floor = _word_prior() if self.settings.prior_documents > 0 else ({}, 0.0)
        self._prior, self._floor = prior, floor
        self._prior_df: dict[str, float] = {}
        self._ages: list = []  # (last happening day, cluster number), oldest first
        self._recent_days: list = []  # the most recent days seen (a min-heap): the stream's clock

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        for derived in ("_prior", "_floor", "_prior_df"):  # general word frequencies: loaded, not saved
            del state[derived]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        prior, floor = _word_prior() if self.settings.prior_documents > 0 else ({}, 0.0)
        self._prior, self._floor, self._prior_df = prior, floor, {}

    # -- public ------------------------------------------------------------------------------------

    @classmethod
    def cluster(cls, articles: Iterable[Article], settings: StorySettings | None = None,
                batch_size: int | None = None) -> list[Story]:
        clusterer = cls(settings)
        clusterer.add_stream(articles, batch_size)
        return clusterer.stories()

    def add_stream(self, articles: Iterable[Article | Signature], batch_size: int | None = None) -> None:
        """`add_many` over a stream, `batch_size` articles (default: the settings') at a time."""
        batch_size = batch_size or self.settings.batch_size
        batch: list = []
        for article in articles:
            batch.append(article)
            if len(batch) >= batch_size:
                self.add_many(batch)
                batch = []
        if batch:
            self.add_many(batch)

    def add(self, article: Article | Signature) -> str:
        """Put one article into a story (an existing one or a new one); returns that story's id.
        Adding later articles may merge the story into an older one: `story_of` gives the id then."""
        return self.add_many([article])[0]

    def add_many(self, articles: Iterable[Article | Signature]) -> list[str]:
        """Add a batch of articles; returns the story id of each.

        The batch's articles start as stories of one; then, best pair first, any two stories that
        score at least the threshold merge (an existing story with a new one, two new ones, or two
        existing ones a new article has brought together), until no candidate pair does."""
        sigs = [a if isinstance(a, Signature) else signature(a, self.settings) for a in articles]
        fresh, seen = [], set()
        for sig in sigs:
            if sig.id in self._by_article or sig.id in seen:
                continue  # an article already placed stays where it is
            seen.add(sig.id)
            fresh.append(sig)
            self._n += 1
            for w in sig.terms:
                self._df[w] += 1
        heap: list = []
        numbers = []
        for sig in fresh:
            single = self._single(sig)
            single.id, single.order, single.touched = _story_id(sig.id), len(self._clusters), self._n
            self._smallest[single.id] = sig.id
            if sig.title:  # the earliest published titled article names the story (ties: the first added)
                single.title = (sig.published or "9999", sig.id, sig.title)
            self._clusters.append(single)
            self._parent.append(single.order)
            self._retired.append(0)
            self._versions.append(0)
            self._by_article[sig.id] = single.order
            self._post(single.order, single)
            numbers.append(single.order)
        for number in numbers:
            self._push_pairs(heap, number)
        while heap:
            _, a, b, va, vb = heapq.heappop(heap)
            if not (self._clusters[a].alive and self._clusters[b].alive) or \
                    self._versions[a] != va or self._versions[b] != vb:
                continue
            keep, gone = (a, b) if self._clusters[a].order < self._clusters[b].order else (b, a)
            self._absorb(keep, self._clusters[gone])
            self._clusters[gone].alive = False
            self._release(self._clusters[gone])
            self._parent[gone] = keep
            self._versions[keep] += 1
            self._push_pairs(heap, keep)
            self._age(keep)
        for number in numbers:
            self._age(number)
        self._retire(fresh)
        return [self._clusters[self._find(self._by_article[sig.id])].id for sig in sigs]

    def _push_pairs(self, heap: list, number: int) -> None:
        """Score a story against its candidates; queue every pair that may merge, best first."""
        c = self._clusters[number]
        if c.n == 1:
            dup = self._near_duplicate(c, exclude=number)
            if dup is not None:
                heapq.heappush(heap, (-2.0, min(number, dup), max(number, dup),  # copies merge first
                                      *self._pair_versions(number, dup)))
        for other in self._candidates(c, exclude=number):
            score = self._similarity(c, self._clusters[other])
            if score is not None:
                heapq.heappush(heap, (-score, min(number, other), max(number, other),
                                      *self._pair_versions(number, other)))

    def _pair_versions(self, a: int, b: int) -> tuple[int, int]:
        lo, hi = min(a, b), max(a, b)
        return self._versions[lo], self._versions[hi]

    def story_of(self, article_id: str) -> str | None:
        number = self._by_article.get(article_id)
        return None if number is None else self._clusters[self._find(number)].id

    def stories(self) -> list[Story]:
        """The stories so far, oldest first."""
        return [self._story(c) for c in self._clusters if c.alive]

    def __len__(self) -> int:
        return sum(1 for c in self._clusters if c.alive)

    def article_ids(self) -> set[str]:
        """Every article placed so far."""
        return set(self._by_article)

    def clock(self) -> int | None:
        """The stream's clock (the day stories retire behind), once enough dated articles were seen."""
        return self._recent_days[0] if len(self._recent_days) >= 10 else None

    # -- weights -----------------------------------------------------------------------------------

    def _idf(self, word: str) -> float:
        """log((N + m + 1) / (df + m * p(word in a document) + 1)) + 1: the corpus's document
        frequencies, smoothed by m pseudo-documents of general English."""
        prior_df = self._prior_df.get(word)
        if prior_df is None:
            p = math.exp(self._prior.get(word, self._floor))
            prior_df = self.settings.prior_documents * min(1.0, p * self.settings.prior_length)
            self._prior_df[word] = prior_df
        m = self.settings.prior_documents
        return math.log((self._n + m + 1) / (self._df.get(word, 0) + prior_df + 1)) + 1.0

    def _single(self, sig: Signature) -> _Cluster:
        """The article as a cluster of one; its TF-IDF vector is fixed with today's IDF."""
        c = _Cluster(id="", order=-1, articles=[sig.id],
                     terms=_normalise({w: v * self._idf(w) for w, v in sig.terms.items()}),
                     actors=Counter(sig.actors), with_actors=int(bool(sig.actors)),
                     places=Counter(sig.places), with_places=int(bool(sig.places)),
                     countries=Counter(sig.countries), dyads=Counter(sig.dyads),
                     with_dyads=int(bool(sig.dyads)))
        if sig.day is not None:
            if sig.exact:
                c.days = (sig.day, sig.day)
            else:
                c.published = (sig.day, sig.day)
        if sig.weekday is not None:
            c.weekdays[sig.weekday] += 1
        c.named_weekdays.update(sig.named_weekdays)
        if sig.year is not None:
            c.years[sig.year] += 1
        if sig.sketch:
            c.sketches.append(sig.sketch)
        return c

    # -- similarity ---------------------------------------------------------------------------------

    def _dates_compatible(self, a: _Cluster, b: _Cluster) -> tuple[bool, bool]:
        """(may join, both sides dated)."""
        s = self.settings
        if a.days and b.days:
            gap = max(b.days[0] - a.days[1], a.days[0] - b.days[1], 0)
            span = max(a.days[1], b.days[1]) - min(a.days[0], b.days[0])
            return gap <= s.max_gap_days and span <= s.max_span_days, True
        for x, y in ((a, b), (b, a)):
            if x.days and y.published:  # a publication date follows its happening by up to the lag
                ok = y.published[0] - s.publication_lag_days - s.max_gap_days <= x.days[0] and \
                    x.days[1] <= y.published[1] + s.max_gap_days
                return ok, True
        if a.published and b.published:
            gap = max(b.published[0] - a.published[1], a.published[0] - b.published[1], 0)
            span = max(a.published[1], b.published[1]) - min(a.published[0], b.published[0])
            return gap <= s.max_publication_gap_days and span <= 2 * s.max_publication_gap_days, True
        for x, y in ((a, b), (b, a)):  # an undated side that says "on Wednesday" needs a Wednesday
            if y.days and not x.days and x.named_weekdays:
                lo, hi = y.days[0] - s.weekday_slack_days, y.days[1]
                if hi - lo < 6 and not any(dt.date.fromordinal(d).weekday() in x.named_weekdays
                                           for d in range(lo, hi + 1)):
                    return False, False
        return True, False

    def _similarity(self, a: _Cluster, b: _Cluster) -> float | None:
        """Average-link score of two clusters, or None when the date gate or the threshold says no."""
        s = self.settings
        ok, dated = self._dates_compatible(a, b)
        if not ok:
            return None
        pairs = a.n * b.n
        content = _dot(a.terms, b.terms)
        score = content
        if s.w_actors and a.with_actors and b.with_actors:
            score += s.w_actors * (_dot(a.actors, b.actors) - s.actor_base * a.with_actors * b.with_actors)
        if s.w_dyads and a.with_dyads and b.with_dyads:
            score += s.w_dyads * (_dot(a.dyads, b.dyads) - s.dyad_base * a.with_dyads * b.with_dyads)
        if s.w_places and a.with_places and b.with_places:
            score += s.w_places * _dot(a.places, b.places)
        if not (a.days and b.days):  # (when both have days, the date gate has compared them)
            score += s.w_year * _agreement(a.years, b.years)
            score += s.w_weekday * _agreement(a.weekdays, b.weekdays)
        score /= pairs
        return score if score >= (s.threshold if dated else s.threshold_undated) else None

    # -- blocking ----------------------------------------------------------------------------------

    def _find(self, number: int) -> int:
        root = number
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[number] != root:
            self._parent[number], number = root, self._parent[number]
        return root

    def _keys(self, c: _Cluster) -> list:
        s = self.settings
        keys: list = heapq.nsmallest(s.index_terms, c.terms, key=lambda w: (-c.terms[w], w))
        top = heapq.nsmallest(2, c.countries, key=lambda k: (-c.countries[k], k))
        if top:
            keys.append("pair:" + "|".join(sorted(top)))
        for sketch in c.sketches[-1:]:
            keys += self._bands(sketch)
        return keys

    def _bands(self, sketch: tuple[int, ...]) -> list[tuple[int, tuple[int, ...]]]:
        """The LSH keys of a MinHash sketch: (band number, the band's values)."""
        rows = self.settings.rows
        return [(i, sketch[i * rows:(i + 1) * rows]) for i in range(len(sketch) // rows)]

    def _post(self, number: int, c: _Cluster) -> None:
        target = self._clusters[number]
        keep = self.settings.max_postings
        for key in self._keys(c):
            if key not in target.posted:
                target.posted.add(key)
                posting = self._index[key]
                posting.append(number)
                if len(posting) > 2 * keep:  # only the most recent postings are ever read
                    del posting[:-keep]

    def _candidates(self, c: _Cluster, exclude: int = -1) -> list[int]:
        s = self.settings
        hits: dict[int, float] = {}
        weights = c.terms
        norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
        parent, retired, index, keep = self._parent, self._retired, self._index, s.max_postings
        for key in self._keys(c):
            postings = index.get(key)
            if not postings:
                continue
            if isinstance(key, tuple):
                weight = 1.0
            elif key.startswith("pair:"):
                weight = 0.3
            else:
                weight = weights[key] / norm
            # the postings of a large corpus are read millions of times: _find only off the short path
            for number in postings[-keep:]:
                root = parent[number]
                if parent[root] != root:
                    root = self._find(number)
                if root != exclude and not retired[root]:
                    hits[root] = hits.get(root, 0.0) + weight
        # the best-scoring stories, the lower number first among equals (as sorting by that would give)
        return [number for _, number in heapq.nsmallest(s.max_candidates, [(-v, k) for k, v in hits.items()])]

    def _near_duplicate(self, single: _Cluster, exclude: int = -1) -> int | None:
        s = self.settings
        if not single.sketches:
            return None
        sketch = single.sketches[0]
        best, best_j = None, s.near_duplicate
        seen = set()
        for band in self._bands(sketch):
            for number in self._index.get(band, ())[-s.max_postings:]:
                root = self._parent[number]
                if self._parent[root] != root:
                    root = self._find(number)
                if root in seen or root == exclude or self._retired[root]:
                    continue
                seen.add(root)
                other = self._clusters[root]
                j = max((jaccard_estimate(sketch, o) for o in other.sketches[-16:]), default=0.0)
                if j >= best_j and (best is None or j > best_j or root < best) \
                        and self._dates_compatible(single, other)[0]:
                    best, best_j = root, j
        return best

    # -- retirement --------------------------------------------------------------------------------

    @staticmethod
    def _last_day(c: _Cluster) -> int | None:
        ends = [r[1] for r in (c.days, c.published) if r]
        return max(ends) if ends else None

    def _age(self, number: int) -> None:
        if self.settings.retire_after_days is not None:
            c = self._clusters[number]
            last = self._last_day(c)
            if last is not None and c.alive:
                heapq.heappush(self._ages, (last, number))

    def _retire(self, fresh: list[Signature]) -> None:
        """Retire the stories whose last day lies `retire_after_days` behind the stream's clock: the
        10th latest day seen, so that one article with a wrong date cannot age everything."""
        s = self.settings
        if s.retire_after_days is None:
            return
        for sig in fresh:
            if sig.day is not None:
                if len(self._recent_days) < 10:
                    heapq.heappush(self._recent_days, sig.day)
                elif sig.day > self._recent_days[0]:
                    heapq.heapreplace(self._recent_days, sig.day)
        if len(self._recent_days) < 10:
            return
        cutoff = self._recent_days[0] - s.retire_after_days
        busy = []
        while self._ages and self._ages[0][0] < cutoff:
            last, number = heapq.heappop(self._ages)
            c = self._clusters[number]
            if not c.alive or c.retired or self._last_day(c) != last:
                continue  # merged away, or grown since (a newer entry stands for it)
            if self._n - c.touched < s.retire_idle_articles:
                busy.append((last, number))  # an archive read out of order: not yet
                continue
            if c.title is None:
                c.summary = self._summary(c)
            c.retired = True
            self._retired[number] = 1
            self._unpost(c.posted.union(*(self._bands(sketch) for sketch in c.sketches)))
            c.terms, c.sketches, c.posted = {}, [], set()
            c.actors, c.places, c.dyads = Counter(), Counter(), Counter()
            c.countries = Counter(dict(c.countries.most_common(4)))
        for entry in busy:
            heapq.heappush(self._ages, entry)

    def _unpost(self, keys: set) -> None:
        """Drop the index keys among `keys` whose postings all lead to retired stories. A lookup would
        skip every one of them, and a retired story never takes articles again, so nothing changes but
        the size of an index that would otherwise keep a key for every article ever read."""
        index, retired = self._index, self._retired
        for key in keys:
            postings = index.get(key)
            if postings is not None and all(retired[self._find(number)] for number in reversed(postings)):
                del index[key]  # (newest first: a live story, if any, is most likely among the latest)

    # -- bookkeeping -------------------------------------------------------------------------------

    def _absorb(self, number: int, other: _Cluster) -> None:
        """Add the members and sums of `other` to cluster `number`."""
        c = self._clusters[number]
        c.touched = self._n
        c.articles += other.articles
        c.id = min(c.id, other.id, key=lambda story_id: self._smallest[story_id])
        for w, v in other.terms.items():
            c.terms[w] = c.terms.get(w, 0.0) + v
        limit = self.settings.max_terms
        if len(c.terms) > 2 * limit:
            c.terms = dict(sorted(c.terms.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])
        c.actors.update(other.actors)
        c.with_actors += other.with_actors
        c.places.update(other.places)
        c.with_places += other.with_places
        c.countries.update(other.countries)
        c.dyads.update(other.dyads)
        c.with_dyads += other.with_dyads
        c.days = _union(c.days, other.days)
        c.published = _union(c.published, other.published)
        c.weekdays.update(other.weekdays)
        c.named_weekdays |= other.named_weekdays
        c.years.update(other.years)
        if other.title is not None and (c.title is None or other.title < c.title):
            c.title = other.title
        c.sketches = (c.sketches + other.sketches)[-16:]  # the copies compared are the latest ones
        self._post(number, other)

    @staticmethod
    def _release(c: _Cluster) -> None:
        """Drop the sums of a story merged into another (most stories end so): only its number is read
        again, by _find and by queued pairs, which check `alive`. Keeps the heap of a long stream small."""
        c.terms, c.sketches, c.posted, c.articles = {}, [], set(), []
        c.actors = c.places = c.countries = c.dyads = c.weekdays = c.years = Counter()
        c.named_weekdays = set()

    def _story(self, c: _Cluster) -> Story:
        days = c.days or c.published
        start = dt.date.fromordinal(days[0]).isoformat() if days else None
        end = dt.date.fromordinal(days[1]).isoformat() if days else None
        actors = [k for k, _ in sorted(c.countries.items(), key=lambda kv: (-kv[1], kv[0]))[:4]]
        title = c.title[2] if c.title is not None else c.summary or self._summary(c)
        # ids in order, like the story's own id, so that any input order gives the same story entry
        return Story(id=c.id, title=title, articles=sorted(c.articles), start=start, end=end, actors=actors)

    @staticmethod
    def _summary(c: _Cluster) -> str:
        """A title for a story none of whose articles has one: its main actors and distinctive words."""
        top = heapq.nsmallest(6, c.terms, key=lambda w: (-c.terms[w], w))
        actors = heapq.nsmallest(2, c.countries, key=lambda k: (-c.countries[k], k))
        return ("–".join(actors) + ": " if actors else "") + ", ".join(top)


def stream_order(article: Article) -> tuple[str, str]:
    """The order `cluster` takes articles in: by date (publication, else dateline), undated last, then id;
    the store reads its articles in the same order, so both give the same stories."""
    day = article.published or (article.dateline.date if article.dateline else None)
    return (day or "9999", article.id)


def cluster(articles: Iterable[Article], settings: StorySettings | None = None, *,
            ordered: bool = False) -> list[Story]:
    """The stories of analysed articles, oldest first. The articles are taken in `stream_order`, so
    the result does not depend on the order they came in; `ordered=True` says they already are
    (a stream that need not be held in memory)."""
    return StoryClusterer.cluster(articles if ordered else sorted(articles, key=stream_order), settings)
