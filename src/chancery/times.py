"""Time expressions, resolved against the article's date.

"on Monday" is the latest Monday on or before the anchor, unless its clause is about the future
(then the next one); "in May" is the latest May, or the next in a future clause; "Sept. 2" takes the
anchor's year (or the neighbouring one the tense points to); "last year", "earlier this month",
"next year", "yesterday", "three years ago", "2026-27", "May 16-17" and full dates are handled too.
Each expression carries its precision (day, month, year) and source (explicit or relative).
"""
from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from .dates import time_words
from .records import TimeExpr
from .tense import tense_at, tense_cues
from .wordlists import lowered

_YEAR = r"(?:19|20)\d\d"
_PREP = r"(?:in|since|by|until|till|from|during|before|after|through|throughout|of|early|late|mid-?|around|circa)"


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern, re.Pattern, tuple[_Anchor, ...]]]:
    """(kind, pattern for the text as written, the same pattern for the text in lower case, anchors).

    Case-insensitive matching costs two to three times as much in Python's engine; every literal
    here is lower case, so over `text.lower()` the patterns match the same spans case-sensitively
    (see wordlists.lowered for the few characters where that does not hold). Anchors: every match
    holds one of the words of each."""
    if any(w != w.lower() for names in time_words().values() for w in names):
        raise ValueError("time_words.toml: month and weekday names must be written in lower case")
    return [(kind, re.compile(source, flags), re.compile(source, flags & ~re.IGNORECASE), anchors)
            for kind, source, flags, anchors in _sources()]


class _Anchor(NamedTuple):
    """Words of which every match of a pattern holds one: as whole words ("may", not the "may" of
    "mayor"), or anywhere ("20" in "2025"); `digit`: any digit, of any script, as \\d matches them."""

    words: tuple[str, ...]
    whole: bool = True
    digit: bool = False


_YEAR_START = _Anchor(("19", "20"), whole=False)
_DIGIT = _Anchor((), digit=True)


def _sources() -> list[tuple[str, str, int, tuple[_Anchor, ...]]]:
    words = time_words()
    full = {name for name, number in words["months"].items() if name == calendar.month_name[number].lower()}
    month = "(?:" + "|".join(sorted(full, key=len, reverse=True)) + "|(?:" + "|".join(
        sorted(set(words["months"]) - full, key=len, reverse=True)) + r")\.?)"
    weekdays = tuple(sorted((w for w in words["weekdays"] if len(w) > 3), key=len, reverse=True))
    weekday = "(?:" + "|".join(weekdays) + ")"
    day = r"\d{1,2}(?:st|nd|rd|th)?"
    part = r"(?:morning|afternoon|evening|night)"
    deictic = ("today", "yesterday", "tomorrow", "tonight", "this morning", "this afternoon", "this evening",
               "last night")
    units = ("week", "month", "year")
    months = _Anchor(tuple(words["months"]))  # a month name stands between word boundaries in each
    return [
        ("iso", rf"\b(?P<y>{_YEAR})-(?P<m>\d\d)-(?P<d>\d\d)\b", 0, (_YEAR_START,)),
        ("mdy", rf"\b(?P<mon>{month})\s+(?P<d>{day})(?:\s*(?:-|–|to|and)\s*(?P<d2>{day}))?,?\s+(?P<y>{_YEAR})\b", re.IGNORECASE, (months, _YEAR_START)),
        ("dmy", rf"\b(?P<d>{day})(?:\s*(?:-|–|to|and)\s*(?P<d2>{day}))?\s+(?:of\s+)?(?P<mon>{month}),?\s+(?P<y>{_YEAR})\b", re.IGNORECASE, (months, _YEAR_START)),
        ("my", rf"\b(?P<mon>{month})\s+(?:of\s+)?(?P<y>{_YEAR})\b", re.IGNORECASE, (months, _YEAR_START)),
        ("md", rf"\b(?P<mon>{month})\s+(?P<d>{day})(?:\s*(?:-|–|to)\s*(?P<d2>{day}))?\b(?!\s*(?:,\s*)?\d)", re.IGNORECASE, (months, _DIGIT)),
        ("dm", rf"\b(?P<d>{day})(?:\s*(?:-|–|to)\s*(?P<d2>{day}))?\s+(?:of\s+)?(?P<mon>{month})\b(?!\s*,?\s*\d)", re.IGNORECASE, (months, _DIGIT)),
        ("year_range", rf"(?<![\d$€£¥.,-])(?P<y>{_YEAR})\s*(?:-|–|/|to)\s*(?P<y2>(?:19|20)?\d\d)\b(?!\s*%)", 0, (_YEAR_START,)),
        ("weekday", rf"\b(?:(?:on|last|this|next|early|late)\s+)?(?:the\s+{part}\s+of\s+)?(?P<wd>{weekday})(?:\s+{part})?\b", re.IGNORECASE, (_Anchor(weekdays),)),
        ("month", rf"\b(?P<q>{_PREP}|this|last|next|earlier this|later this)\s+(?P<mon>{month})(?!\w)", re.IGNORECASE, (months,)),
        ("year", rf"\b(?:{_PREP}|the year|year)\s+(?P<y>{_YEAR})\b(?!\s*[-–/]\s*\d)", re.IGNORECASE, (_YEAR_START,)),
        ("deictic", r"\b(?P<w>" + "|".join(deictic) + r")\b", re.IGNORECASE, (_Anchor(deictic),)),
        ("relative", r"\b(?P<q>last|next|this|earlier this|later this|past|coming)\s+(?P<unit>" + "|".join(units) + r")\b", re.IGNORECASE, (_Anchor(units),)),
        ("ago", r"\b(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)\s+(?P<unit>day|week|month|year|decade)s?\s+ago\b", re.IGNORECASE, (_Anchor(("ago",)),)),
    ]


