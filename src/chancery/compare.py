"""The "link: comparison" stage: where the articles of a story agree, differ or stay silent.

For every story of two or more articles, one item per thing some of them report:

- **list**: enumerations (facts of kind `list`) with the same `what`, item by item after mapping
  synonyms (data/synonyms.toml: "aerospace" is "space", "AI" is "artificial intelligence") and
  dropping generic words ("cultural cooperation" is "culture"); an item matches another when the
  words of one are all among the words of the other. `only_in` names the items only one article
  lists; the verdict is `differ` when any article lists an item another leaves out.
- **fact**: numbers grouped by what they measure (a normalised `what`, or the measure named next
  to the number when `what` is only a fallback such as "amount"), unit and period. Each figure
  stands for an interval set by its qualifier (data/compare.toml: "about" ±5 %, "nearly" 90–100 %,
  "more than" the value and up); two articles agree when some figure of one overlaps some figure
  of the other, and the item is `differ` when two articles have no overlapping figure.
- **event**: each story event (chancery.story_events), with the articles that report it and those
  that do not.
- **quote**: what one speaker said, matched across articles by shared content words, whether
  quoted directly or reported.

A single reporting article makes an item `unique`. Yearly figures of a named measure ("trade" in
"2024") are also compared across stories, for the same pair of countries: such items have
`"story": null`.

Works on report-shaped dicts:

    from chancery.compare import compare
    report["comparisons"] = compare(report, report.get("story_events"))
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import combinations, islice

from .lemmas import table as lemma_table
from .stories import stopwords
from .wordlists import any_of, load

__all__ = ["compare", "compare_across", "fact_interval", "figures_agree", "item_words", "measure", "same_item", "yearly_measure"]

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_CURRENCY = re.compile(r"[A-Z]{3}")
_DATE = re.compile(r"\d{4}(?:-\d\d){0,2}")
_KIND_ORDER = {"list": 0, "fact": 1, "event": 2, "quote": 3}
_VERDICT_ORDER = {"differ": 0, "agree": 1, "unique": 2}


def compare(report: dict, story_events: list[dict] | None = None) -> list[dict]:
    """The report's `comparisons`: one entry per story of two or more articles that has something to
    compare, then (story null) yearly figures compared across stories."""
    articles = {a["id"]: a for a in report.get("articles", [])}
    facts, quotes, events = defaultdict(list), defaultdict(list), defaultdict(list)
    for fact in report.get("facts", []):
        facts[fact["article"]].append(fact)
    for quote in report.get("quotes", []):
        quotes[quote["article"]].append(quote)
    for event in story_events if story_events is not None else []:
        events[event["story"]].append(event)
    measures = _Measures(articles)
    out = []
    for story in report.get("stories", []):
        members = [a for a in story.get("articles", []) if a in articles]
        if len(members) < 2:
            continue
        items = (_list_items(members, facts) + _fact_items(members, facts, measures)
                 + _event_items(members, events.get(story["id"], [])) + _quote_items(members, quotes))
        if items:
            items.sort(key=lambda it: (_KIND_ORDER[it["kind"]], _VERDICT_ORDER[it["verdict"]]))
            out.append({"story": story["id"], "items": items})
    figures: dict[str, list[tuple[dict, str]]] = defaultdict(list)
    for article, found in facts.items():
        for fact in found:
            what = yearly_measure(fact, articles.get(article), measures)
            if what:
                figures[article].append((fact, what))
    across = compare_across(report.get("stories", []), figures)
    if across:
        out.append(across)
    return out


def yearly_measure(fact: dict, article: dict | None = None, measures: _Measures | None = None) -> str | None:
    """The measure under which a fact is compared across stories ("trade"), or None: only yearly
    figures (a named measure with a period) are, counts and ordinals never."""
    if not (_comparable(fact) and fact.get("period")) or _unit_class(fact) in ("count", "ordinal"):
        return None
    what = measures(fact) if measures is not None else measure(fact, article)
    return what if what in _known_measures() else None


def compare_across(stories: list[dict], figures: dict[str, list[tuple[dict, str]]]) -> dict | None:
    """The comparison entry (story null) of yearly figures across stories about the same two
    countries; `figures` holds each article's facts with their `yearly_measure`, in report order."""
    items = _cross_story_items(stories, figures)
    return {"story": None, "items": items} if items else None


