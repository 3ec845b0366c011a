"""Actor knowledge, loaded once from the data files under `data/actors/`.

Countries (names, demonyms, combining prefixes, capitals and other metonyms, which roles "the
leader" means), international organisations, companies and media, office-holders with their
terms, sector nouns and role words. Users add or override entries with `--actors FILE`.
"""
from __future__ import annotations

import bisect
import csv
import io
import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .records import Actor

_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|\d+(?:[.,]\d+)+|\w+|[^\w\s]")
SECTORS = frozenset(["GOV", "MIL", "BUS", "MED", "OPP", "CVL", "IGO", "NGO", "REB", "JUD", "LEG", "UNK"])
# Which office a bare surname most likely means when several office-holders share it.
ROLE_RANK = ("president", "supreme leader", "king", "emir", "crown prince", "chancellor", "prime minister",
             "general secretary", "foreign minister", "defence minister", "vice president", "trade minister")


def tokens(text: str) -> list[tuple[int, int, str]]:
    """Word tokens with offsets: acronyms with dots ("U.S.") and numbers with separators ("3,000",
    "5.1") stay whole, hyphens and apostrophes split."""
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


@dataclass(frozen=True, slots=True)
class TokenIndex:
    """The tokens of one text with their normalised forms, made once and read by every stage that
    tokenises the same text (mention finding over the article, event triggers per sentence)."""

    tokens: tuple[tuple[int, int, str], ...]  # as `tokens(text)` gives them
    starts: tuple[int, ...]
    norm: tuple[str, ...]  # norm_token of each

    def within(self, start: int, end: int) -> tuple[int, int] | None:
        """The token range that tokenising text[start:end] on its own would give (offsets shifted by
        start), or None where a token of the whole text crosses either end of the stretch."""
        a = bisect.bisect_left(self.starts, start)
        b = bisect.bisect_left(self.starts, end, a)
        if a and self.tokens[a - 1][1] > start or b and self.tokens[b - 1][1] > end:
            return None
        return a, b


@lru_cache(maxsize=4)
def token_index(text: str) -> TokenIndex:
    """`tokens(text)` indexed; kept for the latest few texts (an article and its captions), so the
    stages of one article share it. Not more: what the cache holds outlives garbage collections."""
    toks = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    norm = [w.lower().replace("’", "'") for _, _, w in toks]  # norm_token, inlined: a text has thousands
    return TokenIndex(tuple(toks), tuple([t[0] for t in toks]), tuple(norm))


def phrase_key(text: str) -> tuple[str, ...]:
    return tuple(norm_token(t) for _, _, t in tokens(text))


def norm_token(token: str) -> str:
    return token.lower().replace("’", "'")


@dataclass(frozen=True, slots=True)
class Term:
    role: str
    country: str | None
    sector: str
    start: str  # ISO day, inclusive
    end: str  # ISO day, inclusive; "9999-12-31" while in office

    def covers(self, day: str) -> bool:
        return self.start <= day <= self.end