# No time expression holds a character other than these: word characters, spaces and - – , . /
_OUTSIDE = re.compile(r"[^\w\s\-–,./]")
_DIGITS = re.compile(r"\d+")


class _Stretches:
    """The stretches of a lowered text between characters no time expression holds, and which of them
    hold a pattern's anchors: a pattern need only be tried inside those."""

    def __init__(self, lower: str) -> None:
        self.lower = lower
        self.cuts = [m.start() for m in _OUTSIDE.finditer(lower)]
        self.holding: dict[_Anchor, set[int]] = {}

    def _holding(self, anchor: _Anchor) -> set[int]:
        """Numbers of the stretches holding the anchor."""
        found = self.holding.get(anchor)
        if found is None:
            found = self.holding[anchor] = set()
            cuts, lower = self.cuts, self.lower
            if anchor.digit:
                found.update(bisect.bisect_left(cuts, m.start()) for m in _DIGITS.finditer(lower))
            for word in anchor.words:
                at = lower.find(word)
                while at >= 0:
                    end = at + len(word)
                    if not anchor.whole or not (at and _is_word(lower[at - 1]) or end < len(lower)
                                                and _is_word(lower[end])):
                        found.add(bisect.bisect_left(cuts, at))
                    at = lower.find(word, at + 1)
        return found

    def matches(self, pattern: re.Pattern, anchors: tuple[_Anchor, ...]) -> Iterator[re.Match]:
        """pattern.finditer(lower), tried only in the stretches that hold its anchors. A match never
        holds a cut, and what its look-arounds read at either end is the cut itself at the most."""
        cuts, end = self.cuts, len(self.lower)
        numbers = self._holding(anchors[0])
        for anchor in anchors[1:]:
            if anchor.digit:  # digits are everywhere: look for them only in the stretches left
                numbers = {n for n in numbers if _DIGITS.search(self.lower, cuts[n - 1] + 1 if n else 0,
                                                                cuts[n] if n < len(cuts) else end)}
            else:
                numbers = numbers & self._holding(anchor)
        for n in sorted(numbers):
            start = cuts[n - 1] + 1 if n else 0
            stop = cuts[n] + 1 if n < len(cuts) else end
            yield from pattern.finditer(self.lower, start, stop)


def _is_word(ch: str) -> bool:
    """A character \\w matches (a \\b lies between it and one that is not)."""
    return ch.isalnum() or ch == "_"


_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
            "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100}


