"""The event pattern lexicon: English trigger phrases mapped to PLOVER types, kept as data.

Files under `data/events/` (and any `--patterns FILE`) hold `[[pattern]]` tables:

    [[pattern]]
    id = "consult.hold-talks"
    phrase = "hold [informal|formal] {talk|talks|negotiation}"
    type = "CONSULT"
    mode = "meet"
    cameo = "040"
    source = "subject"      # subject | possessor | between
    target = "with"         # object | with | to | on | for | from | against | in | between | none

Phrase syntax: words match by lemma; {a|b} one of; [a|b] optional; ... a gap of up to five tokens.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from .knowledge import tokens
from .lemmas import lemma
from .wordlists import load


def _ontology() -> dict[str, tuple[str, float]]:
    types = load("ontology.toml")["types"]
    return {name: (t["quad"], float(t["intensity"])) for name, t in types.items()}


TYPES = _ontology()
SOURCES = frozenset({"subject", "possessor", "between"})
TARGETS = frozenset({"object", "with", "to", "on", "for", "from", "against", "in", "between", "none"})
GAP = 5
_STOP_GAP = frozenset({".", ";", "!", "?", ":", ","})  # a gap never crosses a clause


@dataclass(frozen=True)
class Element:
    """One position of a phrase: alternatives (each a tuple of lemmas), optional or not; or a gap."""

    alternatives: tuple[tuple[str, ...], ...] = ()
    optional: bool = False
    gap: bool = False
    # the alternatives by their first word, so a token is compared only with those it can start
    by_first: dict[str, tuple[tuple[str, ...], ...]] = field(default=None, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        index: dict[str, tuple[tuple[str, ...], ...]] = {}
        for alt in self.alternatives:
            index[alt[0]] = index.get(alt[0], ()) + (alt,)
        object.__setattr__(self, "by_first", index)


@dataclass(frozen=True)
class Pattern:
    id: str
    phrase: str
    type: str
    mode: str | None
    cameo: str
    source: str
    target: str
    elements: tuple[Element, ...]

    @property
    def quad(self) -> str:
        return TYPES[self.type][0]

    @property
    def intensity(self) -> float:
        return TYPES[self.type][1]


class LexiconError(ValueError):
    pass


def _words(text: str) -> tuple[str, ...]:
    """Lemmas of a phrase, tokenised like the text it is matched against ("cease-fire" → cease - fire)."""
    return tuple(lemma(t) for _, _, t in tokens(text))


def parse_phrase(phrase: str) -> tuple[Element, ...]:
    elements: list[Element] = []
    for m in re.finditer(r"\{([^{}]*)\}|\[([^\[\]]*)\]|(\.\.\.)|([^\s{}\[\]]+)", phrase):
        alts, optional, gap, word = m.groups()
        if gap:
            elements.append(Element(gap=True))
        elif alts is not None or optional is not None:
            body = alts if alts is not None else optional
            choices = tuple(_words(alt) for alt in body.split("|") if alt.strip())
            if not choices:
                raise LexiconError(f"empty alternatives in {phrase!r}")
            elements.append(Element(choices, optional=optional is not None))
        else:
            elements.append(Element((_words(word),)))
    if not elements or all(e.optional or e.gap for e in elements):
        raise LexiconError(f"phrase {phrase!r} has no required word")
    if elements[0].gap or elements[-1].gap:
        raise LexiconError(f"phrase {phrase!r} may not start or end with ...")
    return tuple(elements)


def _pattern(entry: dict, where: str) -> Pattern:
    try:
        type_ = entry["type"].upper()
        if type_ not in TYPES:
            raise LexiconError(f"{where}: unknown type {entry['type']!r}")
        source, target = entry.get("source", "subject"), entry.get("target", "object")
        if source not in SOURCES or target not in TARGETS:
            raise LexiconError(f"{where}: source {source!r} / target {target!r} not understood")
        return Pattern(entry["id"], entry["phrase"], type_, entry.get("mode") or None, str(entry.get("cameo", "")),
                       source, target, parse_phrase(entry["phrase"]))
    except KeyError as exc:
        raise LexiconError(f"{where}: missing {exc.args[0]!r}") from None


class Lexicon:
    def __init__(self, patterns: list[Pattern]) -> None:
        by_id = {p.id: p for p in patterns}  # a later entry with the same id replaces the earlier one
        self.patterns = list(by_id.values())
        self.by_first: dict[str, list[Pattern]] = {}
        self.required = {p.id: _required(p) for p in self.patterns}
        for p in self.patterns:
            for first in _first_lemmas(p.elements):
                self.by_first.setdefault(first, []).append(p)
        self._needs = {p.id: _needs(self.required[p.id]) for p in self.patterns}
        self._witnesses = {key: _witnesses(key, patterns, self.required) for key, patterns in self.by_first.items()}
        # the words that decide which of a first word's patterns can match in a sentence
        self._deciding = {key: frozenset().union(*(r for p in patterns for r in self.required[p.id]))
                          for key, patterns in self.by_first.items()}
        self._viable_memo: dict[tuple[str, frozenset[str]], list[Pattern]] = {}

    def matches(self, lemmas: list[str], words: list[str]) -> list[tuple[int, int, Pattern]]:
        """Every (start, end, pattern) match over a token sequence."""
        by_first = self.by_first
        lowers = [w.lower() for w in words]
        starts = [i for i, (lem, low) in enumerate(zip(lemmas, lowers)) if lem in by_first or low in by_first]
        if not starts:  # most sentences hold no word a pattern starts with
            return []
        present = set(lemmas)
        present.update(lowers)
        viable: dict[str, list[Pattern]] = {}  # first word -> its patterns that can match in this sentence
        found = []
        for i in starts:
            lem, lower = lemmas[i], lowers[i]
            # the lemma first, then the word as written: where both start patterns that match the same
            # span ("broke": break ... ceasefire, broke(r) ... ceasefire) the lemma's pattern wins, in every
            # process (iterating a set of the two made it depend on the string hash seed)
            for key in (lem,) if lower == lem else (lem, lower):
                patterns = viable.get(key)
                if patterns is None:
                    patterns = viable[key] = self._viable_in(key, present)
                for p in patterns:
                    end = _match(p.elements, 0, lemmas, lowers, i)
                    if end is not None:
                        found.append((i, end, p))
        return found

    def _viable_in(self, key: str, present: set[str]) -> list[Pattern]:
        """_viable, remembered by the words of the sentence that decide it (sentences repeat them)."""
        deciding = self._deciding.get(key)
        if deciding is None:
            return []
        memo_key = (key, frozenset(present.intersection(deciding)))
        patterns = self._viable_memo.get(memo_key)
        if patterns is None:
            if len(self._viable_memo) >= 50_000:  # bounded: a long run meets ever new combinations
                self._viable_memo.clear()
            patterns = self._viable_memo[memo_key] = self._viable(key, present)
        return patterns

    def _viable(self, key: str, present: set[str]) -> list[Pattern]:
        """The patterns starting with `key` whose required words are all in the sentence, in lexicon order.
        Only those with a word of their witness element present (see _witnesses) are tested in full."""
        patterns = self.by_first.get(key)
        if not patterns:
            return []
        always, by_word = self._witnesses[key]
        candidates = set(always)
        for word in by_word.keys() & present:
            candidates.update(by_word[word])
        return [patterns[n] for n in sorted(candidates) if self._possible(patterns[n], present)]

    def _possible(self, p: Pattern, present: set[str]) -> bool:
        """Every required element of p has a word in the sentence (a cheap test before matching)."""
        single, alternatives = self._needs[p.id]
        return single.issubset(present) and all(not words.isdisjoint(present) for words in alternatives)


@cache
def _required(p: Pattern) -> tuple[frozenset[str], ...]:
    """For each required element, the words any of its alternatives needs (their first words)."""
    return tuple(frozenset(alt[0] for alt in e.alternatives) for e in p.elements if not e.optional and not e.gap)


def _needs(required: tuple[frozenset[str], ...]) -> tuple[frozenset[str], tuple[frozenset[str], ...]]:
    """The required elements as (the words of those with one alternative, the others' word sets)."""
    return frozenset(w for r in required if len(r) == 1 for w in r), tuple(r for r in required if len(r) > 1)


def _witnesses(key: str, patterns: list[Pattern], required: dict[str, tuple[frozenset[str], ...]]
               ) -> tuple[tuple[int, ...], dict[str, tuple[int, ...]]]:
    """An index of the patterns starting with `key` by one required element other than the one `key`
    fills, its witness: (positions of patterns with no such element, word -> positions). A pattern can
    match only where a word of its witness is in the sentence. The witness is the element whose
    shortest word is longest, a cheap stand-in for the rarest ("ceasefire" rather than "to")."""
    always: list[int] = []
    by_word: dict[str, list[int]] = {}
    for n, p in enumerate(patterns):
        others = [r for r in required[p.id] if key not in r]
        if not others:
            always.append(n)
            continue
        for word in max(others, key=lambda r: min(map(len, r))):
            by_word.setdefault(word, []).append(n)
    return tuple(always), {w: tuple(ns) for w, ns in by_word.items()}


def _first_lemmas(elements: tuple[Element, ...]) -> set[str]:
    firsts: set[str] = set()
    for e in elements:
        firsts |= {alt[0] for alt in e.alternatives}
        if not e.optional:
            break
    return firsts


def _match(elements, k: int, lemmas: list[str], lowers: list[str], i: int) -> int | None:
    """Match elements[k:] at token i (lemmas and lowercased words); return the end token (longest), or None."""
    if k == len(elements):
        return i
    e = elements[k]
    if e.gap:
        best = None
        for skip in range(GAP + 1):
            if skip and (i + skip - 1 >= len(lowers) or lowers[i + skip - 1] in _STOP_GAP):
                break
            end = _match(elements, k + 1, lemmas, lowers, i + skip)
            if end is not None and (best is None or end > best):
                best = end
                break  # the shortest gap that lets the rest match
        return best
    best = None
    if k > 0 and i < len(lowers) and not elements[k - 1].gap:
        skip = i
        while skip < len(lowers) and skip - i < 3 and _skippable(lowers[skip]) and \
                lemmas[skip] not in e.by_first and lowers[skip] not in e.by_first:
            skip += 1
        if skip > i:  # "threatened today to hold": step over adverbs and time words
            end = _match(elements, k, lemmas, lowers, skip)
            if end is not None:
                best = end
    if i < len(lemmas):
        # the alternatives this token can start (by lemma or as written); the longest match wins, so
        # the order they are tried in does not matter
        alternatives = e.by_first.get(lemmas[i], ())
        if lowers[i] != lemmas[i]:
            alternatives += e.by_first.get(lowers[i], ())
        for alt in alternatives:
            n = len(alt)
            if i + n <= len(lemmas) and all(lemmas[i + j] == alt[j] or lowers[i + j] == alt[j] for j in range(1, n)):
                end = _match(elements, k + 1, lemmas, lowers, i + n)
                if end is not None and (best is None or end > best):
                    best = end
    if e.optional:
        end = _match(elements, k + 1, lemmas, lowers, i)
        if end is not None and (best is None or end > best):
            best = end
    return best


@lru_cache(maxsize=1)
def _skippable_words() -> frozenset[str]:
    return frozenset(load("matching.toml")["skippable"])


def _skippable(word: str) -> bool:
    lower = word.lower()
    return lower in _skippable_words() or (len(lower) > 4 and lower.endswith("ly") and lower.isalpha())


def load_patterns(path: str | Path, text: str | None = None) -> list[Pattern]:
    text = text if text is not None else Path(path).read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"{path}: {exc}") from None
    return [_pattern(entry, f"{path}: pattern {entry.get('id', i)!r}") for i, entry in enumerate(data.get("pattern", []))]


@lru_cache(maxsize=8)
def lexicon(extra_files: tuple[str, ...] = ()) -> Lexicon:
    patterns: list[Pattern] = []
    folder = resources.files("chancery") / "data" / "events"
    if folder.is_dir():
        for f in sorted(folder.iterdir(), key=lambda f: f.name):
            if f.name.endswith(".toml"):
                patterns += load_patterns(f.name, f.read_text(encoding="utf-8"))
    for path in extra_files:
        patterns += load_patterns(path)
    return Lexicon(patterns)
