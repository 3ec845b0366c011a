"""Decide who each candidate mention stands for, reading the article in order.

- known names: the person, with the office they held on the article's date;
- surnames ("Xi"): a person already named in the article, else an office-holder of that date;
- role descriptions ("the Chinese president", "the Russian leader"): who held the office on the date,
  preferring someone the article names; without a country, the last person seen in that role;
- counterparts ("his Egyptian counterpart"): the same office as the possessor's, in that country;
- pronouns (he, she, his, they): the most recent compatible subject;
- plural references ("the two sides", "both leaders") and adjectival pairs: the article's main pair;
- metonyms ("Beijing", "the Kremlin"): the government they stand for; places stay places.
"""
from __future__ import annotations

import bisect
from collections import Counter, defaultdict

from .knowledge import Knowledge, Person
from .mentions import Candidate
from .records import Actor, Mention

_OBJECT_PRONOUNS = frozenset({"him", "them"})
_PREPOSITIONS = frozenset({"with", "to", "by", "for", "of", "from", "and", "on", "about", "against", "at", "told"})


class Resolver:
    def __init__(self, kb: Knowledge, text: str, sentences: list[tuple[int, int]], day: str | None) -> None:
        self.kb, self.text, self.day = kb, text, day
        self.sentence_starts = [s for s, _ in sentences] or [0]
        self.named: dict[str, Person] = {}
        self.seen: list[Mention] = []  # resolved person-like mentions, in order
        self.seen_in: dict[int, list[Mention]] = defaultdict(list)  # the same by sentence: pronouns look
        self.seen_names: Counter[str] = Counter()  # near, and an article can have thousands of them
        self.pair: tuple[Actor, Actor] | None = None
        self.pair_people: tuple[Actor, Actor] | None = None

    def sentence_of(self, offset: int) -> int:
        return max(bisect.bisect_right(self.sentence_starts, offset) - 1, 0)

    def resolve(self, candidates: list[Candidate]) -> list[Mention]:
        self.places = [c for c in candidates if c.kind == "place"]
        self._prescan(candidates)
        out: list[Mention] = []
        for cand in candidates:
            actor, how = self._resolve(cand)
            if actor is None:
                continue
            mention = Mention(cand.start, cand.end, self.text[cand.start:cand.end], actor, how,
                              self.sentence_of(cand.start))
            out.append(mention)
            if actor.kind in ("person", "pair", "group"):
                self.seen.append(mention)
                self.seen_in[mention.sentence].append(mention)
                self.seen_names[mention.actor.name] += 1
        return out

    # -- before reading: who the article names, and its main pair ---------------------------------

    def _prescan(self, candidates: list[Candidate]) -> None:
        countries: Counter[str] = Counter()
        people: Counter[str] = Counter()
        for cand in candidates:
            if cand.kind == "person" and cand.persons:
                person = self._pick(cand.persons, cand.country, cand.roles)
                self.named[person.name] = person
                actor = person.actor(self.day)
                if actor.country:
                    countries[actor.country] += 2
                    people[person.name] += 1
            elif cand.kind in ("country", "metonym", "group", "place", "name") and cand.country:
                countries[cand.country] += 1
            elif cand.kind == "dyad":
                countries[cand.country] += 2
                countries[cand.country2] += 2
        for cand in candidates:  # surnames of people named in full, and of office-holders of the day
            if cand.kind == "surname":
                person = self._surname(cand)
                if person is not None:
                    people[person.name] += 1
                    actor = person.actor(self.day)
                    if actor.country:
                        countries[actor.country] += 1
        top = [c for c, _ in countries.most_common(2)]
        if len(top) == 2:
            self.pair = tuple(self._country_actor(c) for c in top)
            leads = []
            for c in top:
                named = [self.named[n] for n, _ in people.most_common() if n in self.named
                         and self.named[n].actor(self.day).country == c]
                holders = [p for r in self.kb.leader_roles(c) for p in self.kb.holders(c, r, self.day)]
                person = (named or holders or [None])[0]
                leads.append(person.actor(self.day) if person else self._country_actor(c))
            self.pair_people = (leads[0], leads[1])

    # -- one candidate ----------------------------------------------------------------------------

    def _resolve(self, cand: Candidate) -> tuple[Actor | None, str]:
        kind = cand.kind
        if kind == "person":
            person = self._pick(cand.persons, cand.country, cand.roles)
            self.named[person.name] = person
            return person.actor(self.day, cand.roles[0] if cand.roles else None), \
                "titled-name" if cand.roles else "dictionary"
        if kind == "surname":
            person = self._surname(cand)
            if person is None:
                return self._unknown(cand) if cand.roles else (None, "")
            return person.actor(self.day), "surname"
        if kind == "name":
            return self._unknown(cand)
        if kind in ("country", "org"):
            return cand.actor, "dictionary"
        if kind == "metonym":
            return cand.actor, "metonym"
        if kind == "place":
            a = cand.actor
            return Actor(cand.name or a.name, a.country, None, "place"), "place"
        if kind == "group":
            return Actor(cand.name, cand.country, cand.sector, "group"), "group"
        if kind == "adjective":
            c = self.kb.countries.get(cand.country)
            return Actor(c.name if c else cand.country, cand.country, None, "adjective"), "adjective"
        if kind == "dyad":
            members = (self._country_actor(cand.country), self._country_actor(cand.country2))
            return self._pair_actor(members), "dyad"
        if kind == "plural":
            if self.pair is None:
                return None, ""
            members = self.pair_people if cand.name == "people" else self.pair
            return self._pair_actor(members), "pair"
        if kind == "pronoun":
            return self._pronoun(cand)
        if kind == "role":
            return self._role(cand)
        if kind == "counterpart":
            return self._counterpart(cand)
        return None, ""

    def _pick(self, persons: list[Person], country: str | None, roles: tuple[str, ...]) -> Person:
        """Of several people with one name, the one in office (in that country and role) on the day."""
        def score(p: Person) -> tuple:
            active = p.terms_on(self.day)
            return (any(t.country == country for t in active) if country else False,
                    any(t.role in roles for t in active) if roles else False,
                    bool(active), p.name in self.named)
        return max(persons, key=score)

    def _surname(self, cand: Candidate) -> Person | None:
        named = [p for p in cand.persons if p.name in self.named]
        if named:
            return named[-1]
        active = [p for p in cand.persons if p.terms_on(self.day)]
        if cand.country:
            active = [p for p in active if any(t.country == cand.country for t in p.terms_on(self.day))] or active
        if not active and cand.roles:
            # "President Bush" in an article from before or after his term: the office names the person
            titled = [p for p in cand.persons if any(t.role in cand.roles for t in p.terms)]
            if not titled or len({t.country for p in titled for t in p.terms if t.role in cand.roles}) > 1:
                return None  # offices in several countries: the title does not say who
            day = self.day or ""
            return min(titled, key=lambda p: min(abs(_year(t.start) - _year(day)) + abs(_year(t.end) - _year(day))
                                                 for t in p.terms if t.role in cand.roles))
        if not active:
            return None
        return self._pick(active, cand.country, cand.roles)

    def _unknown(self, cand: Candidate) -> tuple[Actor | None, str]:
        if not (cand.roles or cand.sector or cand.country):
            return None, ""
        role = cand.roles[0] if cand.roles else None
        sector = cand.sector or (self.kb.sector_of_role(role) if role else "UNK")
        country = cand.country
        if country is None and role and self.places:
            # "President Laurent Gbagbo … will extend the curfew in Abidjan": an office-holder the data
            # does not know most likely holds office where the sentence is set
            here = self.sentence_of(cand.start)
            country = next((p.country for p in self.places if self.sentence_of(p.start) == here and p.country), None)
        return Actor(cand.name or "", country, sector, "person", role), "unknown-person"

    def _country_actor(self, code: str) -> Actor:
        c = self.kb.countries.get(code)
        return Actor(c.name if c else code, code, "GOV", "country")

    def _pair_actor(self, members: tuple[Actor, Actor]) -> Actor:
        return Actor(" and ".join(m.name for m in members), None, None, "pair", members=members)

    def _role(self, cand: Candidate) -> tuple[Actor | None, str]:
        roles = cand.roles
        if cand.name == "leader" and cand.country:
            roles = self.kb.leader_roles(cand.country)
        if not roles:
            return None, ""
        if cand.country is None:
            for prior in reversed(self.seen):  # "the president": the last person seen in that office
                if prior.actor.kind == "person" and prior.actor.role in roles:
                    return prior.actor, "role"
            return None, ""
        holders = [p for r in roles for p in self.kb.holders(cand.country, r, self.day)]
        named = [p for p in holders if p.name in self.named]
        chosen = (named or holders or [None])[0]
        if chosen is not None:
            return chosen.actor(self.day, next((r for r in roles if r in {t.role for t in chosen.terms}), None)), "role"
        c = self.kb.countries.get(cand.country)
        label = f"{c.name if c else cand.country} {roles[0]}"
        return Actor(label, cand.country, cand.sector or "GOV", "person", roles[0]), "role"

    def _counterpart(self, cand: Candidate) -> tuple[Actor | None, str]:
        owner = self._pronoun_target("", "singular", cand.start) if cand.determiner in ("his", "her") else None
        role = owner.role if owner is not None else None
        country = cand.country
        if country is None and owner is not None and self.pair:
            others = [m.country for m in self.pair if m.country != owner.country]
            country = others[0] if others else None
        if country is None:
            return None, ""
        roles = (role,) if role else self.kb.leader_roles(country)
        actor, _ = self._role(Candidate(cand.start, cand.end, "role", country=country, roles=roles))
        return actor, "counterpart"

    def _pronoun(self, cand: Candidate) -> tuple[Actor | None, str]:
        if cand.name in _OBJECT_PRONOUNS:
            actor = self._object_target(cand.gender, cand.number, cand.start)
        else:
            actor = self._pronoun_target(cand.gender, cand.number, cand.start)
        return (actor, "pronoun") if actor is not None else (None, "")

    def _object_target(self, gender: str, number: str, offset: int) -> Actor | None:
        """"… are accompanying him": not the subject of its own clause; among the people of this
        sentence and the one before, the one the article has mentioned most so far."""
        here = self.sentence_of(offset)
        wanted = ("pair", "group") if number == "plural" else ("person",)
        near = [m for m in self.seen_in.get(here - 1, []) + self.seen_in.get(here, []) if m.start < offset
                and m.actor.kind in wanted and (not gender or m.actor.kind != "person"
                                                or m.actor.gender in (None, "", gender))]
        same = [m for m in near if m.sentence == here]
        if same:
            subject = self._subject(same)
            near = [m for m in near if m.actor != subject.actor]
        if not near:
            return self._pronoun_target(gender, number, offset)
        counts = self._names_before(offset)
        return max(reversed(near), key=lambda m: counts[m.actor.name]).actor

    def _pronoun_target(self, gender: str, number: str, offset: int) -> Actor | None:
        """The most recent compatible subject: earlier in the same sentence first, then the subjects
        of the previous sentences, then anyone seen."""
        here = self.sentence_of(offset)
        wanted = ("pair", "group") if number == "plural" else ("person",)

        def fits(m: Mention) -> bool:
            a = m.actor
            return a.kind in wanted and (not gender or a.kind != "person" or a.gender in (None, "", gender))

        same = [m for m in self.seen_in.get(here, ()) if m.start < offset and fits(m)]
        if same:
            return self._subject(same).actor
        # "they" reaches back one sentence only: further back it more often means things, not actors
        reach = 1 if number == "plural" else 3
        for s in range(here - 1, max(here - 1 - reach, -1), -1):
            in_sentence = [m for m in self.seen_in.get(s, ()) if fits(m)]
            if in_sentence:
                return self._subject(in_sentence).actor
        if number == "plural":
            return None
        return next((m.actor for m in reversed(self.seen) if m.start < offset and fits(m)), None)

    def _names_before(self, offset: int) -> Counter[str]:
        """How often each actor was seen before `offset` (the running count, less any seen at or after it)."""
        counts, later = self.seen_names, []
        for m in reversed(self.seen):  # (in text order: the scanner emits candidates left to right)
            if m.start < offset:
                break
            later.append(m.actor.name)
        if later:
            counts = counts.copy()
            counts.subtract(later)
        return counts

    def _subject(self, mentions: list[Mention]) -> Mention:
        """The first mention that does not follow a preposition and is not inside a quotation."""
        for m in mentions:
            before = self.text[max(0, m.start - 12):m.start].lower().split()
            if before and before[-1].strip("’'\"“") in _PREPOSITIONS:
                continue
            if self._quoted(m.start):
                continue
            return m
        return mentions[0]

    def _quoted(self, offset: int) -> bool:
        s = self.sentence_starts[self.sentence_of(offset)]
        segment = self.text[s:offset]
        return segment.count("“") > segment.count("”") or segment.count('"') % 2 == 1


def _year(day: str) -> int:
    """The year of an ISO date (9999 for an open end, 0 when unknown)."""
    return int(day[:4]) if day[:4].isdigit() else 0
