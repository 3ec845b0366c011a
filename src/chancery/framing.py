"""The "link: framing" signals: simple, countable traits of how each article tells its story.

For each article:

- **voices**: its quotes counted by speaker, by the speaker's country, and by side: `own` (the
  country of the outlet), `counterpart` (another country the story is about), `third` (any other
  country), `international` (organisations without a country), `unknown`; `by_side` is null when
  the outlet's country is unknown (outlet table: data/outlets.toml and `--outlets` files);
- **evaluative**: words that judge rather than report (data/framing.toml), positive and negative,
  counted in the article's own voice (outside its direct quotes), and their share of its words;
- **hedges**: cues by which it distances itself from what it reports ("reportedly", "according
  to"), same counting;
- **adds**: what it reports that the other articles of its story omit (from the comparisons: facts,
  story events and quotes only it reports, list items only it names).

Works on report-shaped dicts:

    from chancery.framing import framing
    report["framing"] = framing(report, report["comparisons"])
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache

from .outlets import OutletTable, outlet_table
from .wordlists import load

__all__ = ["Phrases", "framing", "own_voice"]

_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*|[.!?:;\"“”‘’\n]")  # words, and marks a sentence may start after
_OPENERS = frozenset('.!?:;"“”‘’\n')


def framing(report: dict, comparisons: list[dict] | None = None, outlets: OutletTable | None = None) -> list[dict]:
    """One entry per article of the report, in its order."""
    table = outlets or outlet_table()
    stories = {a: s for s in report.get("stories", []) for a in s.get("articles", [])}
    quotes: dict[str, list[dict]] = defaultdict(list)
    for quote in report.get("quotes", []):
        quotes[quote["article"]].append(quote)
    adds = _additions(comparisons or [])
    out = []
    for article in report.get("articles", []):
        story = stories.get(article["id"]) or {}
        outlet = table.by_name(article.get("outlet")) if article.get("outlet") else None
        country = outlet.country if outlet else None
        own = own_voice(article.get("text") or "", quotes[article["id"]])
        found, n_words = _lists()[0].find(own)
        evaluative, hedges = _words_signals(found, n_words)
        out.append({
            "article": article["id"], "story": story.get("id"), "outlet": article.get("outlet"),
            "outlet_country": country, "state_owned": outlet.state_owned if outlet else None,
            "voices": _voices(quotes[article["id"]], country, story.get("actors", [])),
            "words": n_words,
            "evaluative": evaluative,
            "hedges": hedges,
            "compared_with": max(len(story.get("articles", [])) - 1, 0),
            "adds": adds.get(article["id"], {"facts": [], "events": [], "quotes": [], "list_items": {}}),
        })
    return out


def own_voice(text: str, quotes: list[dict]) -> str:
    """The article's text with its direct quotes (and quoted fragments) blanked out."""
    spans = sorted(q["span"] for q in quotes if q.get("kind") in ("direct", "partial") and q.get("span")
                   and 0 <= q["span"][0] < q["span"][1] <= len(text))
    pieces, at = [], 0
    for start, end in spans:
        if end <= at:
            continue
        start = max(start, at)
        pieces += [text[at:start], " " * (end - start)]
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


# -- voices ---------------------------------------------------------------------------------------

def _voices(quotes: list[dict], outlet_country: str | None, story_actors: list[str]) -> dict:
    international = frozenset(_lists()[1])
    speakers: Counter = Counter()
    countries: Counter = Counter()
    sides: Counter = Counter()
    kinds: Counter = Counter()
    for quote in quotes:
        speaker = quote.get("speaker") or {}
        kinds[quote.get("kind") or "direct"] += 1
        speakers[speaker.get("name") or "unknown"] += 1
        country = speaker.get("country")
        if country:
            countries[country] += 1
            side = "own" if country == outlet_country else "counterpart" if country in story_actors else "third"
        elif speaker.get("sector") in international:
            countries["international"] += 1
            side = "international"
        else:
            countries["unknown"] += 1
            side = "unknown"
        sides[side] += 1
    by_side = None
    if outlet_country:
        by_side = {k: sides.get(k, 0) for k in ("own", "counterpart", "third", "international", "unknown")}
    return {"quotes": len(quotes), "by_kind": dict(kinds), "by_country": dict(countries.most_common()),
            "by_side": by_side, "speakers": dict(speakers.most_common())}


# -- words ----------------------------------------------------------------------------------------

