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
from dataclasses import dataclass
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

    def matches(self, lemmas: list[str], words: list[str]) -> list[tuple[int, int, Pattern]]:
        """Every (start, end, pattern) match over a token sequence."""
        present = set(lemmas) | {w.lower() for w in words}
        viable: dict[str, bool] = {}
        found = []
        for i, lem in enumerate(lemmas):
            lower = words[i].lower()
            # the lemma first, then the word as written: where both start patterns that match the same
            # span ("broke": break ... ceasefire, broke(r) ... ceasefire) the lemma's pattern wins, in every
            # process (iterating a set of the two made it depend on the string hash seed)
            for key in (lem,) if lower == lem else (lem, lower):
                for p in self.by_first.get(key, ()):
                    ok = viable.get(p.id)
                    if ok is None:  # every required element must have a word in the sentence
                        ok = viable[p.id] = all(not req.isdisjoint(present) for req in self.required[p.id])
                    if not ok:
                        continue
                    end = _match(p.elements, 0, lemmas, words, i)
                    if end is not None:
                        found.append((i, end, p))
        return found


@cache
def _required(p: Pattern) -> tuple[frozenset[str], ...]:
    """For each required element, the words any of its alternatives needs (their first words)."""
    return tuple(frozenset(alt[0] for alt in e.alternatives) for e in p.elements if not e.optional and not e.gap)


def _first_lemmas(elements: tuple[Element, ...]) -> set[str]:
    firsts: set[str] = set()
    for e in elements:
        firsts |= {alt[0] for alt in e.alternatives}
        if not e.optional:
            break
    return firsts


def _match(elements, k: int, lemmas: list[str], words: list[str], i: int) -> int | None:
    """Match elements[k:] at token i; return the end token (longest), or None."""
    if k == len(elements):
        return i
    e = elements[k]
    if e.gap:
        best = None
        for skip in range(GAP + 1):
            if skip and (i + skip - 1 >= len(words) or words[i + skip - 1] in _STOP_GAP):
                break
            end = _match(elements, k + 1, lemmas, words, i + skip)
            if end is not None and (best is None or end > best):
                best = end
                break  # the shortest gap that lets the rest match
        return best
    best = None
    if k > 0 and i < len(words) and not elements[k - 1].gap:
        skip = i
        while skip < len(words) and skip - i < 3 and _skippable(words[skip]) and \
                not any(alt[0] in (lemmas[skip], words[skip].lower()) for alt in e.alternatives):
            skip += 1
        if skip > i:  # "threatened today to hold": step over adverbs and time words
            end = _match(elements, k, lemmas, words, skip)
            if end is not None:
                best = end
    for alt in e.alternatives:
        n = len(alt)
        if i + n <= len(lemmas) and all(lemmas[i + j] == alt[j] or words[i + j].lower() == alt[j] for j in range(n)):
            end = _match(elements, k + 1, lemmas, words, i + n)
            if end is not None and (best is None or end > best):
                best = end
    if e.optional:
        end = _match(elements, k + 1, lemmas, words, i)
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