def find_times(text: str, anchor: str | None, sentences: list[tuple[int, int]] | None = None) -> list[TimeExpr]:
    """Every time expression in `text`, resolved against `anchor` (an ISO day, or None: then
    relative expressions keep date None)."""
    base = _parse_anchor(anchor)
    sentences = sentences or [(0, len(text))]
    starts = [s for s, _ in sentences]
    taken: list[tuple[int, int]] = []
    found: list[TimeExpr] = []
    cues: dict[int, list[tuple[int, int, str]]] = {}  # per sentence, for the tense of its expressions
    lower = lowered(text)
    stretches = _Stretches(lower) if lower is not None else None
    if stretches is None:
        present = set(_LOWER_WORD.findall(text.lower()))
        has_digit = any(ch.isdigit() for ch in text)
    for kind, as_written, for_lower, anchors in _patterns():
        # (the stretches' anchors ask more than _worth_trying: a kind it would skip finds nothing there)
        if stretches is None and not _worth_trying(kind, present, has_digit):
            continue
        # matches over the lowered text have the same spans; what they resolve to ignores case
        for m in as_written.finditer(text) if stretches is None else stretches.matches(for_lower, anchors):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            if kind == "month" and m.group("mon").lower().startswith("may") and not _month_may(m, text):
                continue
            i = max(bisect.bisect_right(starts, m.start()) - 1, 0)
            s_start, s_end = sentences[i]
            if i not in cues:
                cues[i] = tense_cues(text[s_start:s_end], lower[s_start:s_end] if lower is not None else None)
            tense = tense_at(cues[i], m.start() - s_start, m.end() - s_start)
            expr = _resolve(kind, m, base, tense)
            if expr is None:
                continue
            date, precision, source, until = expr
            found.append(TimeExpr(m.start(), m.end(), text[m.start():m.end()], date, precision, source, tense, until,
                                  i))
            taken.append((m.start(), m.end()))
    found.sort(key=lambda t: t.start)
    return found


_LOWER_WORD = re.compile(r"[a-z]+")
_DIGIT_KINDS = frozenset({"iso", "mdy", "dmy", "my", "md", "dm", "year_range", "year"})


def _worth_trying(kind: str, present: set[str], has_digit: bool) -> bool:
    """Skip a pattern when the words it needs are absent: most sentences hold no time expression."""
    words = time_words()
    if kind in _DIGIT_KINDS:
        if not has_digit:
            return False
        return kind in ("iso", "year_range", "year") or not present.isdisjoint(words["months"])
    if kind == "weekday":
        return not present.isdisjoint(words["weekdays"])
    if kind == "month":
        return not present.isdisjoint(words["months"])
    if kind == "deictic":
        return not present.isdisjoint(("today", "yesterday", "tomorrow", "tonight", "morning", "afternoon",
                                       "evening", "night"))
    if kind == "relative":
        return not present.isdisjoint(("week", "month", "year"))
    if kind == "ago":
        return "ago" in present
    return True


def _month_may(m: re.Match, text: str) -> bool:
    """"in May" is a month; "may" after this/last/next or a preposition only when capitalised."""
    return text[m.start("mon")] == "M"


def _parse_anchor(anchor: str | None) -> dt.date | None:
    if not anchor or len(anchor) < 10:
        return None
    try:
        return dt.date.fromisoformat(anchor[:10])
    except ValueError:
        return None


def _month(name: str) -> int:
    return time_words()["months"][name.lower().rstrip(".")]


def _day(value: str) -> int:
    return int(re.match(r"\d+", value).group())