# -- numbers ----------------------------------------------------------------------------------------

def fact_interval(fact: dict) -> tuple[float, float]:
    """The values a reported figure stands for, by its qualifier (data/compare.toml)."""
    rules, numbers = _tolerances()
    rule = rules.get(fact.get("qualifier") or "exact") or rules[numbers["default_qualifier"]]
    value = float(fact["value"])
    top = float(fact["until"]) if fact.get("until") is not None else value
    low, high = value * rule["low"], top * rule["high"] if rule["high"] != math.inf else math.inf
    if rule.get("round"):
        low -= _rounding(value, numbers["max_rounding"])
        high += _rounding(top, numbers["max_rounding"])
    return min(low, high), max(low, high)


def figures_agree(a: dict, b: dict) -> bool:
    """Whether two figures can both be true: their intervals overlap."""
    return _overlap(fact_interval(a), fact_interval(b))


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    slack = 1e-9 * max(abs(a[0]), abs(b[0]), 1.0)
    return a[0] <= b[1] + slack and b[0] <= a[1] + slack


def _rounding(value: float, cap: float) -> float:
    """Half a unit of the last significant digit of `value`, at most `cap` of it (12 significant
    digits at most: 8.2 billion parsed as 8199999999.999999 is still 8.2 billion)."""
    try:
        exponent = Decimal(f"{value:.12g}").normalize().as_tuple().exponent
    except InvalidOperation:
        return 0.0
    if not isinstance(exponent, int):
        return 0.0
    return min(0.5 * 10.0 ** exponent, cap * abs(value))


@lru_cache(maxsize=1)
def _tolerances() -> tuple[dict, dict]:
    data = load("compare.toml")
    return data["qualifiers"], data["numbers"]


def _unit_class(fact: dict) -> str:
    """Money keeps its currency, percentages and measures their unit; counts are compared through
    their `what` ("count of agreements"), whose noun the unit only repeats."""
    unit = fact.get("unit") or ""
    if fact.get("rule") in ("money", "percent", "measure") or _CURRENCY.fullmatch(unit) or "%" in unit \
            or unit == "percentage points":
        return unit
    return "ordinal" if fact.get("rule") == "ordinal" else "count"


class _Measures:
    """What each fact measures, worked out once per fact."""

    def __init__(self, articles: dict[str, dict]) -> None:
        self.articles = articles
        self.cache: dict[int, str] = {}

    def __call__(self, fact: dict) -> str:
        key = id(fact)
        if key not in self.cache:
            self.cache[key] = measure(fact, self.articles.get(fact.get("article")))
        return self.cache[key]


def measure(fact: dict, article: dict | None = None) -> str:
    """What a number measures, normalised: a measure of data/synonyms.toml ("two-way trade" and
    "trade turnover" are "trade"), "count of <noun>", "<event> number", or the lemmatised `what`.
    A fallback `what` ("amount", "percentage") or a name ("China") takes the measure named
    nearest before the number in its sentence (after it if none comes before)."""
    what = (fact.get("what") or "").strip()
    low = what.lower()
    if low.startswith("count of "):
        return "count of " + normal_words(low[len("count of "):])
    if low.endswith(" number"):
        return normal_words(low[: -len(" number")]) + " number"
    syn = synonyms()
    found = syn.measure_in(low)
    if found:
        return found
    if low in syn.fallback_whats or what[:1].isupper():
        found = _measure_near(fact, article)
        if found:
            return found
        return low if low in syn.fallback_whats else "amount"
    return normal_words(low) or "amount"


