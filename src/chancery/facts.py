"""Numeric facts and enumerations: "extract: facts".

A fact is a number the article reports, with what it measures, its unit (an ISO currency code for
money, "%" for percentages, the counted noun for counts), its qualifier (exact, about, nearly, more
than, less than), the period it refers to and the span it was read from:

    "In 2024, bilateral trade rose to 244.8 billion U.S. dollars"
        → what "bilateral trade", value 244.8e9, unit "USD", qualifier "exact", period "2024"
    "signed more than 20 bilateral cooperation documents"
        → what "count of agreements", value 20, unit "documents", qualifier "more than"

Enumerations after "covering", "spanning", "including", "in areas such as", ... are facts of kind
"list" whose `items` are normalised phrases. Everything the rules know (currencies, scales, number
words, qualifiers, counted nouns, what is skipped) is data in `data/units.toml`; see docs/facts.md.
"""
from __future__ import annotations

import bisect
import functools
import itertools
import math
import re
import tomllib
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from .records import Article, TimeExpr
from .wordlists import lowered

__all__ = ["Fact", "FactExtractor", "extract_facts"]


@dataclass(slots=True)
class Fact:
    """One reported number (kind "number") or enumeration (kind "list")."""

    what: str
    value: float | None
    unit: str
    qualifier: str  # exact | about | nearly | more than | less than
    period: str | None
    text: str
    span: list[int]
    sentence: int
    kind: str = "number"
    items: list[str] = field(default_factory=list)
    until: float | None = None  # upper end of a range ("between 120 and 150")
    rule: str = ""  # money | percent | measure | count | ordinal | vague | list

    def to_dict(self) -> dict:
        return asdict(self)


# --- knowledge -------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"(?P<cur>U\.S\.\$|[A-Z]{1,3}\$|[$€£¥₹₽₩₺₴₱₦₪₸₫])"
    r"|(?P<num>[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?)"
    r"|(?P<abbr>(?:[A-Za-z]\.){2,})"
    r"|(?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*)"
    r"|(?P<punct>\S)"
)


class _Tok(NamedTuple):
    start: int
    end: int
    text: str
    low: str
    kind: str  # cur | num | abbr | word | punct


def _tokenize(text: str) -> list[_Tok]:
    # a named tuple built straight from its fields: a text has thousands of tokens, and a frozen
    # dataclass's __init__ made this the costliest line of the stage
    new = tuple.__new__
    return [new(_Tok, (m.start(), m.end(), word, word.lower().replace("’", "'"), m.lastgroup or "punct"))
            for m in _TOKEN.finditer(text) for word in (m.group(),)]


def _key(phrase: str) -> tuple[str, ...]:
    return tuple(t.low for t in _tokenize(phrase))


class _Phrases(dict):
    """Phrases (tuples of token forms) and what they map to, with the words they start and end with:
    most tokens start no phrase, and that is one set lookup."""

    def __init__(self, items) -> None:
        super().__init__(items)
        self.firsts = frozenset(k[0] for k in self if k)
        self.lasts = frozenset(k[-1] for k in self if k)


def _keys(table: dict) -> _Phrases:
    return _Phrases((_key(k), v) for k, v in table.items())


@dataclass(frozen=True)
class Units:
    """The contents of data/units.toml, prepared for matching."""

    @functools.cached_property
    def list_cue(self) -> re.Pattern:
        """The cues that open an enumeration ("including", "in areas such as"), as one pattern."""
        return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(t) for t in self.list_triggers) + r")(?![\w-])",
                          re.IGNORECASE)

    @functools.cached_property
    def list_cue_words(self) -> tuple[str, ...]:
        """The longest word of each cue, in lower case: a sentence without any of them holds no cue."""
        return tuple({max(t.lower().split(), key=len) for t in self.list_triggers if t.strip()})

    @functools.cached_property
    def list_scope(self) -> re.Pattern:
        """What may stand between a cue and its items ("a wide range of areas –"); group 1 is "from"
        when the items run from one to another."""
        openers = "|".join(re.escape(t) for t in sorted(self.scope_openers, key=len, reverse=True))
        nouns = "|".join(re.escape(t) for t in self.scope_nouns)
        return re.compile(rf"\s+(?:(?:{openers})\s+)?(?:{nouns})(?:\s*[–—:]|\s+-)?\s+(from\s+)?"
                          if nouns else r"(?!)", re.IGNORECASE)

    @functools.cached_property
    def word_starts(self) -> frozenset:
        """Words that can open a number written in words, an ordinal or a vague quantity."""
        return frozenset(self.ordinals) | frozenset(self.tens) | frozenset(self.units) | \
            {"a", "an", "half"} | {k[0] for k in self.vague}

    symbols: dict
    codes: dict
    currency_words: dict
    weak: frozenset
    context: tuple
    scales: dict
    short_scales: dict
    units: dict
    tens: dict
    multipliers: dict
    ordinals: dict
    ordinal_suffixes: frozenset
    vague: dict
    q_before: dict
    q_after: dict
    q_verbs: frozenset
    percent: dict
    measures: dict
    irregular: frozenset
    not_plural: frozenset
    groups: dict
    verbless: frozenset
    count_verbs: dict
    times_verbs: dict
    count_stop: frozenset
    times_multiplier: frozenset
    time_units: frozenset
    time_after: frozenset
    time_before: frozenset
    of_day: dict
    ordinal_nouns: dict
    ordinal_compounds: frozenset
    labels: frozenset
    definite: frozenset
    capital_ok: frozenset
    what_verbs: frozenset
    fillers: frozenset
    auxiliaries: frozenset
    links_before: dict
    links_after: dict
    boundaries: frozenset
    determiners: frozenset
    period_words: frozenset
    proper_endings: tuple
    max_words: int
    list_triggers: tuple
    scope_openers: tuple
    scope_nouns: tuple
    conjunctions: tuple
    trailers: tuple
    list_stop: frozenset
    max_item_words: int
    min_items: int
    sector_groups: frozenset


