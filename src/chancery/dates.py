"""Absolute dates as news text writes them: "2025-09-02", "September 02, 2025", "Sept. 2", "2 May 2024"."""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from .wordlists import load


@lru_cache(maxsize=1)
def time_words() -> dict[str, dict[str, int]]:
    return load("time_words.toml")


def month_number(word: str) -> int | None:
    return time_words()["months"].get(word.lower().rstrip("."))


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    months = sorted(time_words()["months"], key=len, reverse=True)
    month = r"(?P<month>(?:" + "|".join(months) + r")\.?)"
    day = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\b"
    year = r"(?P<year>(?:19|20)\d\d)"
    iso = re.compile(r"(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?")
    month_first = re.compile(rf"{month}\s+{day}(?:,?\s+{year})?", re.IGNORECASE)
    day_first = re.compile(rf"{day}\s+{month}(?:,?\s+{year})?", re.IGNORECASE)
    return iso, month_first, day_first


WEEKDAY_PREFIX = re.compile(r"^(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)", re.IGNORECASE)


def parse_date(text: str, *, whole: bool = True) -> tuple[int | None, int, int] | None:
    """Parse a date; return (year or None, month, day). With whole=True the text must be only the date
    (a weekday in front and a time after are tolerated)."""
    text = WEEKDAY_PREFIX.sub("", text.strip())
    for pattern in _patterns():
        m = (pattern.match if whole else pattern.search)(text)
        if not m:
            continue
        if whole and not _only_time_after(text[m.end():]):
            continue
        month = m.group("month")
        month_num = int(month) if month.isdigit() else month_number(month)
        year = int(m.group("year")) if m.group("year") else None
        day = int(m.group("day"))
        if month_num and _valid(year or 2000, month_num, day):
            return year, month_num, day
    return None


def _only_time_after(rest: str) -> bool:
    rest = rest.strip()
    return not rest or bool(re.fullmatch(r"(?:[,|·-]\s*)?(?:\d{1,2}:\d\d(?::\d\d)?\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,4}|GMT[+-]?\d*|UTC[+-]?\d*)?)", rest, re.IGNORECASE))


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def iso(year: int, month: int, day: int) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}"


def infer_year(month: int, day: int, *, known: str | None = None, text: str = "",
               today: dt.date | None = None) -> int:
    """The year of a day-and-month date: from a date already known about the article, else the latest
    plausible year the text mentions, else the latest year that does not put the date in the future."""
    today = today or dt.date.today()
    if known:
        return int(known[:4])
    years = [int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", text) if int(y) <= today.year]
    if years:  # the year the text mentions most, the later one on a tie
        return max(set(years), key=lambda y: (years.count(y), y))
    year = today.year
    return year if dt.date(year, month, min(day, 28)) <= today else year - 1