@dataclass(slots=True)
class Person:
    name: str
    surname: str
    aliases: list[str] = field(default_factory=list)
    gender: str | None = None
    terms: list[Term] = field(default_factory=list)

    def terms_on(self, day: str | None) -> list[Term]:
        if day is None:
            return [t for t in self.terms if t.end == "9999-12-31"] or self.terms[-1:]
        return [t for t in self.terms if t.covers(day[:10] if len(day) >= 10 else _start(day))]

    def actor(self, day: str | None, role: str | None = None) -> Actor:
        """The person as an actor on a day: country and sector of an office held then, else the
        country of their last office before it and no sector (not in office)."""
        active = self.terms_on(day)
        if role:
            active = [t for t in active if t.role == role] or active
        if active:
            term = min(active, key=lambda t: _rank(t.role))
            return Actor(self.name, term.country, term.sector, "person", term.role, self.gender)
        before = [t for t in self.terms if day is None or t.start <= _start(day)] or self.terms
        last = max(before, key=lambda t: t.end)
        return Actor(self.name, last.country, None, "person", None, self.gender)


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str
    demonyms: tuple[str, ...]
    leader: tuple[str, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Entry:
    """One meaning of a phrase in the dictionary."""

    kind: str  # country | demonym | prefix | metonym | org | person | role | sector
    value: object  # country code, Person, Actor (org/metonym), canonical role, sector code
    exact: bool  # match the case as written (acronyms and proper names)
    surface: str


class Knowledge:
    def __init__(self) -> None:
        self.countries: dict[str, Country] = {}
        self.people: dict[str, Person] = {}
        self.by_surname: dict[str, list[Person]] = defaultdict(list)
        self.by_role: dict[tuple[str | None, str], list[Person]] = defaultdict(list)
        self.roles: dict[tuple[str, ...], str] = {}
        self.sector_nouns: dict[tuple[str, ...], str] = {}
        self.phrases: dict[tuple[str, ...], list[Entry]] = defaultdict(list)
        self.lengths: dict[str, tuple[int, ...]] = {}  # first token → phrase lengths starting with it, longest first
        self.max_len = 1

    # -- loading ---------------------------------------------------------------------------------

    def add_country(self, data: dict) -> None:
        code = data["code"].upper()
        country = Country(code, data["name"], tuple(data.get("demonyms", ())), tuple(data.get("leader", ())))
        self.countries[code] = country
        actor = Actor(data["name"], code, "GOV", "country")
        for name in (data["name"], *data.get("aliases", ())):
            self._phrase(name, Entry("country", actor, True, name))
        for demonym in data.get("demonyms", ()):
            self._phrase(demonym, Entry("demonym", code, True, demonym))
        for prefix in data.get("prefixes", ()):
            self._phrase(prefix, Entry("prefix", code, True, prefix))
        for place, sector in (data.get("metonyms") or {}).items():
            self._phrase(place, Entry("metonym", Actor(data["name"], code, sector, "country"), True, place))
        if "metonyms" not in data and data.get("capital"):  # a user's entry may give only the capital
            self._phrase(data["capital"], Entry("metonym", actor, True, data["capital"]))

    def add_organisation(self, data: dict) -> None:
        sector = data.get("sector") or "IGO"
        country = data.get("country") or None
        actor = Actor(data["name"], country, sector, "organisation")
        for name in (data["name"], *data.get("aliases", ())):
            self._phrase(name, Entry("org", actor, True, name))
        for place in data.get("metonyms", ()):
            self._phrase(place, Entry("metonym", actor, True, place))

    def add_person_term(self, row: dict) -> None:
        name = row["name"].strip()
        person = self.people.get(name)
        if person is None:
            surname = (row.get("surname") or name.split()[-1]).strip()
            person = Person(name, surname, gender=(row.get("gender") or "").strip().lower() or None)
            self.people[name] = person
            self._phrase(name, Entry("person", person, True, name))
            self._phrase(surname, Entry("surname", person, True, surname))
            self.by_surname[phrase_key(surname)].append(person)
        for alias in _split(row.get("aliases")):
            if alias not in person.aliases:
                person.aliases.append(alias)
                self._phrase(alias, Entry("person", person, True, alias))
        role = (row.get("role") or "").strip().lower()
        if role:
            term = Term(role, (row.get("country") or "").strip().upper() or None,
                        (row.get("sector") or "GOV").strip().upper(), _start(row.get("start")), _end(row.get("end")))
            if term not in person.terms:
                person.terms.append(term)
                person.terms.sort(key=lambda t: t.start)
                holders = self.by_role[(term.country, role)]
                if person not in holders:
                    holders.append(person)

    def add_sectors(self, data: dict) -> None:
        for sector, nouns in (data.get("sectors") or {}).items():
            if sector not in SECTORS:
                raise ValueError(f"unknown sector {sector!r}")
            for noun in nouns:
                self.sector_nouns[phrase_key(noun)] = sector
                self._phrase(noun, Entry("sector", sector, False, noun))
        for words, role in (data.get("roles") or {}).items():
            self.roles[phrase_key(words)] = role
            self._phrase(words, Entry("role", role, False, words))

    def _phrase(self, text: str, entry: Entry) -> None:
        key = phrase_key(text)
        if not key:
            return
        if not any(e.kind == entry.kind and e.value is entry.value or e.kind == entry.kind and e.value == entry.value
                   for e in self.phrases[key]):
            self.phrases[key].append(entry)
        self.max_len = max(self.max_len, len(key))
        self.lengths[key[0]] = tuple(sorted(set(self.lengths.get(key[0], ())) | {len(key)}, reverse=True))

    # -- questions -------------------------------------------------------------------------------

    def holders(self, country: str | None, role: str, day: str | None) -> list[Person]:
        """People who held `role` in `country` on `day` (the current holders when day is None)."""
        return [p for p in self.by_role.get((country, role), ()) if any(t.role == role and (t.country == country)
                                                                         for t in p.terms_on(day))]

    def leader_roles(self, country: str) -> tuple[str, ...]:
        c = self.countries.get(country)
        return c.leader if c and c.leader else ("president", "prime minister")

    def sector_of_role(self, role: str) -> str:
        return self.sector_nouns.get(phrase_key(role), "GOV")


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split("|") if v.strip()]


def _start(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        return "0000-01-01"
    return (value + "-01-01")[:10] if len(value) == 4 else (value + "-01")[:10] if len(value) == 7 else value[:10]


def _end(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        return "9999-12-31"
    if len(value) == 4:
        return value + "-12-31"
    if len(value) == 7:
        return value + "-31"
    return value[:10]


def _rank(role: str) -> int:
    return ROLE_RANK.index(role) if role in ROLE_RANK else len(ROLE_RANK)


def load_file(kb: Knowledge, path: str | Path, text: str | None = None) -> None:
    """Add a data file: TOML with [[country]], [[organisation]], [[person]], [sectors], [roles];
    or CSV of office-holders (name, surname, aliases, country, sector, role, start, end, gender)."""
    path = Path(path)
    if text is None:
        text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".csv":
        for row in csv.DictReader(io.StringIO(text)):
            if row.get("name"):
                kb.add_person_term(row)
        return
    data = tomllib.loads(text)
    for country in data.get("country", ()):
        kb.add_country(country)
    for org in data.get("organisation", ()):
        kb.add_organisation(org)
    for person in data.get("person", ()):
        kb.add_person_term({k: ("|".join(v) if isinstance(v, list) else str(v)) for k, v in person.items()})
    kb.add_sectors(data)


def _data_files() -> list[tuple[str, str]]:
    folder = resources.files("chancery") / "data" / "actors"
    if not folder.is_dir():
        return []
    order = {"countries.toml": 0, "organisations.toml": 1, "sectors.toml": 2}
    files = sorted((f for f in folder.iterdir() if f.name.endswith((".toml", ".csv"))),
                   key=lambda f: (order.get(f.name, 3), f.name))
    return [(f.name, f.read_text(encoding="utf-8")) for f in files]


@lru_cache(maxsize=8)
def knowledge(extra_files: tuple[str, ...] = ()) -> Knowledge:
    """The bundled knowledge plus any user files (later files add to and override earlier ones)."""
    kb = Knowledge()
    for name, text in _data_files():
        load_file(kb, name, text)
    for path in extra_files:
        load_file(kb, path)
    return kb