def _measure_near(fact: dict, article: dict | None) -> str | None:
    span = fact.get("span")
    if not article or not span:
        return None
    text = article.get("text") or ""
    sentences = article.get("sentences") or []
    index = fact.get("sentence")
    start, end = (sentences[index][0], sentences[index][1]) if isinstance(index, int) and 0 <= index < len(
        sentences) else (0, len(text))
    syn = synonyms()
    before = [m for m in syn.measure_pattern.finditer(text, start, span[0])]
    if before:
        return syn.measures[_key(before[-1].group())]
    after = syn.measure_pattern.search(text, span[1], end)
    return syn.measures[_key(after.group())] if after else None


def _fact_items(members: list[str], facts: dict[str, list[dict]], measures: _Measures) -> list[dict]:
    by_measure: dict[tuple, list[dict]] = defaultdict(list)
    for article in members:
        for fact in facts.get(article, []):
            if _comparable(fact):
                by_measure[(measures(fact), _unit_class(fact))].append(fact)
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for (what, unit), found in by_measure.items():
        periods = _common_periods([f.get("period") for f in found])
        for fact, period in zip(found, periods):
            groups[(what, unit, period)].append(fact)
    return [item for key, found in groups.items() for item in _figure_items(key, found, members)]


def _figure_items(key: tuple, found: list[dict], members: list[str], label: str = "") -> list[dict]:
    """One item for a quantity each article names one way: `agree` or `differ`. When the key names
    several quantities (an article gives two incompatible figures under it, or the measure is vague:
    "amount", "count of people"), one item per set of compatible figures, which never differ."""
    name = _fact_key(key, found) + label
    spans = [fact_interval(f) for f in found]
    if not _vague(key[0]) and _one_figure_each(found, spans):
        return [_figures_item(name, found, spans, members)]
    groups: list[list[int]] = []
    for i, span in enumerate(spans):  # each figure joins the first set it is compatible with throughout
        home = next((g for g in groups if all(_overlap(span, spans[j]) for j in g)), None)
        if home is None:
            groups.append([i])
        else:
            home.append(i)
    return [_figures_item(f"{name}: {_cut(found[g[0]].get('text') or '')}", [found[i] for i in g],
                          [spans[i] for i in g], members, may_differ=False) for g in groups]


def _one_figure_each(found: list[dict], spans: list[tuple[float, float]]) -> bool:
    """Whether every article's figures under one key are compatible with each other."""
    by_article: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for fact, span in zip(found, spans):
        by_article[fact["article"]].append(span)
    return all(_overlap(x, y) for listed in by_article.values() for x, y in combinations(listed, 2))


def _vague(what: str) -> bool:
    """A measure that names no one quantity: a fallback ("amount") or a count of something every
    story has many of ("count of people", "count of days")."""
    return what in synonyms().fallback_whats or what == "amount" or what in _vague_counts()


@lru_cache(maxsize=1)
def _vague_counts() -> frozenset[str]:
    return frozenset("count of " + normal_words(w) for w in load("compare.toml")["numbers"]["vague_counts"])


def _common_periods(periods: list[str | None]) -> list[str | None]:
    """The periods of one measure's figures, made comparable: dates cut to the coarsest precision
    any figure gives ("first trip" in "2024-05" and on "2024-05-16" are one figure; spans such as
    "2023/2024" stay whole), and a figure without a period takes the measure's one period if it
    has only one."""
    dates = [p for p in periods if p and _DATE.fullmatch(p)]
    width = min((len(p) for p in dates), default=10)
    cut = [p[:width] if p and _DATE.fullmatch(p) else p for p in periods]
    known = {p for p in cut if p}
    only = next(iter(known)) if len(known) == 1 else None
    return [p or only for p in cut]


def _comparable(fact: dict) -> bool:
    if fact.get("kind", "number") != "number" or fact.get("value") is None:
        return False
    return (fact.get("unit") or "").lower() not in _uncompared_units()


@lru_cache(maxsize=1)
def _known_measures() -> frozenset[str]:
    return frozenset(synonyms().measures.values())


