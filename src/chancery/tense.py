"""Tense and modality of a clause, from surface markers: enough to tell "held talks on Monday" from
"is expected to join on Wednesday", and "did not sign" or "could impose … if" from what happened.

Marker words live in data/tense.toml; past forms of verbs come from spaCy's English lemma table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .lemmas import table
from .wordlists import any_of, load

_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?|’[a-z]+")


@dataclass(frozen=True)
class Markers:
    future: re.Pattern
    hypothetical: re.Pattern
    negation: re.Pattern
    past_auxiliaries: frozenset[str]
    present_auxiliaries: frozenset[str]
    not_past: frozenset[str]


@lru_cache(maxsize=1)
def markers() -> Markers:
    data, cues = load("tense.toml"), load("status.toml")  # the modal cues are the event stage's
    return Markers(any_of(cues["future"]), any_of(cues["hypothetical"]), any_of(cues["negation"]),
                   frozenset(data["past_auxiliaries"]), frozenset(data["present_auxiliaries"]),
                   frozenset(data["not_past"]))


def is_past_form(word: str) -> bool:
    lower = word.lower()
    m = markers()
    if lower in m.past_auxiliaries:
        return True
    if lower in m.not_past or word[:1].isupper() and lower not in m.past_auxiliaries:
        return False
    lemma = table().get(lower)
    if not lemma or lemma == lower:
        return False
    if lower.endswith("ed"):
        return True
    return not lower.endswith(("s", "ing", "er", "est", "men", "ren", "ly"))


def tense_near(text: str, start: int, end: int) -> str:
    """The tense of the clause around text[start:end]: the nearest future marker or finite verb wins."""
    m = markers()
    best: tuple[int, str] | None = None

    def consider(pos_start: int, pos_end: int, tense: str) -> None:
        nonlocal best
        distance = start - pos_end if pos_end <= start else pos_start - end if pos_start >= end else 0
        if best is None or distance < best[0]:
            best = (max(distance, 0), tense)

    for fm in m.future.finditer(text):
        consider(fm.start(), fm.end(), "future")
    future_spans = [(f.start(), f.end()) for f in m.future.finditer(text)]
    for w in _WORD.finditer(text):
        if any(a <= w.start() < b for a, b in future_spans):
            continue
        word = w.group()
        if is_past_form(word):
            consider(w.start(), w.end(), "past")
        elif word.lower() in m.present_auxiliaries:
            consider(w.start(), w.end(), "present")
    return best[1] if best else "past"


def modality(text: str) -> dict[str, bool]:
    """Which modal markers a clause carries: negated ("did not sign"), hypothetical ("could … if"),
    future ("will visit", "is expected to")."""
    m = markers()
    return {"negated": bool(m.negation.search(text)), "hypothetical": bool(m.hypothetical.search(text)),
            "future": bool(m.future.search(text))}
