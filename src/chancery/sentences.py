"""Sentence boundaries with character offsets into the cleaned body.

Rule-based and fast: a sentence ends at . ! ? (with any closing quotes or brackets) before a
word that does not start in lower case, except after titles and abbreviations kept as data
(data/abbreviations.toml). A line break always ends a sentence, so headline-style lines without
final punctuation stand alone.
"""
from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from .wordlists import load

_LINE = re.compile(r"[^\n]+")
_END = re.compile(r"(?:[.!?]+|…)[\"'”’»)\]]*(?=\s+(\S))")
_WORD_BEFORE = re.compile(r"(\S+)$")
_NEXT_WORD = re.compile(r"[\"'“‘«(\[]*([\w.]+)")


@dataclass(frozen=True)
class Abbreviations:
    before_name: frozenset[str]
    may_end: frozenset[str]
    openers: frozenset[str]
    attribution: re.Pattern


@lru_cache(maxsize=1)
def abbreviations() -> Abbreviations:
    data = load("abbreviations.toml")
    verbs = "|".join(map(re.escape, data["attribution_verbs"]))
    attribution = re.compile(rf"\s+(?:[A-Z][\w.'’-]*\s+){{1,4}}(?:{verbs})\b")
    return Abbreviations(frozenset(data["before_name"]), frozenset(data["may_end"]), frozenset(data["openers"]),
                         attribution)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) offsets of the sentences of `text`, whitespace trimmed."""
    abbr = abbreviations()
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        start = line.start()
        segment = line.group()
        for m in _END.finditer(segment):
            if not _is_boundary(segment, m, abbr):
                continue
            _add(spans, text, start, line.start() + m.end())
            start = line.start() + m.end()
        _add(spans, text, start, line.end())
    return spans


def _is_boundary(segment: str, m: re.Match, abbr: Abbreviations) -> bool:
    nxt = m.group(1)
    if nxt[0].islower() or nxt[0] in ",;:)-–—":
        return False
    if m.group()[-1] in "\"'”’»" and abbr.attribution.match(segment, m.end()):
        return False  # “… peace!” Xi said.
    if not m.group().startswith("."):
        return True
    if m.group().startswith("...") or m.group().startswith("…"):
        return True
    before = _WORD_BEFORE.search(segment, 0, m.start())
    if not before:
        return True
    word = before.group(1).lstrip("\"'“‘«([")
    if word in abbr.before_name or word.lower() in ("e.g", "i.e"):
        return False
    if len(word) == 1 and word.isupper():
        return False  # an initial: "John F. Kennedy"
    if word in abbr.may_end or re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word):
        following = _NEXT_WORD.match(segment, m.end() + len(segment[m.end():]) - len(segment[m.end():].lstrip()))
        return bool(following) and following.group(1) in abbr.openers
    return True


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


class ByStart:
    """Records with a `start` offset (mentions, times), to hand a sentence those that start in it
    without testing all of an article's records for each sentence."""

    def __init__(self, items: list) -> None:
        self.items = items
        self.starts = [x.start for x in items]
        self.sorted = all(a <= b for a, b in itertools.pairwise(self.starts))

    def starting(self, start: int, end: int) -> list:
        """Those starting in [start, end), in their order; all of them when they are not in text order
        (callers filter by offsets themselves, so that is only slower)."""
        if not self.sorted:
            return self.items
        return self.items[bisect.bisect_left(self.starts, start):bisect.bisect_left(self.starts, end)]