@lru_cache(maxsize=1)
def _uncompared_units() -> frozenset[str]:
    return frozenset(u.lower() for u in load("compare.toml")["numbers"].get("uncompared_units", []))


def _fact_key(key: tuple, found: list[dict]) -> str:
    """"trade, USD, 2024": the measure (as the first article words it when it is not a named
    measure: "count of agreements"), the unit unless it is a count, and the period."""
    what, unit, period = key[:3]
    written = found[0].get("what") or ""
    if what not in synonyms().measures.values() and written[:1].islower():
        what = written
    parts = [what] + ([unit] if unit not in ("count", "ordinal") else []) + ([period] if period else [])
    return ", ".join(parts)


def _figures_item(key: str, found: list[dict], intervals: list[tuple[float, float]], members: list[str],
                  may_differ: bool = True) -> dict:
    by_article: dict[str, list[dict]] = {}
    spans: dict[str, list[tuple[float, float]]] = {}
    for fact, span in zip(found, intervals):  # in the order of `members`, the order facts were gathered in
        by_article.setdefault(fact["article"], []).append(fact)
        spans.setdefault(fact["article"], []).append(span)
    limit = int(_tolerances()[1].get("max_listed_conflicts", 100))
    disagreeing = ([a, b] for a, b in combinations(by_article, 2) if not any(
        _overlap(x, y) for x in spans[a] for y in spans[b])) if may_differ else iter(())
    conflicts = list(islice(disagreeing, limit + 1))
    item = {"kind": "fact", "key": key,
            "reported_by": {a: "; ".join(dict.fromkeys(_says(f) for f in fs)) for a, fs in by_article.items()},
            "missing_from": [a for a in members if a not in by_article],
            "verdict": _verdict(len(by_article), bool(conflicts)),
            # an open upper end ("more than") is null: JSON has no infinity
            "values": {a: [[low, None if high == math.inf else high] for low, high in spans[a]] for a in by_article},
            "facts": [f["id"] for fs in by_article.values() for f in fs if f.get("id")]}
    if conflicts:
        item["conflicts"] = conflicts[:limit]
        if len(conflicts) > limit:
            item["more_conflicts"] = True
    return item


def _says(fact: dict) -> str:
    period = fact.get("period")
    return _cut(fact.get("text") or "") + (f" ({period})" if period else "")


def _verdict(n_articles: int, conflict: bool) -> str:
    return "unique" if n_articles < 2 else "differ" if conflict else "agree"


def _cross_story_items(stories: list[dict], figures: dict[str, list[tuple[dict, str]]]) -> list[dict]:
    """Yearly figures of a named measure, compared across stories about the same two countries."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    story_of: dict[str, str] = {}
    for story in stories:
        pair = "|".join(sorted(story.get("actors", [])[:2]))
        for article in story.get("articles", []):
            story_of[article] = story["id"]
            for fact, what in figures.get(article, []):
                groups[(what, _unit_class(fact), fact["period"], pair)].append(fact)
    items = []
    for key, found in groups.items():
        if len({story_of[f["article"]] for f in found}) < 2:
            continue
        pair = f" ({key[3].replace('|', '–')})" if key[3] else ""
        for item in _figure_items(key, found, [], pair):  # no article is expected to say it
            item["stories"] = {a: story_of[a] for a in item["reported_by"]}
            items.append(item)
    return sorted(items, key=lambda it: _VERDICT_ORDER[it["verdict"]])


# -- lists ----------------------------------------------------------------------------------------

def item_words(item: str) -> frozenset[str]:
    """The words an enumeration item is compared by: synonyms mapped (whole item, then word by word),
    hyphenated words split, lemmatised, stopwords and generic words ("cooperation", "sector") dropped."""
    syn = synonyms()
    text = " ".join(item.lower().replace("’", "'").split()).strip(" .,;:'\"")
    text = syn.items.get(text, text).replace("-", " ")  # "rocket-propelled" is "rocket propelled"
    words = []
    for word in normal_words(text).split():  # one-word synonyms inside longer items: "... and healthcare"
        mapped = syn.items.get(word)
        words += normal_words(mapped).split() if mapped else [word]
    specific = [w for w in words if w not in syn.generic]
    return frozenset(specific or words)


def same_item(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two items match when the words of one are all among the words of the other."""
    return bool(a) and bool(b) and (a <= b or b <= a)