def load_units(text: str | None = None) -> Units:
    """Read the facts knowledge from TOML text (default: the packaged data/units.toml)."""
    if text is None:
        text = resources.files("chancery").joinpath("data/units.toml").read_text(encoding="utf-8")
    d = tomllib.loads(text)
    cur, num, q, counts, skip, what, lists = (d["currency"], d["numbers"], d["qualifiers"], d["counts"],
                                               d["skip"], d["what"], d["lists"])
    context = tuple((frozenset(c["written"]), c["code"], tuple(w.lower() for w in c["words"]))
                    for c in cur.get("context", []))
    groups = {noun: group for group, nouns in counts.get("groups", {}).items() for noun in nouns}
    measures = _Phrases((_key(k), (v["unit"], float(v.get("factor", 1)))) for k, v in d.get("measures", {}).items())
    return Units(
        symbols=dict(cur["symbols"]), codes=dict(cur["codes"]), currency_words=_keys(cur["words"]),
        weak=frozenset(cur.get("weak", [])), context=context,
        scales={k: float(v) for k, v in d["scales"].items()},
        short_scales={k: float(v) for k, v in d.get("short_scales", {}).items()},
        units=dict(num["units"]), tens=dict(num["tens"]), multipliers=dict(num["multipliers"]),
        ordinals=dict(num["ordinals"]), ordinal_suffixes=frozenset(num["ordinal_suffixes"]),
        vague=_Phrases((_key(k), float(v)) for k, v in num["vague"].items()),
        q_before=_keys(q["before"]), q_after=_keys(q["after"]), q_verbs=frozenset(q.get("verbs", [])),
        percent=_keys(d["percent"]), measures=measures,
        irregular=frozenset(counts["irregular_plurals"]), not_plural=frozenset(counts["not_plural"]),
        groups=groups, verbless=frozenset(counts.get("verbless", [])), count_verbs=dict(counts["verbs"]),
        times_verbs=dict(counts["times"]), count_stop=frozenset(counts["stop"]["words"]),
        times_multiplier=frozenset(counts["multiplier_after_times"]["words"]),
        time_units=frozenset(d["time"]["units"]), time_after=frozenset(d["time"]["after"]),
        time_before=frozenset(d["time"]["before"]), of_day=_Phrases((_key(k), True) for k in d["time"]["of_day"]),
        ordinal_nouns=_keys(d["ordinals"]["nouns"]), ordinal_compounds=frozenset(d["ordinals"].get("compounds", [])),
        labels=frozenset(skip["labels"]), definite=frozenset(skip["definite"]),
        capital_ok=frozenset(skip["capital_ok"]),
        what_verbs=frozenset(what["verbs"]), fillers=frozenset(what["fillers"]),
        auxiliaries=frozenset(what["auxiliaries"]), links_before=_Phrases((_key(k), True) for k in what["links_before"]),
        links_after=_Phrases((_key(k), True) for k in what["links_after"]), boundaries=frozenset(what["boundaries"]),
        determiners=frozenset(what["determiners"]), max_words=int(what.get("max_words", 6)),
        period_words=frozenset(what.get("period_words", [])), proper_endings=tuple(what.get("proper_endings", [])),
        list_triggers=tuple(sorted(lists["triggers"], key=len, reverse=True)),
        scope_openers=tuple(lists.get("scope_openers", [])), scope_nouns=tuple(lists.get("scope_nouns", [])),
        conjunctions=tuple(sorted(lists["conjunctions"], key=len, reverse=True)),
        trailers=tuple(sorted(lists["trailers"], key=len, reverse=True)),
        list_stop=frozenset(lists["stop_words"]), max_item_words=int(lists.get("max_item_words", 6)),
        min_items=int(lists.get("min_items", 3)), sector_groups=frozenset(lists.get("sector_groups", [])),
    )


@lru_cache(maxsize=1)
def default_units() -> Units:
    return load_units()


_PHONE = re.compile(r"(?<![\w.])\+?\(?\d{1,4}\)?(?:[ .-]\(?\d{2,4}\)?){2,}(?![\w])")
_PLUS_NUMBER = re.compile(r"\+\s?\d")


# --- the stage -------------------------------------------------------------------------------

class FactExtractor:
    """`extractor(article) -> list[Fact]`: reads article.text, .sentences and .times (time
    expressions already resolved; computed here when the article carries none)."""

    def __init__(self, units: Units | None = None) -> None:
        self.units = units or default_units()

    def __call__(self, article: Article) -> list[Fact]:
        text = article.text or ""
        sentences = list(article.sentences) if article.sentences else _split(text)
        times = list(article.times) if article.times else _times(text, article.published, sentences)
        return _Scanner(text, sentences, times, self.units).run()


def extract_facts(text: str, anchor: str | None = None) -> list[Fact]:
    """Facts of a plain text; `anchor` (an ISO day) resolves "last year" and the like."""
    sentences = _split(text)
    return _Scanner(text, sentences, _times(text, anchor, sentences), default_units()).run()


def _split(text: str) -> list[tuple[int, int]]:
    from .sentences import split_sentences
    return split_sentences(text) or ([(0, len(text))] if text else [])


def _times(text: str, anchor: str | None, sentences: list[tuple[int, int]]) -> list[TimeExpr]:
    from .times import find_times
    if not text:
        return []
    return find_times(text, anchor, sentences or None)


