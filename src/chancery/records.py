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