def _list_items(members: list[str], facts: dict[str, list[dict]]) -> list[dict]:
    """Lists with the same `what` are one enumeration when they have an item in common (two lists of
    "items" may be about anything); an article's lists of one enumeration are taken together."""
    by_what: dict[str, list[tuple[str, dict, list[frozenset]]]] = defaultdict(list)
    for article in members:
        for fact in facts.get(article, []):
            if fact.get("kind") == "list" and fact.get("items"):
                key = normal_words((fact.get("what") or "items").lower())
                by_what[key].append((article, fact, [item_words(i) for i in fact["items"]]))
    out = []
    for lists in by_what.values():
        def shared(i: int, j: int, lists: list = lists) -> bool:
            return any(same_item(x, y) for x in lists[i][2] for y in lists[j][2])

        for group in _connected(len(lists), shared):
            by_article: dict[str, list[str]] = {}
            for i in group:
                article, fact, _ = lists[i]
                listed = by_article.setdefault(article, [])
                listed += [item for item in fact["items"] if item not in listed]
            out.append(_list_item(lists[group[0]][1].get("what") or "items", by_article, members))
    return out


def _list_item(name: str, by_article: dict[str, list[str]], members: list[str]) -> dict:
    words = {a: [(item, item_words(item)) for item in items] for a, items in by_article.items()}
    only_in: dict[str, list[str]] = {}
    differs = False
    for a, listed in words.items():
        others = [b for b in words if b != a]
        for item, ws in listed:
            matched = [b for b in others if any(same_item(ws, vs) for _, vs in words[b])]
            if len(matched) < len(others):
                differs = True
            if others and not matched:
                only_in.setdefault(a, []).append(item)
    first = next(iter(words))
    common = [item for item, ws in words[first]
              if all(any(same_item(ws, vs) for _, vs in words[b]) for b in words if b != first)]
    item = {"kind": "list", "key": name,
            "reported_by": {a: _cut(", ".join(items)) for a, items in by_article.items()},
            "missing_from": [a for a in members if a not in by_article],
            "verdict": _verdict(len(by_article), differs), "items": dict(by_article)}
    if len(by_article) > 1:
        item["only_in"] = only_in
        item["common"] = common
    return item


# -- events and quotes ------------------------------------------------------------------------------

def _event_items(members: list[str], events: list[dict]) -> list[dict]:
    items = []
    for event in events:
        said: dict[str, str] = {}
        for mention in event.get("mentions", []):
            said.setdefault(mention["article"], _cut(mention.get("text") or ""))
        items.append({"kind": "event", "key": event_key(event), "reported_by": said,
                      "missing_from": [a for a in members if a not in said],
                      "verdict": _verdict(len(said), False), "event": event["id"]})
    return items


def event_key(event: dict) -> str:
    """A readable name for an event: "CONSULT/meet: Xi Jinping (CHN) – Vladimir Putin (RUS), 2025-09-02"."""
    def who(side: dict | None) -> str:
        if not side:
            return "?"
        name, country = side.get("name"), side.get("country")
        return f"{name} ({country})" if name and country and name != country else name or country or "?"

    kind = event["type"] + (f"/{event['mode']}" if event.get("mode") else "")
    status = "" if event.get("status") == "asserted" else f" [{event.get('status')}]"
    return f"{kind}: {who(event.get('source'))} – {who(event.get('target'))}, {event.get('date') or 'undated'}{status}"


