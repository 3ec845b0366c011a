"""Tense and modality of a clause, from surface markers: enough to tell "held talks on Monday" from
"is expected to join on Wednesday", and "did not sign" or "could impose … if" from what happened.

Marker words live in data/tense.toml; past forms of verbs come from spaCy's English lemma table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .lemmas import table
from .wordlists import any_of, any_of_lowered, load

_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?|’[a-z]+")


@dataclass(frozen=True)
class Markers:
    future: re.Pattern
    hypothetical: re.Pattern
    negation: re.Pattern
    past_auxiliaries: frozenset[str]
    present_auxiliaries: frozenset[str]
    not_past: frozenset[str]
    future_lowered: re.Pattern | None = None  # `future` for text wordlists.lowered has put in lower case


@lru_cache(maxsize=1)
def markers() -> Markers:
    data, cues = load("tense.toml"), load("status.toml")  # the modal cues are the event stage's
    return Markers(any_of(cues["future"]), any_of(cues["hypothetical"]), any_of(cues["negation"]),
                   frozenset(data["past_auxiliaries"]), frozenset(data["present_auxiliaries"]),
                   frozenset(data["not_past"]), any_of_lowered(cues["future"]))


_PAST_FORMS: dict[str, bool] = {}  # is_past_form's answers: a plain dict holds nothing the GC must walk


def is_past_form(word: str) -> bool:
    known = _PAST_FORMS.get(word)
    if known is None:
        if len(_PAST_FORMS) >= 200_000:
            _PAST_FORMS.clear()
        known = _PAST_FORMS[word] = _is_past_form(word)
    return known


def _is_past_form(word: str) -> bool:
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
    return tense_at(tense_cues(text), start, end)


def tense_cues(text: str, lower: str | None = None) -> list[tuple[int, int, str]]:
    """The future markers, then the finite verbs, of a clause with their tense: what tense_near weighs.
    Worth keeping for a clause that holds several time expressions. `lower`: the clause as
    wordlists.lowered gives it, where the markers are found without matching case-insensitively."""
    m = markers()
    futures = m.future.finditer(text) if lower is None else m.future_lowered.finditer(lower)
    future_spans = [(f.start(), f.end()) for f in futures]
    cues = [(a, b, "future") for a, b in future_spans]
    for w in _WORD.finditer(text):
        if future_spans and any(a <= w.start() < b for a, b in future_spans):
            continue
        word = w.group()
        if is_past_form(word):
            cues.append((w.start(), w.end(), "past"))
        elif word.lower() in m.present_auxiliaries:
            cues.append((w.start(), w.end(), "present"))
    return cues


def tense_at(cues: list[tuple[int, int, str]], start: int, end: int) -> str:
    """The tense of the cue nearest to [start, end) (the first of equally near ones); past without cues."""
    best: tuple[int, str] | None = None
    for pos_start, pos_end, tense in cues:
        distance = start - pos_end if pos_end <= start else pos_start - end if pos_start >= end else 0
        if best is None or distance < best[0]:
            best = (distance, tense)
    return best[1] if best else "past"


def modality(text: str) -> dict[str, bool]:
    """Which modal markers a clause carries: negated ("did not sign"), hypothetical ("could … if"),
    future ("will visit", "is expected to")."""
    m = markers()
    return {"negated": bool(m.negation.search(text)), "hypothetical": bool(m.hypothetical.search(text)),
            "future": bool(m.future.search(text))}