class _Scanner:
    """One pass over one text. Not shared between texts: the stage stays pure."""

    def __init__(self, text: str, sentences: list[tuple[int, int]], times: list[TimeExpr], units: Units):
        self.text = text
        self.lower = text.lower()
        self.u = units
        self.toks = _tokenize(text)
        self.sentences = sentences or ([(0, len(text))] if text else [])
        self.sent_starts = [s for s, _ in self.sentences]
        self._in_order = all(a[1] <= b[0] for a, b in itertools.pairwise(self.sentences))  # sorted, apart
        self.times = sorted((t for t in times if 0 <= t.start < t.end <= len(text)), key=lambda t: t.start)
        self.blocked = [(t.start, t.end) for t in self.times]
        for m in _PHONE.finditer(text):
            if sum(ch.isdigit() for ch in m.group()) >= 7:
                self.blocked.append(m.span())
        self.blocked.sort()
        self.tok_starts = [t.start for t in self.toks]
        self.sent_of_tok = self._sentences_of(self.tok_starts)

    # -- helpers ----------------------------------------------------------------------------

    def _sentence_of(self, offset: int) -> int:
        if not self.sentences:
            return 0
        return max(bisect.bisect_right(self.sent_starts, offset) - 1, 0)

    def _sentences_of(self, offsets: list[int]) -> list[int]:
        """_sentence_of for each of a rising list of offsets, in one walk along the sentences."""
        starts = self.sent_starts
        if not starts or any(a > b for a, b in itertools.pairwise(starts)):
            return [self._sentence_of(o) for o in offsets]
        # the offsets before the second sentence's start are in sentence 0, and so on: a bisection
        # per sentence instead of a step per offset
        out: list[int] = []
        at = 0
        for n, start in enumerate(starts[1:]):
            upto = bisect.bisect_left(offsets, start, at)
            out += [n] * (upto - at)
            at = upto
        out += [len(starts) - 1] * (len(offsets) - at)
        return out

    def _tok(self, k: int) -> _Tok | None:
        return self.toks[k] if 0 <= k < len(self.toks) else None

    def _low(self, k: int) -> str:
        t = self._tok(k)
        return t.low if t else ""

    def _attached(self, k: int) -> bool:
        """Token k touches the token before it (no space between)."""
        return 0 < k < len(self.toks) and self.toks[k].start == self.toks[k - 1].end

    def _same_sentence(self, a: int, b: int) -> bool:
        return 0 <= a < len(self.toks) and 0 <= b < len(self.toks) and self.sent_of_tok[a] == self.sent_of_tok[b]

    def _initial(self, k: int) -> bool:
        """Token k opens its sentence (opening quotes and brackets aside)."""
        j = k - 1
        while j >= 0 and self.sent_of_tok[j] == self.sent_of_tok[k] and self.toks[j].text in "\"'“‘«([":
            j -= 1
        return j < 0 or self.sent_of_tok[j] != self.sent_of_tok[k]

    def _blocked(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.blocked, (end, end))
        for a, b in self.blocked[max(i - 8, 0):i]:
            if a < end and start < b:
                return True
        return False

    def _match(self, k: int, table: dict, max_len: int = 4) -> tuple[object, int] | None:
        """Longest phrase of `table` starting at token k; (value, next token)."""
        firsts = getattr(table, "firsts", None)
        if firsts is not None and k < len(self.toks) and self.toks[k].low not in firsts:
            return None
        for n in range(max_len, 0, -1):
            if k + n > len(self.toks):
                continue
            key = tuple(t.low for t in self.toks[k:k + n])
            if key in table and (n == 1 or all(self._loose(j) for j in range(k + 1, k + n))):
                return table[key], k + n
        return None

    def _match_back(self, k: int, table: dict, max_len: int = 4) -> tuple[object, int] | None:
        """Longest phrase of `table` ending at token k - 1; (value, its first token)."""
        lasts = getattr(table, "lasts", None)
        if lasts is not None and 0 < k <= len(self.toks) and self.toks[k - 1].low not in lasts:
            return None
        for n in range(max_len, 0, -1):
            if k - n < 0:
                continue
            key = tuple(t.low for t in self.toks[k - n:k])
            if key in table and all(self._loose(j) for j in range(k - n + 1, k)):
                return table[key], k - n
        return None

    def _loose(self, k: int) -> bool:
        """Tokens of one phrase: within a few spaces, no line break between."""
        gap = self.text[self.toks[k - 1].end:self.toks[k].start]
        return len(gap) <= 3 and "\n" not in gap

    def _near(self, a: int, b: int) -> bool:
        """Token b follows token a with at most a space or two between them."""
        if b >= len(self.toks):
            return False
        gap = self.text[self.toks[a].end:self.toks[b].start]
        return len(gap) <= 2 and "\n" not in gap

    # -- the pass ---------------------------------------------------------------------------

    def run(self) -> list[Fact]:
        facts: list[tuple[Fact, int, int]] = []
        u = self.u
        # the tokens _at does not turn away at once: numbers, currencies, and words that are a
        # currency or can open a number, an ordinal or a vague quantity
        starting, symbols, codes = u.word_starts, u.symbols, u.codes
        openers = [k for k, (_, _, text, low, kind) in enumerate(self.toks) if kind == "num" or kind == "cur"
                   or kind == "word" and (low in starting or text in symbols or text in codes)]
        i = 0
        for k in openers:
            if k < i:
                continue
            try:
                found = self._at(k)
            except (ValueError, OverflowError, IndexError, KeyError):
                found = None
            if found:
                fact, first, nxt = found
                facts.append((fact, first, nxt))
                i = max(nxt, k + 1)
        numbers = [f for f, _, _ in facts]
        self._carry_over(facts)
        out = numbers + self._lists()
        out.sort(key=lambda f: (f.span[0], f.span[1]))
        for f in out:
            f.period = self._period(f)
        return out

    def _at(self, i: int):
        """A fact starting at token i, or None. (run() calls it only for tokens that pass its first tests.)"""
        t = self.toks[i]
        if t.kind == "cur" or (t.kind == "word" and t.text in self.u.symbols) \
                or (t.kind == "word" and t.text in self.u.codes):
            code, j = self._prefix(i)
            if code and j < len(self.toks) and self.toks[j].kind == "num" and self._near(j - 1, j):
                return self._quantity(i, j, code)
            return None
        if t.kind == "num":
            if self._tok(i + 1) and self._attached(i + 1) and self.toks[i + 1].low in self.u.ordinal_suffixes:
                return self._ordinal(i, float(t.text.replace(",", "")) if "." not in t.text else None, i + 2)
            return self._quantity(i, i, None)
        if t.kind == "word":
            if t.low not in self.u.word_starts:  # most words open no number: skip them cheaply
                return None
            ordinal = self._ordinal_word(i)
            if ordinal:
                return self._ordinal(i, *ordinal)
            vague = self._match(i, self.u.vague, 3)
            if vague:
                return self._vague(i, float(vague[0]), vague[1])
            if t.low in self.u.units or t.low in self.u.tens or t.low in ("a", "an", "half"):
                return self._quantity(i, i, None)
        return None

    def _prefix(self, i: int) -> tuple[str | None, int]:
        """A currency written before the number: symbol, ISO code or "Rs."; (code, next token)."""
        t = self.toks[i]
        written = t.text
        j = i + 1
        if t.kind == "word" and self._tok(j) and self.toks[j].text == "." and self._attached(j) \
                and written + "." in self.u.symbols:
            written, j = written + ".", j + 1
        code = self.u.symbols.get(written) or self.u.codes.get(written)
        if code is None:
            return None, j
        if t.kind == "word" and t.text in self.u.symbols and self._attached(i) \
                and self.toks[i - 1].kind in ("word", "num"):
            return None, j
        return self._context(written, code, i), j

    def _context(self, written: str, code: str, k: int) -> str:
        """An ambiguous currency takes the code its sentence (else the article) points to."""
        s, e = self.sentences[self.sent_of_tok[k]] if self.sentences else (0, len(self.text))
        for scope in (self.lower[s:e], self.lower):
            for names, other, words in self.u.context:
                if written in names and any(re.search(rf"\b{re.escape(w)}\b", scope) for w in words):
                    return other
        return code

    # -- numbers ----------------------------------------------------------------------------

    def _number(self, i: int) -> tuple[float, int, bool] | None:
        """A number at token i: (value, next token, spelled out)."""
        t = self.toks[i]
        if t.kind == "num":
            return float(t.text.replace(",", "")), i + 1, False
        u = self.u
        if t.low == "half":
            if self._low(i + 1) in ("a", "an") and self._low(i + 2) in u.scales and self._near(i, i + 1) \
                    and self._near(i + 1, i + 2):
                return 0.5, i + 2, True
            return None
        if t.low in ("a", "an"):
            nxt = self._low(i + 1)
            if not (nxt in u.multipliers or nxt in u.scales) or not self._near(i, i + 1):
                return None
            value, k = 1.0, i + 1
        else:
            small = self._small(i)
            if small is None:
                return None
            value, k = small
        if self._low(k) == "hundred" and self._near(k - 1, k):
            value *= 100
            k += 1
            rest = None
            if self._low(k) == "and" and self._near(k - 1, k) and self._near(k, k + 1):
                rest = self._small(k + 1)
            elif self._near(k - 1, k):
                rest = self._small(k)
            if rest and rest[0] < 100:
                value += rest[0]
                k = rest[1]
        if self._low(k) == "dozen" and self._near(k - 1, k):
            value *= 12
            k += 1
        return value, k, True

    def _small(self, k: int) -> tuple[float, int] | None:
        """A spelled-out number below one hundred ("nine", "twenty-five")."""
        low = self._low(k)
        if low in self.u.units:
            return float(self.u.units[low]), k + 1
        if low in self.u.tens:
            value = float(self.u.tens[low])
            if self._low(k + 1) == "-" and self._attached(k + 1) and self._attached(k + 2) \
                    and 1 <= self.u.units.get(self._low(k + 2), 0) <= 9:
                return value + self.u.units[self._low(k + 2)], k + 3
            return value, k + 1
        return None

    def _scale(self, k: int, code: str | None) -> tuple[float, int]:
        """A scale word after a number ("billion", "bn", glued "m" after a currency symbol)."""
        t = self._tok(k)
        if t is None:
            return 1.0, k
        if t.kind == "word" and t.low in self.u.scales and (self._near(k - 1, k)):
            return self.u.scales[t.low], k + 1
        if t.kind == "word" and t.low in self.u.short_scales and code and self._attached(k):
            return self.u.short_scales[t.low], k + 1
        if code and t.text == "-" and self._attached(k) and self._attached(k + 1) \
                and self._low(k + 1) in self.u.scales:
            return self.u.scales[self._low(k + 1)], k + 2
        return 1.0, k

    def _quantity(self, start: int, i: int, code: str | None):
        u = self.u
        parsed = self._number(i)
        if parsed is None:
            return None
        value, k, spelled = parsed
        first_tok = self.toks[i]
        if not spelled and len(first_tok.text) > 1 and first_tok.text[0] == "0" and first_tok.text[1] != ".":
            return None  # "000", "09": the tail of a number broken by a space, or a code
        if self._blocked(first_tok.start, self.toks[k - 1].end):
            return None
        strong = self._low(k) in u.scales or bool(self._match(k, u.currency_words, 4)) \
            or bool(self._match(k, u.percent, 2)) or (self._tok(k) is not None and self.toks[k].text in u.codes)
        if not self._left_ok(start, i, spelled, code or ("amount" if strong else None)):
            return None
        raw = value
        scale, k = self._scale(k, code)
        after_number = k
        if spelled and raw == 1 and scale == 1 and self.toks[i].low == "one":
            return None
        # a range: "120-150", "$2-3 billion", "between 120 and 150", "2 to 3 million"
        until = None
        span_start = start
        between = self._low(start - 1) == "between" and self._same_sentence(start - 1, start)
        if between:
            span_start = start - 1
        sep = self._tok(k)
        if sep is not None and ((sep.text in "-–—" and len(sep.text) == 1) or (sep.low == "to" and self._low(start - 1)
                                != "from") or (between and sep.low == "and")) and self._near(k - 1, k):
            j = k + 1
            code2 = None
            if self._tok(j) and (self.toks[j].kind == "cur" or self.toks[j].text in u.codes):
                code2, j = self._prefix(j)
            nxt = self._tok(j)
            if nxt is not None and self._near(j - 1, j) and (nxt.kind == "num" or (spelled and nxt.kind == "word")) \
                    and (code2 is None or code2 == code):
                second = self._number(j)
                if second:
                    scale2, k2 = self._scale(second[1], code)
                    low_value = value * (scale if scale != 1 else scale2)
                    high = second[0] * scale2
                    if high > low_value and not self._blocked(self.toks[j].start, self.toks[second[1] - 1].end):
                        until, value, scale, k = high, low_value / (scale if scale != 1 else scale2), \
                            (scale if scale != 1 else scale2), k2
        if between and until is None:
            span_start = start
        value *= scale
        # what the number is glued to
        if not spelled and self._attached(i + 1):
            nxt = self.toks[i + 1]
            if nxt.kind == "word" and not (scale != 1 and after_number >= i + 2) \
                    and (nxt.low,) not in u.percent and (nxt.low,) not in u.measures:
                return None  # "5G", "1990s", "10am", "737MAX"
            if nxt.text in ".,:/" and self._attached(i + 2) and self.toks[i + 2].kind == "num":
                return None  # "1.2.3", "10:30", "24/7", "2,5"
        # time of day
        if self._match(k, u.of_day, 2) and self._near(k - 1, k):
            return None
        unit, unit_kind, end = "", "", k
        qualifier_after = None
        # "20-odd", "20-plus", "20 or more", "20+"
        qa = self._after_qualifier(k)
        if qa:
            qualifier_after, k = qa
            end = k
        money = None
        if code is None:
            hit = self._match(k, u.currency_words, 4)
            if hit and self._near(k - 1, k):
                words = tuple(t.low for t in self.toks[k:hit[1]])
                if not (len(words) == 1 and words[0] in u.weak and scale == 1 and value < 1000):
                    written = self.toks[k].low if hit[1] == k + 1 else ""
                    money = self._context(written, str(hit[0]), k)
                    end = k = hit[1]
            elif self._tok(k) and self.toks[k].text in u.codes and self._near(k - 1, k):
                money = u.codes[self.toks[k].text]
                end = k = k + 1
        else:
            money = code
            hit = self._match(k, u.currency_words, 4)  # "$5 billion dollars": swallow the repeat
            if hit and self._near(k - 1, k) and u.currency_words[tuple(t.low for t in self.toks[k:hit[1]])] == code:
                end = k = hit[1]
        noun = None
        if money:
            unit, unit_kind = money, "money"
        else:
            pct = self._match(k, u.percent, 2)
            if pct and (self._near(k - 1, k)):
                unit, unit_kind, end = str(pct[0]), "percent", pct[1]
                k = end
            else:
                measure = self._match(k, u.measures, 3)
                if measure and self._near(k - 1, k):
                    (unit, factor), end = measure[0], measure[1]
                    value *= factor
                    until = until * factor if until is not None else None
                    unit_kind = "measure"
                    k = end
        if not unit_kind:
            # compound modifiers: "20-year", "three-day", "billion-dollar"
            if self._low(k) == "-" and self._attached(k) and self._tok(k + 1) and self._attached(k + 1) \
                    and self.toks[k + 1].kind == "word":
                return None
            found = self._counted(k)
            if found is None:
                return None
            noun_at, noun_end, noun = found
            unit, unit_kind, end = noun, "count", noun_end
            if noun == "times" and self._low(noun_end) in u.times_multiplier:
                return None
            if noun in u.time_units and (self._low(noun_end) in u.time_after
                                         or self._low(start - 1) in u.time_before):
                return None
            if self._blocked(self.toks[noun_at].start, self.toks[noun_at].end):
                return None
        # the qualifier written before
        q_start = span_start
        qualifier = "exact"
        if until is None:
            qb = self._match_back(span_start, u.q_before, 4)
            if qb and self._same_sentence(qb[1], span_start) and all(
                    self._loose(j) for j in range(qb[1] + 1, span_start + 1)):
                qualifier, q_start = str(qb[0]), qb[1]
            if qualifier == "exact" and qualifier_after:
                qualifier = qualifier_after
        # after the unit: "$5 billion or more"
        if qualifier == "exact" and until is None:
            qa = self._after_qualifier(end)
            if qa:
                qualifier, end = qa[0], qa[1]
        # years: a bare 1900–2099 is a year unless something makes it a quantity
        if not spelled and "," not in first_tok.text and "." not in first_tok.text and 1900 <= raw <= 2099 \
                and scale == 1 and unit_kind == "count" and q_start == span_start and code is None:
            return None
        if not math.isfinite(value):
            return None
        span = [self.toks[q_start].start, self.toks[end - 1].end]
        fact = Fact(what="", value=value, unit=unit, qualifier=qualifier, period=None,
                    text=self.text[span[0]:span[1]], span=span, sentence=self.sent_of_tok[i],
                    until=until, rule=unit_kind)
        fact.what = self._what(fact, q_start, i, end, unit_kind, noun)
        return fact, q_start, end

    def _after_qualifier(self, k: int) -> tuple[str, int] | None:
        t = self._tok(k)
        if t is None:
            return None
        if t.text == "-" and self._attached(k) and self._attached(k + 1) and (self._low(k + 1),) in self.u.q_after:
            return str(self.u.q_after[(self._low(k + 1),)]), k + 2  # "20-odd", "30-plus"
        if t.text == "+" and self._attached(k) and ("+",) in self.u.q_after:
            return str(self.u.q_after[("+",)]), k + 1
        hit = self._match(k, self.u.q_after, 2)
        if hit and hit[1] - k >= 1 and self._near(k - 1, k) and self.toks[k].kind == "word":
            return str(hit[0]), hit[1]
        return None

    def _left_ok(self, start: int, i: int, spelled: bool, code: str | None) -> bool:
        """The words before a number do not make it a name, a label or a known set. `code` is set when
        the number is money or a percentage, which a name ("Boeing 737") never is."""
        u = self.u
        t = self.toks[i]
        prev = self._tok(start - 1) if start > 0 else None
        if prev is not None and not self._same_sentence(start - 1, start):
            prev = None
        if prev is not None and self._attached(start) and (code is None or start == i) \
                and (prev.kind in ("word", "num", "abbr") or prev.text in "-–—/#+@.:,_'’&*\\^~=<>|"):
            return False  # "G20", "Su-57", "COVID-19", "#1", "+7"
        if prev is not None and prev.low in u.labels:
            return False
        if prev is not None and prev.text == "." and self._low(start - 2) in u.labels:
            return False
        if code is None and prev is not None and prev.kind == "word" and prev.text[:1].isupper() \
                and prev.low not in u.capital_ok and (prev.low,) not in u.q_before \
                and not prev.low.endswith(("'s", "s'")) and not prev.text.isupper():
            return False  # "Boeing 737", "World War Two", "Summit 2025"
        if code is None and prev is not None and prev.kind == "word" and prev.text.isupper() \
                and len(prev.text) > 1 and prev.text not in u.codes and not self._initial(start - 1):
            return False  # "SCO 2025", "EU 27"
        if spelled:
            if t.text[:1].isupper() and not self._initial(i) and prev is not None \
                    and (prev.low,) not in u.q_before and prev.low != "between":
                return False  # "Group of Seven", "the Big Three"
            if prev is not None and prev.low in u.definite:
                return False  # "the two sides", "all three countries"
        return True

    def _counted(self, k: int) -> tuple[int, int, str] | None:
        """The counted noun after a number: the first plural noun within four words."""
        u = self.u
        j = k
        steps = 0
        while j < len(self.toks) and steps < 6:
            t = self.toks[j]
            if j > k and not self._loose(j):
                return None
            if j == k and j > 0 and not self._near(j - 1, j):
                return None
            if t.kind == "punct":
                if t.text == "-" and self._attached(j) and self._attached(j + 1):
                    j += 1
                    continue
                return None
            if t.kind in ("num", "cur"):
                return None
            if t.low in u.count_stop or (j == k and t.low in ("and", "or")):
                return None
            if self._attached(j + 1) and self.toks[j + 1].text == "-" and self._attached(j + 2):
                # a hyphenated compound ("people-to-people") modifies the noun after it
                while self._attached(j + 1):
                    j += 1
                j += 1
                steps += 1
                continue
            if self._plural(t.text, self._initial(j)):
                return j, j + 1, t.low
            j += 1
            steps += 1
        return None

    def _plural(self, word: str, initial: bool = False) -> bool:
        """Whether a word is a plural noun (as far as spelling tells)."""
        u = self.u
        if not word or not word[0].isalpha():
            return False
        low = word.lower().replace("’", "'")
        if low in u.irregular:
            return word[:1].islower() or initial
        if low in u.not_plural or low in u.count_stop:
            return False
        if len(word) >= 3 and word[:-1].isupper() and word.endswith("s"):
            return True  # "MoUs", "UAVs"
        if len(low) < 4 or not low.endswith("s") or low.endswith(("ss", "us", "is", "'s")):
            return False
        if word[:1].isupper():
            return low.endswith("ans") and not initial  # "20 Americans"
        return True

    def _ordinal_word(self, i: int) -> tuple[float, int] | None:
        t = self.toks[i]
        if t.low in self.u.ordinals:
            return float(self.u.ordinals[t.low]), i + 1
        if t.low in self.u.tens and self._low(i + 1) == "-" and self._attached(i + 1) and self._attached(i + 2):
            unit = self.u.ordinals.get(self._low(i + 2))
            if unit and unit < 10:
                return float(self.u.tens[t.low] + unit), i + 3
        return None

    def _ordinal(self, i: int, value: float | None, k: int):
        """ "Putin's 25th visit", "the third meeting": an ordinal before an event noun counts events."""
        if value is None or value <= 0:
            return None
        t = self.toks[i]
        if self._blocked(t.start, self.toks[k - 1].end):
            return None
        prev = self._tok(i - 1)
        if prev is not None and self._same_sentence(i - 1, i):
            if self._attached(i) and (prev.kind in ("word", "num") or prev.text in "-–/#"):
                return None
            if prev.kind == "word" and prev.text[:1].isupper() and not prev.low.endswith(("'s", "s'")) \
                    and prev.low not in self.u.capital_ok and not self._initial(i - 1):
                return None
        if t.kind == "word" and t.text[:1].isupper() and not self._initial(i):
            return None  # "Second World War", "First Lady"
        j = k
        for _ in range(4):
            if j >= len(self.toks) or not self._loose(j):
                return None
            hit = self._match(j, self.u.ordinal_nouns, 3)
            if hit:
                noun_end = hit[1]
                # "the 25th meeting" but not "the 25th meeting room"
                if self._low(noun_end) in self.u.ordinal_compounds or (
                        self._low(noun_end) == "-" and self._attached(noun_end)):
                    return None
                unit = str(hit[0])
                span = [t.start, self.toks[noun_end - 1].end]
                singular = " ".join(x.low for x in self.toks[j:noun_end] if x.kind == "word")
                fact = Fact(what=f"{singular} number", value=value, unit=unit, qualifier="exact", period=None,
                            text=self.text[span[0]:span[1]], span=span, sentence=self.sent_of_tok[i], rule="ordinal")
                return fact, i, noun_end
            tok = self.toks[j]
            if tok.kind == "word" and not tok.text[:1].isupper() and tok.low not in self.u.count_stop:
                j += 1
                continue
            if tok.text == "-" and self._attached(j) and self._attached(j + 1):
                j += 1
                continue
            return None
        return None

    def _vague(self, i: int, value: float, k: int):
        """ "tens of thousands of protesters", "billions of dollars": a lower bound."""
        t = self.toks[i]
        if self._blocked(t.start, self.toks[k - 1].end) or self._low(k) != "of":
            return None
        prev = self._tok(i - 1)
        if prev is not None and self._same_sentence(i - 1, i) and self._attached(i) and prev.kind in ("word", "num"):
            return None
        if t.text[:1].isupper() and not self._initial(i):
            return None
        k += 1
        hit = self._match(k, self.u.currency_words, 4)
        noun = None
        if hit and self._near(k - 1, k):
            unit, end, kind = self._context(self.toks[k].text, str(hit[0]), k), hit[1], "money"
        else:
            found = self._counted(k)
            if found is None:
                return None
            _, end, noun = found
            unit, kind = noun, "count"
        span = [t.start, self.toks[end - 1].end]
        fact = Fact(what="", value=value, unit=unit, qualifier="more than", period=None,
                    text=self.text[span[0]:span[1]], span=span, sentence=self.sent_of_tok[i], rule="vague")
        fact.what = self._what(fact, i, i, end, kind, noun)
        return fact, i, end

    # -- what a number measures ---------------------------------------------------------------

    def _what(self, fact: Fact, q_start: int, num_at: int, end: int, kind: str, noun: str | None) -> str:
        u = self.u
        if kind == "count" and noun:
            group = u.groups.get(noun, noun)
            if noun == "times":
                verb = self._times_verb(q_start)
                return f"count of {verb}" if verb else "count of times"
            if group in u.verbless:
                return f"count of {group}"
            participle = self._count_verb(q_start, end)
            return f"count of {group}" + (f" {participle}" if participle else "")
        phrase = self._subject(q_start) or self._object_after(end)
        if phrase:
            return phrase
        return {"money": "amount", "percent": "percentage", "measure": "quantity"}.get(kind, "number")

    def _times_verb(self, k: int) -> str | None:
        s = self.sent_of_tok[k] if k < len(self.toks) else None
        j = k - 1
        while j >= 0 and self.sent_of_tok[j] == s:
            verb = self.u.times_verbs.get(self.toks[j].low)
            if verb:
                return verb
            j -= 1
        return None

    def _count_verb(self, q_start: int, end: int) -> str | None:
        u = self.u
        s = self.sent_of_tok[q_start]
        j = q_start - 1
        for _ in range(4):
            if j < 0 or self.sent_of_tok[j] != s or self.toks[j].kind == "punct":
                break
            if self.toks[j].low in u.count_verbs:
                return u.count_verbs[self.toks[j].low]
            j -= 1
        j = end
        for _ in range(4):
            if j >= len(self.toks) or self.sent_of_tok[j] != s or self.toks[j].kind == "punct":
                break
            low = self.toks[j].low
            if low in u.count_verbs:
                return u.count_verbs[low]
            if low not in ("were", "was", "have", "had", "has", "been", "are", "being", "reportedly", "also"):
                break
            j += 1
        return None

    def _subject(self, q_start: int) -> str | None:
        """The subject before a verb ("bilateral trade rose to …") or a linking word ("a deal worth …")."""
        u = self.u
        if q_start <= 0:
            return None
        s = self.sent_of_tok[q_start]
        k = q_start - 1
        first = self.toks[q_start]
        if first.low in u.q_verbs:
            return self._phrase_before(q_start, s)
        link = self._match_back(q_start, u.links_before, 2)
        steps = 0
        while k >= 0 and self.sent_of_tok[k] == s and steps < 8 and self.toks[k].low not in u.what_verbs \
                and (self.toks[k].low in u.fillers or self._skippable(k)):
            k -= 1
            steps += 1
        if k < 0 or self.sent_of_tok[k] != s:
            return None
        if self.toks[k].low in u.what_verbs:
            k -= 1
            while k >= 0 and self.sent_of_tok[k] == s and self.toks[k].low in u.auxiliaries:
                k -= 1
            return self._phrase_before(k + 1, s)
        if link and self.sent_of_tok[link[1]] == s:
            return self._phrase_before(link[1], s)
        return None

    def _skippable(self, k: int) -> bool:
        """Between a verb and its amount: a change in percent ("rose 5 percent year on year to")."""
        t = self.toks[k]
        return t.kind in ("num", "cur") or (t.low,) in self.u.percent or t.low in self.u.period_words \
            or t.low in self.u.scales or t.low in self.u.short_scales

    def _phrase_before(self, k: int, s: int) -> str | None:
        """The noun phrase that ends right before token k (read backwards to a boundary)."""
        u = self.u
        words: list[int] = []
        j = k - 1
        while j >= 0 and self.sent_of_tok[j] == s and len(words) < u.max_words:
            t = self.toks[j]
            if self._blocked(t.start, t.end):
                if words:
                    break
                while j >= 0 and self._blocked(self.toks[j].start, self.toks[j].end):
                    j -= 1
                if j >= 0 and self.toks[j].low in ("in", "during", "for", "since", "by", "through", "of"):
                    j -= 1
                continue
            if t.kind == "punct" and t.text not in "'’-&":
                if t.text == "," and not words and j == k - 1:
                    j -= 1  # "The deal, valued at …"
                    continue
                break
            if t.kind in ("num", "cur") or t.low in u.boundaries or t.low in u.what_verbs:
                break
            words.append(j)
            j -= 1
        words.reverse()
        while words and self.toks[words[-1]].low.endswith("ly") and self.toks[words[-1]].text.islower():
            words.pop()  # adverbs before the verb: "almost certainly exceeding"
        while words and (self.toks[words[0]].low in u.determiners or self.toks[words[0]].kind == "punct"
                         or self.toks[words[0]].low in ("of", "in", "to", "for", "on", "at", "from", "by")):
            words.pop(0)
        while words and self.toks[words[-1]].kind == "punct":
            words.pop()
        if not words or (len(words) == 1 and len(self.toks[words[0]].text) < 2):
            return None
        phrase = self.text[self.toks[words[0]].start:self.toks[words[-1]].end]
        return self._decapitalise(phrase, words[0])

    def _object_after(self, end: int) -> str | None:
        """ "$5 billion in loans", "$2 billion worth of goods"."""
        u = self.u
        hit = self._match(end, u.links_after, 2)
        if not hit or not self._near(end - 1, end):
            return None
        s = self.sent_of_tok[end - 1]
        words: list[int] = []
        j = hit[1]
        while j < len(self.toks) and self.sent_of_tok[j] == s and len(words) < 4:
            t = self.toks[j]
            if t.kind != "word" or t.low in u.count_stop or self._blocked(t.start, t.end) or t.low in u.boundaries:
                break
            words.append(j)
            j += 1
        while words and self.toks[words[0]].low in u.determiners:
            words.pop(0)
        if not words:
            return None
        return self.text[self.toks[words[0]].start:self.toks[words[-1]].end]

    def _decapitalise(self, phrase: str, k: int) -> str:
        """A capital that only opens the sentence goes ("Exports rose" → "exports"); names stay."""
        t = self.toks[k]
        if not (self._initial(k) and t.text[:1].isupper() and not t.text.isupper() and "'" not in t.low):
            return phrase
        low = t.text[:1].lower() + t.text[1:]
        if not re.search(rf"(?<![\w]){re.escape(low)}(?![\w])", self.text):
            if t.low.endswith(self.u.proper_endings):
                return phrase
            for j, other in enumerate(self.toks):
                if other.text == t.text and j != k and not self._initial(j):
                    return phrase  # written with a capital inside a sentence too: a name
        return low + phrase[len(t.text):]

    def _carry_over(self, facts: list[tuple[Fact, int, int]]) -> None:
        """ "65 billion yuan (about 9.1 billion U.S. dollars)": the conversion is the same fact."""
        for (a, _, _), (b, _, _) in itertools.pairwise(facts):
            between = self.text[a.span[1]:b.span[0]]
            if re.fullmatch(r"\s*[(\[]\s*(?:or\s+|about\s+|around\s+|roughly\s+|approximately\s+)?", between) \
                    and a.rule == b.rule == "money" and b.what in ("amount",):
                b.what = a.what

    # -- periods ----------------------------------------------------------------------------

    def _period(self, fact: Fact) -> str | None:
        if not self.sentences or fact.sentence >= len(self.sentences):
            return None
        s, e = self.sentences[fact.sentence]
        best, best_rank = None, None
        for t in self.times:
            if t.start < s or t.end > e or t.date is None:
                continue
            if t.start < fact.span[1] and fact.span[0] < t.end:
                continue
            distance = min(abs(t.start - fact.span[1]), abs(fact.span[0] - t.end))
            rank = (0 if t.precision in ("year", "month") else 1, distance)
            if best_rank is None or rank < best_rank:
                best, best_rank = t, rank
        if best is None:
            return None
        return f"{best.date}/{best.until}" if best.until else best.date

    # -- lists ------------------------------------------------------------------------------

    def _lists(self) -> list[Fact]:
        u = self.u
        out: list[Fact] = []
        if not u.list_triggers:
            return out
        trigger = u.list_cue
        lower = lowered(self.text)
        holding = self._holding_cue_words(lower) if lower is not None else None
        for si, (s, e) in enumerate(self.sentences):
            if holding is not None and si not in holding:
                continue  # most sentences hold no cue: skip them before the case-insensitive pattern
            sentence = self.text[s:e]
            for m in trigger.finditer(sentence):
                fact = self._list_at(si, s, sentence, m)
                if fact is not None:
                    out.append(fact)
        return out

    def _holding_cue_words(self, lower: str) -> set[int]:
        """Numbers of the sentences whose lowered text holds a list cue's longest word."""
        found: set[int] = set()
        for word in self.u.list_cue_words:
            at = lower.find(word)
            while at >= 0:
                # sorted sentences that do not overlap: only the last one starting before it can hold it
                for si in (self._sentence_of(at),) if self._in_order else range(len(self.sentences)):
                    s, e = self.sentences[si]
                    if s <= at and at + len(word) <= e:
                        found.add(si)
                at = lower.find(word, at + 1)
        return found

    def _list_at(self, si: int, s: int, sentence: str, m: re.Match) -> Fact | None:
        u = self.u
        region_start = m.end()
        ranging = m.group().lower().startswith("ranging")
        scope = u.list_scope.match(sentence, region_start)
        if scope:
            written = scope.group().rstrip()
            if not (scope.group(1) or written.endswith(("–", "—", ":", "-"))):
                return None  # "covering many areas such as …": the later cue reads the items
            region_start = scope.end()
            ranging = ranging or bool(scope.group(1))
        tail = sentence[region_start:]
        stop = re.search(r"[;:()\[\]\"“”«»—]|\s[–-]\s|[.!?](?=\s|$)|\n", tail)
        region = tail[:stop.start()] if stop else tail
        # (start, end, ends a group) relative to the sentence: "ranging from A and B to C and D"
        # has two groups, each closed by its own "and"
        pieces: list[tuple[int, int, bool]] = []
        separator = re.compile(r",|\s+to\s+") if ranging else re.compile(r",")
        pos = 0
        for sep in separator.finditer(region):
            pieces.append((region_start + pos, region_start + sep.start(), sep.group() != ","))
            pos = sep.end()
        pieces.append((region_start + pos, region_start + len(region), True))
        conj = "|".join(re.escape(c) for c in u.conjunctions)
        lead = re.compile(rf"^\s*(?:{conj})\s+", re.IGNORECASE)
        inner = re.compile(rf"\s+(?:{conj})\s+", re.IGNORECASE)
        items: list[tuple[int, int]] = []
        for n, (a, b, closes) in enumerate(pieces):
            piece = sentence[a:b]
            cut = self._stop_word(piece)
            if cut is not None:
                piece = piece[:cut]
                b = a + cut
            lead_m = lead.match(piece)
            if lead_m:
                a += lead_m.end()
                if not self._item_ok(sentence[a:b]):
                    break
                items.append((a, b))
                if cut is not None or n + 1 == len(pieces) or not closes:
                    break
                continue
            if not piece.strip():
                break
            later = pieces[n + 1] if n + 1 < len(pieces) else None
            continues = later is not None and cut is None and self._continues(sentence[later[0]:later[1]])
            joins = list(inner.finditer(piece))
            if joins and (not continues or closes):
                last = joins[-1]
                left, right = (a, a + last.start()), (a + last.end(), b)
                if not (self._item_ok(sentence[left[0]:left[1]]) and self._item_ok(sentence[right[0]:right[1]])):
                    break
                items += [left, right]
                if not (continues and closes):
                    break
                continue
            if not self._item_ok(piece):
                break
            items.append((a, b))
            if cut is not None or not continues:
                break
        normalised = [self._normalise_item(sentence[a:b]) for a, b in items]
        kept = [(span, item) for span, item in zip(items, normalised) if item]
        if len(kept) < u.min_items:
            return None
        first = kept[0][0][0]
        first += len(sentence[first:]) - len(sentence[first:].lstrip())
        last = kept[-1][0][1]
        last -= len(sentence[:last]) - len(sentence[:last].rstrip())
        span = [s + first, s + last]
        if span[1] <= span[0]:
            return None
        return Fact(what=self._list_what(sentence, m), value=None, unit="", qualifier="exact", period=None,
                    text=self.text[span[0]:span[1]], span=span, sentence=si, kind="list",
                    items=[item for _, item in kept], rule="list")

    def _stop_word(self, piece: str) -> int | None:
        for w in re.finditer(r"[^\W\d_]+(?:['’][^\W\d_]+)*", piece):
            if w.group().lower() in self.u.list_stop:
                return w.start()
        return None

    def _continues(self, piece: str) -> bool:
        """Whether the piece after a comma still looks like an item of the list."""
        if self._stop_word(piece) is not None:
            return False
        words = piece.split()
        return 0 < len(words) <= self.u.max_item_words + 1

    def _item_ok(self, piece: str) -> bool:
        words = piece.split()
        return 0 < len(words) <= self.u.max_item_words and any(ch.isalpha() for ch in piece)

    def _normalise_item(self, piece: str) -> str:
        item = " ".join(piece.replace("’", "'").split()).lower().strip(" .,'\"“”‘’")
        conj = "|".join(re.escape(c) for c in self.u.conjunctions)
        item = re.sub(rf"^(?:{conj})\s+", "", item)
        changed = True
        while changed and item:
            changed = False
            for trailer in self.u.trailers:
                if item.endswith(" " + trailer):
                    item = item[: -len(trailer) - 1].rstrip(" ,")
                    changed = True
        item = re.sub(r"^(?:the)\s+", "", item)
        return item.strip()

    def _list_what(self, sentence: str, m: re.Match) -> str:
        u = self.u
        before = sentence[:m.start()].rstrip(" ,")
        words = re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*", before)
        trigger = m.group().lower().split()
        if words:
            last = words[-1].lower().replace("’", "'")
            if last in u.scope_nouns:
                # "the deals cover many areas such as …": the noun before the scope phrase decides
                passing = {w for phrase in u.scope_openers + u.list_triggers for w in phrase.lower().split()}
                for word in reversed(words[-6:-1]):
                    low = word.lower().replace("’", "'")
                    if low not in passing:
                        last = low if u.groups.get(low) in u.sector_groups else last
                        break
            if u.groups.get(last) in u.sector_groups:
                return "sectors of the agreements"
            if self._plural(words[-1]):
                return last
        nouns = [w for w in trigger if w in u.scope_nouns]
        if nouns:
            return nouns[0]
        return "items"