def _quote_items(members: list[str], quotes: dict[str, list[dict]]) -> list[dict]:
    q_settings = load("compare.toml")["quotes"]
    min_shared, min_overlap = int(q_settings["min_shared"]), float(q_settings["min_overlap"])
    by_speaker: dict[str, list[tuple[str, dict, frozenset]]] = defaultdict(list)
    for article in members:
        for quote in quotes.get(article, []):
            speaker = (quote.get("speaker") or {}).get("name") or (quote.get("speaker") or {}).get("country")
            if speaker:
                by_speaker[speaker].append((article, quote, frozenset(normal_words(quote.get("text") or "").split())))
    items = []
    for speaker, said in by_speaker.items():
        def same(i: int, j: int, said: list = said) -> bool:
            (a, _, x), (b, _, y) = said[i], said[j]
            shared = len(x & y)
            return a != b and shared >= min_shared and shared >= min_overlap * min(len(x), len(y))

        for group in _connected(len(said), same):
            entries = [said[i] for i in group]
            reporters = list(dict.fromkeys(a for a, _, _ in entries))
            if len(reporters) == 1 and max(len(w) for _, _, w in entries) < min_shared:
                continue  # a lone fragment ("like-minded") says too little to compare
            items.append(_quote_item(speaker, entries, reporters, members))
    return items


def _connected(n: int, linked) -> list[list[int]]:
    """Groups of 0..n-1 joined by `linked(i, j)` pairs (union-find), in order of first member."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in combinations(range(n), 2):
        if linked(i, j):
            parent[find(i)] = find(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(i)
    return list(groups.values())


def _quote_item(speaker: str, entries: list[tuple[str, dict, frozenset]], reporters: list[str],
                members: list[str]) -> dict:
    main = max((q for _, q, _ in entries), key=lambda q: (q.get("kind") == "direct", len(q.get("text") or "")))
    opening = " ".join((main.get("text") or "").split()[:10])
    said = {a: _cut(" / ".join(q.get("text") or "" for b, q, _ in entries if b == a)) for a in reporters}
    kinds = {a: sorted({q.get("kind") for b, q, _ in entries if b == a}) for a in reporters}
    return {"kind": "quote", "key": f"{speaker}: “{opening}…”", "reported_by": said,
            "missing_from": [a for a in members if a not in said], "verdict": _verdict(len(reporters), False),
            "quote_kinds": kinds, "quotes": [q["id"] for _, q, _ in entries if q.get("id")]}


# -- words ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Synonyms:
    items: dict[str, str]  # a whole item as written -> its canonical phrase
    words: dict[str, str]  # a word -> the word(s) it stands for
    generic: frozenset[str]
    measures: dict[str, str]  # a variant, normalised -> its measure
    measure_pattern: re.Pattern
    fallback_whats: frozenset[str]

    def measure_in(self, text: str) -> str | None:
        found = self.measure_pattern.search(text)
        return self.measures[_key(found.group())] if found else None


@lru_cache(maxsize=1)
def synonyms() -> Synonyms:
    """data/synonyms.toml, read once."""
    data = load("synonyms.toml")
    items = {variant.lower(): canonical for canonical, variants in data["items"].items() for variant in variants}
    measures = {_key(v): canonical for canonical, variants in data["measures"].items() for v in variants}
    return Synonyms(items=items, words={k.lower(): v for k, v in data["words"].items()},
                    generic=frozenset(data["generic"]["words"]), measures=measures,
                    measure_pattern=any_of([v for vs in data["measures"].values() for v in vs]),
                    fallback_whats=frozenset(data["fallback_whats"]["words"]))


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def normal_words(text: str) -> str:
    """Lowercased content words, mapped through [words] of data/synonyms.toml and lemmatised,
    stopwords out, in their order."""
    syn, lemmas, stop = synonyms(), lemma_table(), stopwords()
    out = []
    for token in _WORD.findall(text.lower().replace("’", "'")):
        for word in syn.words.get(token, token).split():
            word = lemmas.get(word, word)
            word = syn.words.get(word, word)
            if word not in stop and (len(word) > 1 or word.isdigit()):
                out.append(word)
    return " ".join(out)


def _cut(text: str) -> str:
    limit = int(load("compare.toml")["text"]["max_chars"])
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"