def _iso(y: int, m: int, d: int | None = None) -> str | None:
    if d is None:
        return f"{y:04d}-{m:02d}"
    if d > calendar.monthrange(y, m)[1]:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def _resolve(kind: str, m: re.Match, base: dt.date | None, tense: str):
    future = tense == "future"
    if kind == "iso":
        date = _iso(int(m["y"]), int(m["m"]), int(m["d"])) if 1 <= int(m["m"]) <= 12 else None
        return (date, "day", "explicit", None) if date else None
    if kind in ("mdy", "dmy"):
        y, mon = int(m["y"]), _month(m["mon"])
        date = _iso(y, mon, _day(m["d"]))
        until = _iso(y, mon, _day(m["d2"])) if m["d2"] else None
        return (date, "day", "explicit", until) if date else None
    if kind == "my":
        return _iso(int(m["y"]), _month(m["mon"])), "month", "explicit", None
    if kind in ("md", "dm"):
        mon, d = _month(m["mon"]), _day(m["d"])
        if base is None:
            return None, "day", "explicit", None
        y = _year_for(base, mon, d, future)
        date = _iso(y, mon, d)
        if date is None:
            return None
        until = _iso(y, mon, _day(m["d2"])) if m["d2"] else None
        return date, "day", "explicit", until
    if kind == "year_range":
        y1, y2 = m["y"], m["y2"]
        y2 = y1[:2] + y2 if len(y2) == 2 else y2
        if not int(y1) < int(y2) <= int(y1) + 30:
            return None
        return y1, "year", "explicit", y2
    if kind == "year":
        return m["y"], "year", "explicit", None
    if kind == "weekday":
        if base is None:
            return None, "day", "relative", None
        wd = time_words()["weekdays"][m["wd"].lower()]
        text = m.group().lower()
        if text.startswith("next") or (future and not text.startswith("last")):
            delta = (wd - base.weekday()) % 7 or (7 if text.startswith("next") else 0)
            return (base + dt.timedelta(days=delta)).isoformat(), "day", "relative", None
        delta = (base.weekday() - wd) % 7 or (7 if text.startswith("last") else 0)
        return (base - dt.timedelta(days=delta)).isoformat(), "day", "relative", None
    if kind == "month":
        if base is None:
            return None, "month", "relative", None
        mon, q = _month(m["mon"]), m["q"].lower()
        if q == "next" or (future and q not in ("last", "since", "earlier this")):
            y = base.year if mon >= base.month else base.year + 1
        elif q == "last":
            y = base.year if mon < base.month else base.year - 1
        elif q in ("this", "earlier this", "later this"):
            y = base.year
        else:
            y = base.year if mon <= base.month else base.year - 1
        return _iso(y, mon), "month", "relative", None
    if kind == "deictic":
        if base is None:
            return None, "day", "relative", None
        w = m["w"].lower()
        shift = {"yesterday": -1, "last night": -1, "tomorrow": 1}.get(w, 0)
        return (base + dt.timedelta(days=shift)).isoformat(), "day", "relative", None
    if kind == "relative":
        if base is None:
            return None, None, "relative", None
        q, unit = m["q"].lower(), m["unit"].lower()
        step = {"last": -1, "past": -1, "next": 1, "coming": 1}.get(q, 0)
        if unit == "year":
            return str(base.year + step), "year", "relative", None
        if unit == "month":
            y, mon = divmod(base.year * 12 + base.month - 1 + step, 12)
            return _iso(y, mon + 1), "month", "relative", None
        monday = base - dt.timedelta(days=base.weekday()) + dt.timedelta(weeks=step)
        return monday.isoformat(), "week", "relative", None
    if kind == "ago":
        if base is None:
            return None, None, "relative", None
        n = int(m["n"]) if m["n"].isdigit() else _NUMBERS[m["n"].lower()]
        unit = m["unit"].lower()
        if unit in ("year", "decade"):
            return str(base.year - n * (10 if unit == "decade" else 1)), "year", "relative", None
        if unit == "month":
            y, mon = divmod(base.year * 12 + base.month - 1 - n, 12)
            return _iso(y, mon + 1), "month", "relative", None
        days = n * (7 if unit == "week" else 1)
        return (base - dt.timedelta(days=days)).isoformat(), "day", "relative", None
    return None


def _year_for(base: dt.date, month: int, day: int, future: bool) -> int:
    """The year of a day-and-month date near the anchor: this year, unless the tense says the date
    lies on the other side of the anchor (a few days of slack for time zones)."""
    try:
        this_year = dt.date(base.year, month, min(day, 28))
    except ValueError:
        return base.year
    if future and this_year < base - dt.timedelta(days=3):
        return base.year + 1
    if not future and this_year > base + dt.timedelta(days=3):
        return base.year - 1
    return base.year
