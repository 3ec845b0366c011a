"""The "clean" stage: separate the body from what is not body, and learn metadata from it.

Titles, date stamps, bylines, captions, datelines, signatures, comment widgets, related-article
blocks and share prompts are taken out of the body and kept in `Article.removed`; what they say
(outlet, title, publication date, dateline place) fills metadata that is not already known.
Character offsets of every later stage refer to the cleaned `Article.text`.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import lru_cache

from .dates import infer_year, iso, parse_date
from .outlets import OutletTable, default_outlets
from .records import Article, Dateline, Removed
from .wordlists import load

_CLOSERS = "\"'”’»)]"
_TERMINAL = ".!?:;,"
_STAMP = re.compile(r"^date\s+((?:19|20)\d\d-\d\d-\d\d)\b[ \t]*(.*)$", re.IGNORECASE)
_SIGNATURE = re.compile(r"\s+[-–—]+\s*([A-Z][A-Z0-9 .&'’-]{1,60}[A-Z.])\s*$")
_INITIALS = re.compile(r"(?<=[.!?\"'”’)])\s+([A-Z]{2,6})\s*$")
_CREDIT = re.compile(
    r"\(\s*(?:(?:photo(?:graph)?s?|image|picture|pic|file photo|credit|courtesy|screenshot|video|illustration)\b[^()]*"
    r"|[A-Za-z][^()/]{0,60}/\s*[A-Z][^()]{0,60})\)\s*$",
    re.IGNORECASE,
)
_CAPTION_LINE = re.compile(r"^(?:photo|image|file photo|picture)(?: credit)?\s*[:/].{0,120}$", re.IGNORECASE)
_UPPER_PLACE = r"[A-Z][A-Z.'’-]+(?:[ /][A-Z][A-Z.'’-]+){0,3}"
_TITLE_PLACE = r"[A-Z][a-z.'’-]+(?:[ /][A-Z][a-z.'’-]+){0,2}"
_DATELINE_TAIL = (
    r"(?:,\s*(?P<region>[A-Z][A-Za-z.]+(?: [A-Z][a-z.]+)?)(?=,))?"
    r"(?:,\s*(?P<date>[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*(?:19|20)\d\d)?|\d{1,2}\s+[A-Z][a-z]{2,8}\.?(?:\s+(?:19|20)\d\d)?))?"
    r"\s*(?:\((?P<agency>[^()]{2,40})\))?\s*"
)
# An upper-case place may stand alone before the separator ("BEIJING:"); a mixed-case place needs a
# date or an agency, and a dash, to be told apart from an ordinary sentence ("Beijing: the talks").
_DATELINES = (
    re.compile(rf"^(?P<place>{_UPPER_PLACE}){_DATELINE_TAIL}(?P<sep>--|—|–|-|:)\s+(?=\S)"),
    re.compile(rf"^(?P<place>{_TITLE_PLACE})(?=,\s*[A-Z][a-z]{{2,8}}\.?\s+\d|,\s*\d{{1,2}}\s+[A-Z][a-z]|\s*\(){_DATELINE_TAIL}(?P<sep>--|—|–|-)\s+(?=\S)"),
)
_EN_WORDS = frozenset(["the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "with", "was", "as", "by", "said", "has", "have", "at", "from"])


@dataclass(frozen=True)
class Boilerplate:
    comments: tuple[re.Pattern, ...]
    related: tuple[re.Pattern, ...]
    boilerplate: tuple[re.Pattern, ...]
    byline: tuple[re.Pattern, ...]

    @classmethod
    def from_dict(cls, data: dict[str, list[str]]) -> Boilerplate:
        def compile_all(key: str, flags: int) -> tuple[re.Pattern, ...]:
            return tuple(re.compile(p, flags) for p in data.get(key, ()))

        return cls(compile_all("comments", re.IGNORECASE), compile_all("related", re.IGNORECASE),
                   compile_all("boilerplate", re.IGNORECASE), compile_all("byline", 0))

    def merged(self, data: dict[str, list[str]]) -> Boilerplate:
        extra = Boilerplate.from_dict(data)
        return Boilerplate(*(a + b for a, b in zip(dataclasses.astuple(self), dataclasses.astuple(extra))))


def _matches(patterns: tuple[re.Pattern, ...], line: str) -> bool:
    return any(p.fullmatch(line) for p in patterns)


@lru_cache(maxsize=1)
def default_boilerplate() -> Boilerplate:
    return Boilerplate.from_dict(load("boilerplate.toml"))


@dataclass
class Cleaner:
    """Configured cleaner; `cleaner(article)` returns a cleaned copy and leaves the input untouched."""

    outlets: OutletTable | None = None
    boilerplate: Boilerplate | None = None

    def __post_init__(self) -> None:
        self.outlets = self.outlets or default_outlets()
        self.boilerplate = self.boilerplate or default_boilerplate()

    def __call__(self, article: Article) -> Article:
        art = dataclasses.replace(article, removed=list(article.removed), provenance=dict(article.provenance))
        lines = _normalise(art.raw)
        lines = self._drop_anywhere(lines, art)
        lines = self._drop_tail_widgets(lines, art)
        lines = self._drop_head(lines, art)
        lines = self._drop_captions(lines, art)
        paragraphs = _paragraphs(lines)
        paragraphs = self._take_dateline(paragraphs, art)
        paragraphs = self._take_signature(paragraphs, art)
        art.text = "\n\n".join(paragraphs)
        self._finish_metadata(art)
        return art

    # -- the parts -------------------------------------------------------------------------------

    def _drop_anywhere(self, lines: list[str], art: Article) -> list[str]:
        kept = []
        for line in lines:
            if line and len(line) < 200 and _matches(self.boilerplate.boilerplate, line):
                art.removed.append(Removed("boilerplate", line))
            else:
                kept.append(line)
        return kept

    def _drop_tail_widgets(self, lines: list[str], art: Article) -> list[str]:
        """From the first widget header (comments, related articles) after which nothing but widget
        text and short lines follows, to the end."""
        cut = None
        for i in range(len(lines) - 1, -1, -1):
            line = lines[i]
            if not line:
                continue
            if _matches(self.boilerplate.comments, line) or _matches(self.boilerplate.related, line):
                cut = i
            elif len(line.split()) > 15 or (cut is None and line[-1] in ".!?" and len(line.split()) > 6):
                break
        if cut is None:
            return lines
        header = lines[cut]
        kind = "comments" if any(
            _matches(self.boilerplate.comments, line) for line in lines[cut:] if line) else "boilerplate"
        if _matches(self.boilerplate.related, header) and kind == "comments":
            # a related block followed by a comment widget: keep both kinds apart
            first_comment = next(j for j in range(cut, len(lines)) if lines[j] and _matches(self.boilerplate.comments, lines[j]))
            art.removed.append(Removed("boilerplate", "\n".join(l for l in lines[cut:first_comment] if l)))
            art.removed.append(Removed("comments", "\n".join(l for l in lines[first_comment:] if l)))
        else:
            art.removed.append(Removed(kind, "\n".join(l for l in lines[cut:] if l)))
        return lines[:cut]

    def _drop_head(self, lines: list[str], art: Article) -> list[str]:
        i, seen_title = 0, False
        while i < len(lines):
            line = lines[i]
            if not line:
                i += 1
                continue
            stamp = _STAMP.match(line)
            if stamp and parse_date(stamp.group(1)):  # "date 2025-13-40" is no date stamp
                art.removed.append(Removed("stamp", line[: stamp.start(2)].strip()))
                art.set("published", stamp.group(1), "stamp")
                if stamp.group(2):
                    lines[i] = line = stamp.group(2).strip()
                else:
                    i += 1
                    continue
            parsed = parse_date(line)
            if parsed and len(line) < 60:
                art.removed.append(Removed("stamp", line))
                if parsed[0]:
                    art.set("published", iso(*parsed), "date-line")
                i += 1
                continue
            if _CAPTION_LINE.match(line) or self._ends_with_credit(line):
                art.removed.append(Removed("caption", line))
                i += 1
                continue
            if len(line) < 120 and _matches(self.boilerplate.byline, line):
                art.removed.append(Removed("byline", line))
                i += 1
                continue
            if not seen_title and self._is_title(line, art, lines[i + 1:]):
                seen_title = True
                art.removed.append(Removed("title", line))
                art.set("title", line, "first-line")
                i += 1
                continue
            break
        return lines[i:]

    def _is_title(self, line: str, art: Article, rest: list[str]) -> bool:
        if art.title and _same_text(line, art.title):
            return True
        if art.title and art.provenance.get("title") not in (None, "first-line"):
            return False  # the title is known from metadata and this line is not it
        if not any(len(r) > 80 for r in rest):
            return False  # nothing body-like follows
        bare = line.rstrip(_CLOSERS + " ")
        return (len(line) <= 200 and len(line.split()) <= 25 and bool(bare) and bare[-1] not in _TERMINAL
                and not any(d.match(line) for d in _DATELINES))

    def _drop_captions(self, lines: list[str], art: Article) -> list[str]:
        kept = []
        for line in lines:
            if line and (_CAPTION_LINE.match(line) or self._ends_with_credit(line)):
                art.removed.append(Removed("caption", line))
            else:
                kept.append(line)
        return kept

    def _ends_with_credit(self, line: str) -> bool:
        if _CREDIT.search(line):
            return True
        m = re.search(r"\(([^()]{2,40})\)\s*$", line)  # "(Reuters)" closing a caption
        return bool(m) and self.outlets.by_name(m.group(1)) is not None and not line.endswith(".")

    def _take_dateline(self, paragraphs: list[str], art: Article) -> list[str]:
        """A dateline opens the first paragraph, or the second or third after a standfirst."""
        for i, paragraph in enumerate(paragraphs[:3]):
            patterns = _DATELINES if i == 0 else _DATELINES[:1]
            m = next((m for d in patterns if (m := d.match(paragraph))), None)
            if m is not None and len(m.group("place").split()) <= 4 and self._use_dateline(m, art):
                rest = paragraph[m.end():]
                return paragraphs[:i] + ([rest] if rest else []) + paragraphs[i + 1:]
        return paragraphs

    def _use_dateline(self, m: re.Match, art: Article) -> bool:
        agency = m.group("agency")
        if agency and not re.search(r"[A-Za-z]", agency):
            return False
        date = None
        if m.group("date"):
            parsed = parse_date(m.group("date"))
            if parsed:
                year = parsed[0] or infer_year(parsed[1], parsed[2], known=art.published, text=art.raw)
                date = iso(year, parsed[1], parsed[2])
        art.dateline = Dateline(place=_place_name(m.group("place")), date=date, agency=agency)
        art.removed.append(Removed("dateline", m.group(0).strip()))
        if agency:
            art.set("outlet", self.outlets.canonical(agency), "dateline")
        if date:
            art.set("published", date, "dateline")
        return True

    def _take_signature(self, paragraphs: list[str], art: Article) -> list[str]:
        if not paragraphs:
            return paragraphs
        last = paragraphs[-1]
        outlet = self.outlets.by_name(last.strip(" -–—"))
        if outlet and len(last) < 80:  # a line of its own: "— Northern Ledger"
            art.removed.append(Removed("signature", last))
            art.set("outlet", outlet.name, "signature")
            return paragraphs[:-1]
        m = _SIGNATURE.search(last)
        if m and (self.outlets.by_name(m.group(1)) or len(m.group(1).split()) >= 2):
            known = self.outlets.by_name(m.group(1))
            art.removed.append(Removed("signature", last[m.start():].strip()))
            art.set("outlet", known.name if known else _place_name(m.group(1)), "signature")
            return paragraphs[:-1] + [last[: m.start()].rstrip()]
        m = _INITIALS.search(last)
        if m:
            known = self.outlets.by_initials(m.group(1))
            art.removed.append(Removed("signature", m.group(1)))
            if known:
                art.set("outlet", known.name, "initials")
            return paragraphs[:-1] + [last[: m.start()].rstrip()]
        return paragraphs

    def _finish_metadata(self, art: Article) -> None:
        if art.published:
            art.published = normalise_date(art.published)
        by_url = self.outlets.by_url(art.url)
        if by_url:
            art.set("outlet", by_url.name, "domain")
        if art.outlet and art.provenance.get("outlet") != "manifest":
            art.outlet = self.outlets.canonical(art.outlet)
        if not art.language:
            art.set("language", guess_language(art.text), "guess")


def clean(article: Article, cleaner: Cleaner | None = None) -> Article:
    return (cleaner or _default_cleaner())(article)


@lru_cache(maxsize=1)
def _default_cleaner() -> Cleaner:
    return Cleaner()


def normalise_date(value: str) -> str:
    """An ISO day for a date or timestamp as written ("2024-10-22T17:40:00+03:00" → "2024-10-22");
    the value unchanged when it is not a recognisable date."""
    parsed = parse_date(value.strip(), whole=False)
    return iso(*parsed) if parsed and parsed[0] else value


def guess_language(text: str) -> str | None:
    words = re.findall(r"[a-z]+", text[:3000].lower())
    if len(words) < 5:
        return None
    share = sum(map(_EN_WORDS.__contains__, words)) / len(words)
    return "en" if share > 0.12 else None


_SPACES = re.compile(r" {2,}")


def _normalise(raw: str) -> list[str]:
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\u2028", "\n")
    raw = raw.replace("\ufeff", "").replace("\t", " ")
    return [_SPACES.sub(" ", line).strip() if "  " in line else line.strip() for line in raw.split("\n")]


def _paragraphs(lines: list[str]) -> list[str]:
    """Each line is a paragraph, unless the text is hard-wrapped (short lines that mostly stop
    mid-sentence): then the lines of each blank-line separated block are joined back together."""
    if not _hard_wrapped(lines):
        return [line for line in lines if line]
    out: list[str] = []
    block: list[str] = []
    for line in lines + [""]:
        if line:
            block.append(line)
            continue
        if block:
            joined = block[0]
            for part in block[1:]:
                joined = joined[:-1] + part if joined.endswith("-") and part[0].islower() else joined + " " + part
            out.append(joined)
            block = []
    return out


def _hard_wrapped(lines: list[str]) -> bool:
    filled = [line for line in lines if line]
    if len(filled) < 4 or max(len(line) for line in filled) > 100:
        return False
    open_ended = sum(1 for line in filled if len(line) > 40 and line.rstrip(_CLOSERS)[-1:] not in ".!?")
    return open_ended > 0.5 * len(filled)


def _place_name(text: str) -> str:
    text = text.split("/")[0].strip()
    return " ".join("-".join(p.capitalize() for p in w.split("-")) if w.isupper() else w for w in text.split())


def _same_text(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return re.sub(r"\W+", " ", s.lower()).strip()

    return norm(a) == norm(b)