class Phrases:
    """Word lists matched word by word in one pass: whole words or phrases, case-insensitive, a
    trailing "*" matching any ending ("hegemon*"); each list has a label. Much faster than regular
    expressions of alternatives."""

    def __init__(self, lists: dict[str, list[str]]) -> None:
        self.by_first: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        prefixes: dict[str, str] = {}
        for label, entries in lists.items():
            for entry in entries:
                words = tuple(entry.lower().split())
                if len(words) == 1 and words[0].endswith("*"):
                    prefixes[words[0][:-1]] = label
                elif words:
                    self.by_first[words[0]].append((words, label))
        for phrases in self.by_first.values():
            phrases.sort(key=lambda p: len(p[0]), reverse=True)
        self.prefixes = prefixes
        self.heads = frozenset(x[:4] for x in prefixes)  # a quick test before trying the prefixes

    def find(self, text: str) -> tuple[list[tuple[str, str]], int]:
        """(label, entry as found, lowercased) for each match, longest first where they overlap, and
        the number of words of the text. A capitalised word inside a sentence is part of a name
        ("Special Representatives", "Great Hall") and does not count."""
        tokens = _TOKEN.findall(text)
        words = _TOKEN.findall(text.lower())
        if len(words) != len(tokens):  # lowercasing changed a token (rare letters): lower one by one
            words = [t.lower() for t in tokens]
        by_first, heads = self.by_first, self.heads
        candidates = [i for i, w in enumerate(words) if w in by_first or w[:4] in heads]
        out, covered = [], 0
        for i in candidates:
            if i < covered:
                continue
            word = words[i]
            found = next(((p, label) for p, label in by_first.get(word, ()) if tuple(words[i:i + len(p)]) == p), None)
            if found is None:
                label = next((self.prefixes[x] for x in self.prefixes if word.startswith(x)), None)
                found = ((word,), label) if label else None
            if found and not (tokens[i][0].isupper() and i > 0 and tokens[i - 1] not in _OPENERS):
                out.append((found[1], " ".join(found[0])))
                covered = i + len(found[0])
        n_words = len(tokens) - sum(1 for t in tokens if t in _OPENERS)
        return out, n_words


@lru_cache(maxsize=1)
def _lists() -> tuple[Phrases, tuple[str, ...]]:
    data = load("framing.toml")
    phrases = Phrases({"positive": data["evaluative"]["positive"], "negative": data["evaluative"]["negative"],
                       "hedge": data["hedges"]["cues"]})
    return phrases, tuple(data["sides"]["international_sectors"])


def _words_signals(matches: list[tuple[str, str]], n: int) -> tuple[dict, dict]:
    """The article's evaluative words and hedges, from the list entries found in its `n` words."""
    found: dict[str, Counter] = {"positive": Counter(), "negative": Counter(), "hedge": Counter()}
    for label, entry in matches:
        found[label][entry] += 1
    positive, negative, hedges = found["positive"], found["negative"], found["hedge"]
    total = sum(positive.values()) + sum(negative.values())
    evaluative = {"positive": sum(positive.values()), "negative": sum(negative.values()),
                  "share": round(total / n, 4) if n else 0.0, "top": [w for w, _ in (positive + negative).most_common(8)]}
    count = sum(hedges.values())
    hedging = {"count": count, "per_1000_words": round(1000 * count / n, 2) if n else 0.0,
               "cues": dict(hedges.most_common())}
    return evaluative, hedging


# -- what an article adds ----------------------------------------------------------------------------

def _additions(comparisons: list[dict]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for comparison in comparisons:
        if comparison.get("story") is None:
            continue
        for item in comparison.get("items", []):
            reporters = list(item.get("reported_by") or {})
            for article, listed in (item.get("only_in") or {}).items():
                _entry(out, article)["list_items"][item["key"]] = listed
            if item.get("verdict") != "unique" or len(reporters) != 1:
                continue
            entry = _entry(out, reporters[0])
            says = item["reported_by"][reporters[0]]
            if item["kind"] == "fact":
                entry["facts"].append({"key": item["key"], "says": says})
            elif item["kind"] == "event":
                entry["events"].append({"key": item["key"], "event": item.get("event"), "says": says})
            elif item["kind"] == "quote":
                entry["quotes"].append({"key": item["key"], "says": says})
            elif item["kind"] == "list":
                entry["list_items"][item["key"]] = list((item.get("items") or {}).get(reporters[0], []))
    return out


def _entry(out: dict[str, dict], article: str) -> dict:
    return out.setdefault(article, {"facts": [], "events": [], "quotes": [], "list_items": {}})
