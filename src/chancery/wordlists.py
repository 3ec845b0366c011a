"""Loading the word lists under `data/` and turning them into patterns."""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=32)
def load(name: str) -> dict:
    """A TOML data file of the package, read once."""
    with resources.files("chancery").joinpath("data", name).open("rb") as fh:
        return tomllib.load(fh)


def any_of(words: list[str]) -> re.Pattern:
    """Whole words or phrases, case-insensitive, longest first; spaces match any whitespace and a
    trailing "*" any letters ("commemorat*")."""
    return re.compile(_any_of(words), re.IGNORECASE)


def any_of_lowered(words: list[str]) -> re.Pattern:
    """any_of for text that `lowered` has put in lower case: the same matches, without the cost of
    matching case-insensitively."""
    return re.compile(_any_of([w.lower() for w in words]))


def _any_of(words: list[str]) -> str:
    alternatives = sorted((re.escape(w).replace(r"\ ", r"\s+").replace(r"\*", r"\w*") for w in words),
                          key=len, reverse=True)
    return r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])"


@lru_cache(maxsize=1)
def quantity_heads() -> frozenset[str]:
    """Words after which "of" does not open a prepositional phrase: "thousands of protesters"."""
    return frozenset(load("matching.toml")["quantity_heads"])


_CASE_EXCEPTIONS = re.compile("[ıſ]")  # match "i" and "s" case-insensitively, but lower() keeps them


def lowered(text: str) -> str | None:
    """text.lower() where a case-sensitive match of lower-case words in it is the same as a
    case-insensitive match in text (same offsets, same matches), else None: lower() lengthens "İ",
    and leaves "ı" and "ſ", which case-insensitive patterns match as "i" and "s"."""
    lower = text.lower()
    if len(lower) != len(text) or _CASE_EXCEPTIONS.search(text):
        return None
    return lower
