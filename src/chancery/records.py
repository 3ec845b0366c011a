"""Plain records that flow through the pipeline.

Every stage takes and returns these; none of them touches a database or global state, so the same
code runs in one process, a process pool or on a cluster.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field


@dataclass(slots=True)
class Removed:
    """A piece of the raw text that cleaning took out of the body, kept so nothing is lost."""

    kind: str  # caption | signature | comments | stamp | title | dateline | byline | boilerplate
    text: str


@dataclass(slots=True)
class Dateline:
    place: str | None = None
    date: str | None = None  # ISO date, or None when the dateline gave none
    agency: str | None = None


@dataclass(slots=True, frozen=True)
class Actor:
    """Who a mention stands for. `kind` is person, country, organisation, group, pair or place;
    a pair has the two actors it stands for in `members`."""

    name: str
    country: str | None = None
    sector: str | None = None
    kind: str = "person"
    role: str | None = None
    gender: str | None = None
    members: tuple[Actor, ...] = ()

    def to_dict(self) -> dict:
        out = {"name": self.name, "country": self.country, "sector": self.sector, "kind": self.kind}
        if self.role:
            out["role"] = self.role
        if self.gender:
            out["gender"] = self.gender
        if self.members:
            out["members"] = [m.to_dict() for m in self.members]
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Actor:
        return cls(name=data["name"], country=data.get("country"), sector=data.get("sector"),
                   kind=data.get("kind", "person"), role=data.get("role"), gender=data.get("gender"),
                   members=tuple(cls.from_dict(m) for m in data.get("members", ())))


@dataclass(slots=True)
class Mention:
    """A stretch of the cleaned text that names or refers to an actor (or a place), and how it was
    resolved: dictionary, titled-name, appositive, surname, role, counterpart, pronoun, pair, dyad,
    metonym, group or unknown-person."""

    start: int
    end: int
    text: str
    actor: Actor
    how: str
    sentence: int = -1


@dataclass(slots=True)
class TimeExpr:
    """A time expression resolved against the article's date. `date` is ISO (YYYY, YYYY-MM or
    YYYY-MM-DD, as the precision says); `end` is set for ranges; `tense` is that of the clause."""

    start: int
    end: int
    text: str
    date: str | None
    precision: str | None  # day | month | year
    source: str  # explicit | relative
    tense: str = "past"  # past | present | future
    until: str | None = None
    sentence: int = -1


@dataclass(slots=True)
class Article:
    """One news article.

    `raw` is the text as read (HTML already reduced to text); `text` is the cleaned body that all
    later character offsets refer to. `provenance` says where each metadata field came from
    (manifest, html, feed, jsonl, signature, initials, dateline, stamp, domain, first-line, ...).
    """

    id: str
    source: str
    raw: str
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    published: str | None = None
    language: str | None = None
    html: str | None = None
    text: str = ""
    dateline: Dateline | None = None
    removed: list[Removed] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)
    provenance: dict[str, str] = field(default_factory=dict)
    content_hash: str = ""
    mentions: list[Mention] = field(default_factory=list)
    times: list[TimeExpr] = field(default_factory=list)
    events: list = field(default_factory=list)  # chancery.events.Event records
    quotes: list = field(default_factory=list)  # chancery.quotes.Quote records
    facts: list = field(default_factory=list)  # chancery.facts.Fact records
    # a date to resolve relative times against when the article has none of its own: the link
    # stage sets it from the article's story (never a publication date: `published` stays empty)
    anchor: str | None = None

    def __post_init__(self) -> None:
        if not self.content_hash:
            self.content_hash = content_hash(self.html if self.html is not None else self.raw)

    def set(self, name: str, value, origin: str) -> None:
        """Fill a metadata field unless a value is already known; record where it came from."""
        if value and not getattr(self, name):
            setattr(self, name, value)
            self.provenance[name] = origin

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True, frozen=True)
class Problem:
    """An input that could not be read, with a reason a user can act on."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
