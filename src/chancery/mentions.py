"""Find the stretches of text that name or describe actors, before deciding who they are.

A dictionary pass finds the longest known phrase at each token (countries, demonyms, capitals,
organisations, people, surnames, roles, sector nouns). A pattern pass then reads them together:

- titled names: "Chinese President Xi Jinping", "Kremlin press secretary Dmitry Peskov",
  "Foreign Minister Sergey Lavrov", "his Russian counterpart Vladimir Putin";
- appositions: "Lavrov, Russia's foreign minister", "Tomas Berg, a Nordic security analyst at ...";
- role descriptions: "the Chinese president", "his Egyptian counterpart", "the Russian leader";
- groups: "Chinese officials", "Russian troops";
- pairs: "China-Russia ties", "Sino-Russian", "the two sides", "both leaders";
- pronouns, metonyms ("Beijing", "the Kremlin") and places ("talks in Beijing").

The output is a list of `Candidate`s; `coref.Resolver` turns them into resolved mentions.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache

from .knowledge import Entry, Knowledge, phrase_key, token_index, tokens
from .tense import is_past_form
from .wordlists import load, quantity_heads

_DETERMINERS = frozenset({"the", "his", "her", "their", "its", "a", "an", "our", "whose"})
_POSSESSIVE = frozenset({"his", "her", "their", "its"})
_TITLE_ADJECTIVES = frozenset(load("references.toml")["words"]["title_adjectives"])
_TIME_PREPOSITIONS = frozenset({"in", "on", "since", "by", "until", "till", "from", "during", "early", "late", "mid",
                                "last", "next", "this", "of", "before", "after", "through", "between", "and", "or"})
_GROUP_PLACES = tuple(sorted((tuple(w.split()) for w in load("references.toml")["words"]["group_places"]),
                             key=len, reverse=True))
_PLACE_MODIFIERS = frozenset(load("references.toml")["words"]["place_modifiers"])
# words a plural noun's modifiers are never: the group begins after them ("arrested students")
_PREPOSITIONS_AND_VERBS = frozenset(load("references.toml")["words"]["prepositions"]) | _DETERMINERS | {
    "and", "or", "is", "are", "was", "were", "be", "been", "has", "have", "had", "that", "who", "which", "said", "says"}
_ORG_HEADS = {w: sector for sector, words in load("actors/sectors.toml")["organisation_words"].items()
              for w in words}
_IRREGULAR_PLURALS = frozenset(load("references.toml")["words"]["irregular_plurals"])
_LED = frozenset(load("references.toml")["words"]["led"])
_ETHNIC = frozenset(load("references.toml")["words"]["ethnic"])
_UNSEEN = object()
_NAME_STOP = frozenset({"The", "A", "An", "In", "On", "At", "But", "And", "He", "She", "It", "They", "This",
                        "That", "His", "Her", "Their", "As", "For", "With", "From", "By", "To", "Of", "If"})



@dataclass(frozen=True)
class References:
    pronouns: dict[str, tuple[str, str]]
    plural: dict[tuple[str, ...], str]
    plural_openers: tuple[tuple[str, ...], ...]
    leader_words: frozenset[tuple[str, ...]]
    counterpart_words: frozenset[tuple[str, ...]]
    locative: frozenset[str]
    triggers: frozenset[str] = frozenset()


@lru_cache(maxsize=1)
def references() -> References:
    data = load("references.toml")
    return References(
        pronouns={k: (v.get("gender", ""), v.get("number", "singular")) for k, v in data["pronouns"].items()},
        plural={phrase_key(k): v for k, v in data["plural_references"].items()},
        plural_openers=tuple(sorted((phrase_key(o) for o in data["words"]["plural_openers"]), key=len, reverse=True)),
        leader_words=frozenset(phrase_key(w) for w in data["words"]["leader_words"]),
        counterpart_words=frozenset(phrase_key(w) for w in data["words"]["counterpart_words"]),
        locative=frozenset(data["words"]["locative"]),
        triggers=frozenset(data["pronouns"]) | _DETERMINERS | {o[0] for o in
                                                              (phrase_key(x) for x in data["words"]["plural_openers"])}
        | {w[0] for w in (phrase_key(x) for x in data["words"]["leader_words"] + data["words"]["counterpart_words"])}
        | _TITLE_ADJECTIVES,
    )


@dataclass
class Candidate:
    """A mention before resolution. `kind` says what resolution must do with it."""

    start: int  # character offsets
    end: int
    kind: str  # person | surname | name | country | metonym | org | place | role | counterpart | group | dyad | plural | pronoun
    persons: list = field(default_factory=list)  # known Person objects this may be
    country: str | None = None
    country2: str | None = None  # the other side of a dyad
    roles: tuple[str, ...] = ()
    sector: str | None = None
    name: str | None = None
    actor: object = None  # a ready Actor for countries, metonyms and organisations
    gender: str = ""
    number: str = "singular"
    determiner: str | None = None
    subject: bool = False


@dataclass
class _Hit:
    i: int
    j: int
    entries: list[Entry]

    def of(self, *kinds: str) -> list[Entry]:
        return [e for e in self.entries if e.kind in kinds]


class MentionFinder:
    def __init__(self, kb: Knowledge, refs: References | None = None) -> None:
        self.kb = kb
        self.refs = refs or references()
        self.plural_firsts = frozenset(o[0] for o in self.refs.plural_openers if o)
        # the first words of "counterpart", "head of state" and the other leader and counterpart words
        self.role_firsts = frozenset(w[0] for w in self.refs.leader_words | self.refs.counterpart_words if w)
        self.sector_nouns: dict[tuple[str, ...], str | None] = {}  # role words -> sector (kb.sector_nouns)
        # the words plural(), dyad() and titled() can start at without a known phrase there
        self.title_words = _DETERMINERS | _TITLE_ADJECTIVES | self.plural_firsts | self.role_firsts | \
            frozenset(self.refs.pronouns)

    def __call__(self, text: str) -> list[Candidate]:
        index = token_index(text)
        toks, lower = index.tokens, index.norm
        hits = self._dictionary(toks, lower)
        return _Scanner(self, text, toks, lower, hits).run()

    def _dictionary(self, toks, lower) -> dict[int, _Hit]:
        """Longest known phrase at each token, case-checked; hits do not overlap."""
        phrases, lengths = self.kb.phrases, self.kb.lengths
        found: dict[int, _Hit] = {}
        n_tokens, free = len(toks), 0  # free: the first token after the last hit
        for i in [k for k, w in enumerate(lower) if w in lengths]:  # the tokens a known phrase starts with
            if i < free:
                continue
            for n in lengths[lower[i]]:
                if i + n > n_tokens:
                    continue
                entries = phrases.get(tuple(lower[i:i + n]))
                if not entries:
                    continue
                words = [t for _, _, t in toks[i:i + n]]
                entries = [e for e in entries if _case_ok(e, words)]
                if entries:
                    found[i] = _Hit(i, i + n, entries)
                    free = i + n
                    break
        return found


def _case_ok(entry: Entry, words: list[str]) -> bool:
    if not entry.exact:
        return True
    for word, shape in zip(words, tokens_of(entry.surface)):
        if len(shape) > 1 and shape.isupper() and word != shape:
            return False  # acronyms as written: "US", not "us"
        if shape[:1].isupper() and not word[:1].isupper():
            return False  # proper names capitalised: "Turkey", not "turkey"
    return True


@lru_cache(maxsize=65536)
def tokens_of(text: str) -> tuple[str, ...]:
    return tuple(t for _, _, t in tokens(text))


class _Scanner:
    """One left-to-right pass over the tokens of a text."""

    def __init__(self, finder: MentionFinder, text: str, toks, lower, hits: dict[int, _Hit]) -> None:
        self.kb, self.refs, self.plural_firsts, self.role_firsts = finder.kb, finder.refs, finder.plural_firsts, \
            finder.role_firsts
        self.sector_nouns, self.title_words = finder.sector_nouns, finder.title_words
        self.text, self.toks, self.lower, self.hits = text, toks, lower, hits
        self.out: list[Candidate] = []
        # where organisation words stand, so that organisation() looks only near one
        self.org_heads = [k for k, w in enumerate(lower) if w in _ORG_HEADS]

    # token helpers ------------------------------------------------------------------------------

    def word(self, i: int) -> str:
        return self.toks[i][2] if 0 <= i < len(self.toks) else ""

    def low(self, i: int) -> str:
        return self.lower[i] if 0 <= i < len(self.lower) else ""

    def span(self, i: int, j: int) -> tuple[int, int]:
        return self.toks[i][0], self.toks[j - 1][1]

    def is_cap_word(self, i: int) -> bool:
        w = self.word(i)
        return len(w) > 1 and w[0].isupper() and w[1:].replace("-", "").isalpha() and w not in _NAME_STOP \
            and (i not in self.hits or not self.hits[i].of("role", "sector", "demonym", "country", "metonym", "org"))

    def skip_possessive(self, k: int) -> int:
        if self.low(k) in ("'", "’") and self.low(k + 1) == "s":
            return k + 2
        return k

    # the pass -----------------------------------------------------------------------------------

    def run(self) -> list[Candidate]:
        hits, triggers, toks = self.hits, self.refs.triggers, self.toks
        # only known phrases, capitalised words and a few function words can start a mention
        starts = [i for i, low in enumerate(self.lower) if i in hits or low in triggers or toks[i][2][0].isupper()]
        free = 0  # the first token after the last mention
        title_words = self.title_words
        for i in starts:
            if i < free:
                continue
            org = self.organisation(i) if toks[i][2][0].isupper() or self.lower[i] == "the" else None
            if org:
                nxt = org
            elif i in hits or self.lower[i] in title_words:
                nxt = (self.plural(i) or self.dyad(i) or self.titled(i) or self.simple(i))
            else:  # a capitalised word no known phrase starts: plural references, dyads and titles
                nxt = self.simple(i)  # all open with a known phrase or one of the title words
            free = nxt if nxt and nxt > i else i + 1
        return self.out

    def emit(self, i: int, j: int, kind: str, **kw) -> Candidate:
        if kind in ("group", "adjective") and i > 0 and self.low(i - 1) in _ETHNIC and kw.get("country"):
            # "ethnic Albanians in Serbia": a people is coded where it lives, which its name does not say
            here = self.place_after(j)
            if here or kind == "group":
                kw["country"] = here
        start, end = self.span(i, j)
        cand = Candidate(start, end, kind, **kw)
        self.out.append(cand)
        return cand

    def plural(self, i: int) -> int | None:
        """"the two leaders", "both sides", "the pair"."""
        if self.lower[i] not in self.plural_firsts:
            return None
        for opener in self.refs.plural_openers:
            n = len(opener)
            if tuple(self.lower[i:i + n]) != opener:
                continue
            for length in (3, 2, 1):
                noun = tuple(self.lower[i + n:i + n + length])
                if len(noun) == length and noun in self.refs.plural:
                    if opener == ("the",) and self.refs.plural[noun] != "people":
                        continue  # "the leaders" are the pair's leaders; "the countries" alone is too vague
                    self.emit(i, i + n + length, "plural", name=self.refs.plural[noun], number="plural")
                    return i + n + length
        return None

    def _side(self, i: int) -> tuple[str | None, int]:
        hit = self.hits.get(i)
        if hit:
            for e in hit.entries:
                if e.kind in ("country", "metonym"):
                    return e.value.country, hit.j
                if e.kind in ("demonym", "prefix"):
                    return e.value, hit.j
        return None, i

    def dyad(self, i: int) -> int | None:
        """"China-Russia", "Sino-Russian", "Chinese-Russian", "US–China"."""
        first, k = self._side(i)
        if first is None or self.word(k) not in ("-", "–", "/"):
            return None
        second, end = self._side(k + 1)
        if second is None or second == first:
            return None
        self.emit(i, end, "dyad", country=first, country2=second)
        return end

    def qualifier(self, i: int) -> tuple[str | None, object, int]:
        """A country, demonym, metonym or national organisation, with a possessive: (country, actor, next)."""
        hit = self.hits.get(i)
        if not hit:
            return None, None, i
        for e in hit.entries:
            if e.kind == "demonym":
                return e.value, None, hit.j
            if e.kind in ("country", "metonym") or (e.kind == "org" and e.value.country):
                return e.value.country, e.value, self.skip_possessive(hit.j)
        return None, None, i

    def role_run(self, k: int) -> tuple[list[str], str | None, str, int]:
        """Role words and sector nouns from k: (canonical roles, sector, kind, next index).
        kind is role, leader, counterpart or sector ('' when nothing is there)."""
        roles: list[str] = []
        sector, kind = None, ""
        start = k
        while k < len(self.toks) and k - start < 8:
            if self.low(k) in _TITLE_ADJECTIVES and not (k in self.hits and self.hits[k].of("role")):
                k += 1
                continue
            matched = False
            for n in (3, 2, 1) if self.lower[k] in self.role_firsts else ():
                key = tuple(self.lower[k:k + n])
                if len(key) < n:
                    continue  # past the last token (matching the shorter key here ran k off the end)
                if key in self.refs.counterpart_words:
                    kind, k, matched = "counterpart", k + len(key), True
                    break
                if key in self.refs.leader_words:
                    kind, k, matched = kind or "leader", k + len(key), True
                    break
            if matched:
                continue
            hit = self.hits.get(k)
            if hit and hit.of("role"):
                roles.append(hit.of("role")[0].value)
                kind = kind if kind in ("counterpart",) else "role"
                sector = sector or self.sector_noun(tuple(self.lower[hit.i:hit.j]))
                k = hit.j
                continue
            if hit and hit.of("sector") and not hit.of("country", "demonym", "metonym", "org", "person"):
                sector = hit.of("sector")[0].value
                kind = kind or "sector"
                k = hit.j
                continue
            break
        if k > start and self.low(k - 1) in _TITLE_ADJECTIVES:
            k -= 1
        return roles, sector, kind, k

    def sector_noun(self, words: tuple[str, ...]) -> str | None:
        """The sector of role words as written in the sector table, looked up once per form."""
        known = self.sector_nouns.get(words, _UNSEEN)
        if known is _UNSEEN:
            known = self.sector_nouns[words] = self.kb.sector_nouns.get(phrase_key(" ".join(words)))
        return known

    def skip_department(self, k: int) -> int:
        """After "Minister of Natural Resources and Ecology", the name follows the department: skip to
        the last two capitalised words of the run, which are the name."""
        if self.low(k) != "of" or not self.is_cap_word(k + 1):
            return k
        j = k + 1
        while j < len(self.toks) and j - k < 10 and (self.is_cap_word(j) or self.low(j) in ("and", "&")):
            j += 1
        run = [t for t in range(k + 1, j) if self.is_cap_word(t)]
        if len(run) < 3 or self.low(j - 1) in ("and", "&"):
            return k
        return run[-2]

    def name_at_unknown(self, k: int) -> tuple[str, list, int]:
        """An unknown run of capitalised words at k, known names inside it or not."""
        j = k
        while j < len(self.toks) and j - k < 4 and (self.is_cap_word(j) or (self.word(j) == "-" and j > k
                                                                             and self.is_cap_word(j + 1))):
            j += 1
        return ("name", [], j) if j > k else ("", [], k)

    def organisation(self, i: int) -> int | None:
        """An organisation the data does not know, named by capitalised words with an organisation
        word among them ("the Nigerian Union of Teachers (NUT)", "Homeland Union", "the Kenya
        Anti-Corruption Commission"): sector from that word, country from a country or demonym inside
        the name. Known organisations and names without such a word are left to the other rules."""
        near = bisect_left(self.org_heads, i)
        if near == len(self.org_heads) or self.org_heads[near] > i + 10:
            return None  # no organisation word close enough to end a name begun here
        first = i + 1 if self.low(i) == "the" else i  # "The Nigerian Union …" begins at "Nigerian"
        if first >= len(self.toks) or not self.word(first)[:1].isupper():
            return None
        hit = self.hits.get(first)
        if hit and hit.of("org", "person", "surname", "metonym"):
            return None
        i = first
        j, head, country, capitals = i, None, None, 0
        while j < len(self.toks) and j - i < 10:
            w = self.word(j)
            h = self.hits.get(j)
            if h and h.of("org", "person") and j > i:
                return None  # "… of the United Nations": a known body inside; leave it to the dictionary
            if w[:1].isupper() and w.isalpha() or (h and h.of("country", "demonym")):
                capitals += 1
                head = _ORG_HEADS.get(w.lower(), head)
                if country is None and h:
                    for e in h.entries:
                        if e.kind in ("country", "metonym"):
                            country = e.value.country
                        elif e.kind == "demonym":
                            country = e.value
                        if country:
                            break
                j = h.j if h and h.j > j else j + 1
                continue
            if w == "-" and j > i and self.word(j + 1)[:1].isupper():
                j += 1
                continue
            if w.lower() in ("of", "for", "and", "the") and self.word(j + 1)[:1].isupper() and j > i:
                j += 1
                continue
            break
        while j > i and not self.word(j - 1)[:1].isupper():
            j -= 1  # never end on a connector
        if head is None or capitals < 2 or _ORG_HEADS.get(self.low(i)) and capitals < 2:
            return None
        end = j
        if self.word(j) == "(" and self.word(j + 2) == ")" and self.word(j + 1).isupper():
            end = j + 3  # "(NUT)": the acronym belongs to the name
        self.emit(first, j, "group", country=country, sector=head,
                  name=self.text[self.toks[first][0]:self.toks[j - 1][1]])
        return end

    def name_at(self, k: int) -> tuple[str, list, int]:
        """A person's name at k: ('person', [Person], next) for a known name, ('surname', [...], next),
        ('name', [], next) for an unknown run of capitalised words, or ('', [], k)."""
        hit = self.hits.get(k)
        if hit and hit.of("person"):
            return "person", [e.value for e in hit.of("person")], hit.j
        if hit and hit.of("surname"):
            return "surname", [e.value for e in hit.of("surname")], hit.j
        j = k
        while j < len(self.toks) and j - k < 4 and (self.is_cap_word(j) or (self.word(j) in ("-",) and j > k
                                                                             and self.is_cap_word(j + 1))):
            j += 1
        if j > k and self.word(j - 1) != "-":
            return "name", [], j
        return "", [], k

    def titled(self, i: int) -> int | None:
        """Determiner? qualifier? roles name? — and appositions after a name."""
        k = i
        det = self.low(k) if self.low(k) in _DETERMINERS else None
        if det:
            k += 1
            while self.low(k) in _TITLE_ADJECTIVES and self.low(k) != "-" and k - i < 4:
                k += 1  # "a senior British minister"
        country, qualifier_actor, k = self.qualifier(k)
        roles, sector, kind, k3 = self.role_run(k)
        second = None
        if not kind and country and qualifier_actor is None:  # after a demonym, not a country name
            # "Turkish and Greek sides", "Palestinian suicide bombers", "Nigerian junior foreign minister"
            j = k
            if self.low(j) in ("and", "&"):
                c2, _, j2 = self.qualifier(j + 1)
                if c2 and c2 != country:
                    second, j = (j + 1, c2), j2
            if self.word(j) == "-" and self.low(j + 1) in _LED:  # "Vietnamese-led forces", "US-backed militias"
                j += 2
            skipped = 0
            while skipped < 3 and j not in self.hits and self.word(j).isalpha() and self.word(j)[:1].islower() \
                    and not is_past_form(self.word(j)) and not self._plural_noun(j):
                j, skipped = j + 1, skipped + 1
            roles, sector, kind, k3 = self.role_run(j)
            if not kind and j < len(self.toks) and self._plural_noun(j):
                # "Algerian landowners", "Kurdish villagers": a people named by what they are
                sector, kind, k3 = "CVL", "sector", j + 1
            if second and kind == "sector":
                self.emit(i, k, "group", country=country, sector=sector, name=self.text[self.toks[i][0]:self.toks[k - 1][1]])
                self.emit(second[0], k3, "group", country=second[1], sector=sector,
                          name=self.text[self.toks[second[0]][0]:self.toks[k3 - 1][1]])
                return k3
        if not kind:
            return None  # a bare demonym ("Chinese") names nobody; countries are handled by simple()
        k3 = self.skip_department(k3)
        name_kind, persons, end = self.name_at(k3)
        if name_kind == "surname" and self.is_cap_word(end) and end not in self.hits:
            # "President Levy Mwanawasa": a known surname that goes on with another capitalised word
            # is the first name of someone else
            name_kind, persons, end = self.name_at_unknown(k3)
        if kind == "sector" and name_kind == "name" and end - k3 < 2:
            name_kind = ""  # "officials Monday": a sector noun before one capitalised word is not a title
        if name_kind:
            if name_kind == "name" and self.kb.phrases.get(tuple(self.lower[k3:end])):
                return None
            name = self.text[self.toks[k3][0]:self.toks[end - 1][1]]
            if country is None and self.low(end) == "of":  # "King Hassan of Morocco"
                c = self.qualifier(end + 1)[0]
                if c:
                    country = c
            self.emit(i + 1 if det else i, end, name_kind, persons=persons, country=country, roles=tuple(roles),
                      sector=sector, name=name)
            return end
        if kind == "sector":
            if country:  # "Chinese officials", "Russian troops", "the US military"
                self.emit(i, k3, "group", country=country, sector=sector,
                          name=self.text[self.toks[i][0]:self.toks[k3 - 1][1]])
                return k3
            return None
        if kind == "counterpart":
            self.emit(i, k3, "counterpart", country=country, determiner=det)
            return k3
        if det in ("a", "an"):
            if not country:
                return None  # "a former minister" introduces someone; it does not refer back
            # "a senior British minister": someone of that country and office, not a known person
            self.emit(i, k3, "name", country=country, roles=tuple(roles), sector=sector or "GOV",
                      name=self.text[self.toks[i][0]:self.toks[k3 - 1][1]])
            return k3
        if country is None and kind == "role" and self.low(k3) == "of":
            c, _, after = self.qualifier(k3 + 1)
            if c:  # "the president of Armenia", "the prime minister of Nepal"
                country, k3 = c, after
        if country or det:  # "the Chinese president", "Russia's foreign minister", "the president"
            role_set = tuple(roles) if kind == "role" else ()
            self.emit(i, k3, "role", country=country, roles=role_set, sector=sector or "GOV", determiner=det,
                      name="leader" if kind == "leader" else None)
            return k3
        return None

    def simple(self, i: int) -> int | None:
        """Pronouns, people, surnames, countries, metonyms, organisations, places, appositions."""
        word = self.low(i)
        if word in self.refs.pronouns:
            gender, number = self.refs.pronouns[word]
            self.emit(i, i + 1, "pronoun", gender=gender, number=number, name=word)
            return i + 1
        hit = self.hits.get(i)
        if hit is None:
            kind, _, end = self.name_at(i)
            if kind == "name" and end - i >= 2:
                return self.apposition(i, end)
            return None
        if hit.of("sector") and not hit.of("role", "country", "demonym", "metonym", "org", "person") \
                and (self.word(hit.j - 1).endswith("s") or self.low(hit.j - 1) in _IRREGULAR_PLURALS) \
                and self.word(hit.j) != "-" \
                and self._group_position(self._modifiers_start(i)) \
                and hit.of("sector")[0].value not in ("GOV",):
            return self.bare_group(hit)
        nxt = self.hits.get(hit.j)
        if (hit.of("person") or hit.of("surname")) and nxt and any(
                e.kind == "sector" and e.value == "GOV" for e in nxt.entries) and not nxt.of("role"):
            # "the Bush administration", "the Netanyahu government": the leader's country's government
            person = (hit.of("person") or hit.of("surname"))[0].value
            country = max(person.terms, key=lambda t: t.end).country if person.terms else None
            self.emit(hit.i, nxt.j, "group", country=country, sector="GOV",
                      name=self.text[self.toks[hit.i][0]:self.toks[nxt.j - 1][1]])
            return nxt.j
        people = hit.of("person")
        if people:
            cand = self.emit(hit.i, hit.j, "person", persons=[e.value for e in people])
            self.apposition(i, hit.j, cand)
            return hit.j
        if hit.of("surname") and not self._time_word(i) and not hit.of("country"):
            # a bare word that is a country's name is the country ("in Montenegro"), not a surname
            self.emit(hit.i, hit.j, "surname", persons=[e.value for e in hit.of("surname")],
                      name=self.text[self.toks[hit.i][0]:self.toks[hit.j - 1][1]])
            return hit.j
        demonym = hit.of("demonym")
        if demonym and self._demonym_as_noun(hit):
            code = demonym[0].value
            self.emit(hit.i, hit.j, "group", country=code, sector="CVL",
                      name=self.text[self.toks[hit.i][0]:self.toks[hit.j - 1][1]])
            return hit.j
        nxt_demonym = self.hits.get(hit.j)
        if demonym and nxt_demonym and nxt_demonym.of("demonym") and self._demonym_as_noun(nxt_demonym) \
                and nxt_demonym.of("demonym")[0].value != demonym[0].value:
            # "Bosnian Serbs", "Turkish Kurds": a people living in the first country
            self.emit(hit.i, nxt_demonym.j, "group", country=demonym[0].value, sector="CVL",
                      name=self.text[self.toks[hit.i][0]:self.toks[nxt_demonym.j - 1][1]])
            return nxt_demonym.j
        if demonym and not hit.of("country", "metonym", "org", "person", "surname"):
            # "shell Iraqi towns", "a Senegalese peace plan": the country a thing belongs to, a possible
            # target but never a source
            self.emit(hit.i, hit.j, "adjective", country=demonym[0].value,
                      name=self.text[self.toks[hit.i][0]:self.toks[hit.j - 1][1]])
            return hit.j
        for e in hit.entries:
            if e.kind in ("country", "metonym", "org"):
                if self._locative(i):
                    self.emit(hit.i, hit.j, "place", actor=e.value, country=e.value.country, name=e.surface)
                else:
                    self.emit(hit.i, hit.j, "metonym" if e.kind == "metonym" else e.kind, actor=e.value,
                              country=e.value.country)
                return hit.j
        return None

    def _group_position(self, i: int) -> bool:
        """A bare plural noun names actors where a subject stands: at the start of a sentence or
        clause, after a number, or after "thousands of" and the like — not right after a verb."""
        before = self.word(i - 1)
        if i == 0 or before in (".", ",", ";", ":", "“", '"', "(") or before.replace(",", "").replace(".", "").isdigit():
            return True
        return before.lower() == "of" and self.low(i - 2) in quantity_heads()

    def _modifiers_start(self, i: int) -> int:
        """Where the noun phrase of a plural noun begins when up to two plain words modify it
        ("university students", "Ibo traditional elders", "the striking workers"); i when none do."""
        k = i
        for _ in range(2):
            if k == 0 or self._group_position(k):
                return k
            w = self.word(k - 1)
            if not w.isalpha() or (k - 1) in self.hits or is_past_form(w) or \
                    (w.lower() in _PREPOSITIONS_AND_VERBS and w.lower() != "the"):
                return i
            k -= 1
        return k if self._group_position(k) else i

    def place_after(self, k: int) -> str | None:
        """The country of a place or country named at k after one of `group_places` ("in south Serbia")."""
        lows = [self.low(x) for x in range(k, k + 3)]
        for words in _GROUP_PLACES:
            if tuple(lows[:len(words)]) == words:
                k += len(words)
                break
        else:
            return None
        for _ in range(3):
            if self.low(k) not in _PLACE_MODIFIERS:
                break
            k += 1
        nxt = self.hits.get(k)
        for e in (nxt.entries if nxt else ()):
            if e.kind in ("country", "metonym"):
                return e.value.country
            if e.kind == "demonym":
                return e.value
        return None

    def bare_group(self, hit: _Hit) -> int:
        """"Demonstrators in Baghdad", "rebels": a plural sector noun with no country before it takes the
        country of a place or country named right after it ("in Baghdad", "of Nepal"), else none."""
        country = self.place_after(hit.j)
        sector = self.hits[hit.i].of("sector")[0].value
        self.emit(hit.i, hit.j, "group", country=country, sector=sector,
                  name=self.text[self.toks[hit.i][0]:self.toks[hit.j - 1][1]])
        return hit.j

    def apposition(self, i: int, end: int, cand: Candidate | None = None) -> int | None:
        """"Name, (a|the)? (Country's|demonym)? role/sector ..." gives an unknown name its country
        and sector, and confirms a known one."""
        if self.word(end) != ",":
            return None
        k = end + 1
        if self.low(k) in _DETERMINERS:
            k += 1
        country, sector, roles = None, None, []
        limit = min(len(self.toks), k + 9)
        while k < limit and self.word(k) not in (",", ".", ";", "(", ")"):
            c, actor, after = self.qualifier(k)
            if c:
                country = country or c
                if actor is not None and getattr(actor, "kind", "") == "organisation" and actor.sector:
                    sector = actor.sector
                k = max(after, k + 1)
                continue
            r, s, kind, after = self.role_run(k)
            if kind in ("role", "sector", "leader"):
                roles += r
                sector = sector or s
                k = after
                continue
            k += 1
        if not (sector or roles):
            return None
        if cand is None:
            name = self.text[self.toks[i][0]:self.toks[end - 1][1]]
            self.emit(i, end, "name", country=country, roles=tuple(roles), sector=sector or "GOV", name=name)
        else:
            cand.country = cand.country or country
            cand.roles = cand.roles or tuple(roles)
        return end

    def _plural_noun(self, j: int) -> bool:
        word = self.word(j)
        if j in self.hits or not word.isalpha() or len(word) < 4:
            return False
        if word[:1].isupper():  # "Iraqi Kurds", "Russian Jews": a people named after the country's adjective
            return word.endswith("s") and not word.endswith("ss") and word[1:].islower()
        if not word.endswith("s") or word.endswith(("ss", "us", "is")) or is_past_form(word):
            return False
        from .lemmas import lemma
        return lemma(word) != word.lower()  # the lemma table knows it as a plural

    def _demonym_as_noun(self, hit: _Hit) -> bool:
        """"the Palestinians", "Americans said": a plural demonym standing alone names the people."""
        word = self.word(hit.j - 1)
        after = self.word(hit.j)
        if not word.endswith("s") or (after[:1].isupper() and after not in _NAME_STOP):
            return False
        nxt = self.hits.get(hit.j)
        return not (nxt and nxt.of("sector", "role", "demonym", "country"))

    def _locative(self, i: int) -> bool:
        k = i - 1
        while k > 0 and i - k <= 3 and self.low(k) in _PLACE_MODIFIERS:  # "in the south of", "in northern"
            k -= 1
        return self.low(k) in self.refs.locative

    def _time_word(self, i: int) -> bool:
        """A month or weekday used as a date ("in May", "May 16"), not as a surname ("May said")."""
        from .dates import time_words

        words = time_words()
        w = self.low(i)
        if w not in words["months"] and w not in words["weekdays"]:
            return False
        return self.low(i - 1) in _TIME_PREPOSITIONS or self.word(i + 1).isdigit() or self.word(i - 1).isdigit()
