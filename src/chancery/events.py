"""The "extract: events" stage: who did what to whom, when and where, in PLOVER.

For each sentence (and each removed photo caption, which often states the event itself):

1. trigger phrases from the lexicon are matched over lemmas; the longest wins where they overlap;
2. the source is the nearest actor before the trigger in its clause (a compound "X and Y" gives
   source X and target Y; a pair such as "the two sides" gives its two members); the target is
   the actor after the trigger where the entry says (object, "with X", "on X", "between X and Y");
   a passive ("was attacked by X") swaps them;
3. the status comes from cues between the source and the trigger (negation, modality, future),
   the threat that governs it, commemoration cues next to it, and the resolved date;
4. the date is the nearest time expression of the sentence, else the publication date;
   the location a place named in the sentence, else the dateline;
5. reports of the same happening in one article (type, actors, date, status) merge into one event.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from .annotate import Annotator, anchor_date
from .knowledge import norm_token, phrase_key, token_index, tokens
from .lemmas import lemmas_of
from .lexicon import Lexicon, Pattern, lexicon
from .quotes import quoted_spans, speech_words
from .records import Actor, Article, Mention, TimeExpr
from .sentences import ByStart, split_sentences
from .tense import is_past_form
from .wordlists import any_of, load, quantity_heads

SYMMETRIC = frozenset({"CONSULT", "AGREE", "COOPERATE"})
_SETTING = frozenset(load("references.toml")["words"]["setting"])  # "in the centre of Lusaka"
_BEFORE_NAME = frozenset(load("references.toml")["words"]["before_name"])
_INTERNATIONAL = frozenset({"IGO", "NGO"})  # sectors whose unnamed groups need not belong to a country
_POSSESSIVES = frozenset({"his", "her", "their", "its"})
_PREPOSITIONS = frozenset(load("references.toml")["words"]["prepositions"])
_CLAUSE_BREAK = frozenset({";"})  # dashes are mostly parenthetical ("Russia – then the Soviet Union – played")
_AUXILIARY = re.compile(r"[\s,]*(?:(?:has|had|also|then)\s+)?")


@dataclass(frozen=True)
class StatusCues:
    negation: re.Pattern
    hypothetical: re.Pattern
    future: re.Pattern
    historical: re.Pattern
    intent_types: frozenset[str]
    historical_years: int
    framing_types: frozenset[str]
    intent_frames: re.Pattern
    intent_applies: frozenset[str]
    intent_cameo: dict[str, str]
    exhortation_frames: re.Pattern
    needs_target: frozenset[str]
    future_intent_applies: frozenset[str]
    future_intent_frames: re.Pattern
    continuation: re.Pattern
    place_target_types: frozenset[str]
    domestic_target_types: frozenset[str]
    refusal: re.Pattern
    threat_types: frozenset[str]
    threat_codes: dict[str, tuple[str, str | None]]
    threat_frames: re.Pattern


@lru_cache(maxsize=1)
def status_cues() -> StatusCues:
    data = load("status.toml")
    return StatusCues(any_of(data["negation"]), any_of(data["hypothetical"]), any_of(data["future"]),
                      any_of(data["historical"]), frozenset(data["intent_types"]), int(data["historical_years"]),
                      frozenset(data["framing_types"]), any_of(data["intent"]["frames"]),
                      frozenset(data["intent"]["applies_to"]), dict(data["intent"]["cameo"]),
                      any_of(data["exhortation"]["frames"]), frozenset(data["needs_target"]),
                      frozenset(data["intent"]["future_applies_to"]), any_of(data["intent"]["future_frames"]),
                      any_of(data["intent"]["continuation"]),
                      frozenset(data["place_target_types"]), frozenset(data["domestic_target_types"]),
                      any_of(data["refusal_cues"]), frozenset(data["threat_types"]),
                      {t: (v["cameo"], v.get("mode") or None) for t, v in data["threat"].items()},
                      any_of(data["threat_frames"]))


@dataclass
class Event:
    article: str
    sentence: int | None
    text: str
    span: list[int] | None
    type: str
    mode: str | None
    cameo: str
    quad: str
    intensity: float
    source: dict | None
    target: dict | None
    date: str | None
    date_precision: str | None
    date_source: str
    location: dict | None
    status: str
    confidence: float
    rule: str
    mentions: int = 1
    evidence: list[dict] = field(default_factory=list)
    section: str = "body"
    status_cue: str | None = None
    id: str = ""
    story: str | None = None

    def key(self) -> tuple:
        s = (self.source or {}).get("country") or (self.source or {}).get("name")
        t = (self.target or {}).get("country") or (self.target or {}).get("name")
        pair = tuple(sorted((str(s), str(t)))) if self.type in SYMMETRIC else (s, t)
        # the CAMEO code tells apart happenings of one type on one day: a phone call (043) is not the
        # meeting (040), signing documents (057) is not a pledge (03x)
        return self.type, self.cameo[:2], self.mode, pair, self.date, self.status

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


class EventExtractor:
    def __init__(self, annotator: Annotator, lex: Lexicon | None = None, pattern_files: tuple[str, ...] = ()) -> None:
        self.annotator = annotator
        self.lex = lex or lexicon(tuple(pattern_files))
        self.cues = status_cues()

    def __call__(self, article: Article) -> list[Event]:
        anchor = anchor_date(article)
        events: list[Event] = []
        mentions, times = ByStart(article.mentions), ByStart(article.times)
        for i, (start, end) in enumerate(article.sentences):
            events += self.sentence_events(article, article.text, start, end, i, mentions.starting(start, end),
                                           times.starting(start, end), anchor)
        for part in article.removed:
            if part.kind == "caption":
                mentions, times = self.annotator.annotate_text(part.text, anchor)
                for s, e in split_sentences(part.text):
                    for ev in self.sentence_events(article, part.text, s, e, None, mentions, times, anchor):
                        ev.section, ev.span = "caption", None
                        for item in ev.evidence:  # its span is into the caption, also once merged into a body event
                            item["section"] = "caption"
                        events.append(ev)
        return merge(events, article.id)

    # -- one sentence -----------------------------------------------------------------------------

    def sentence_events(self, article: Article, text: str, start: int, end: int, index: int | None,
                        mentions: list[Mention], times: list[TimeExpr], anchor: str | None) -> list[Event]:
        actors = [m for m in mentions if start <= m.start < end and m.actor.kind not in ("place", "adjective")]
        places = [m for m in mentions if start <= m.start < end and m.actor.kind == "place"]
        if not actors and not places:
            return []  # every event needs a source among these (most sentences of most news name none)
        indexed = token_index(text)
        within = indexed.within(start, end)
        if within is not None:  # the sentence's tokens, as the mention finder made them
            toks = indexed.tokens[within[0]:within[1]]
            norms = indexed.norm[within[0]:within[1]]
        else:
            toks = [(s + start, e + start, w) for s, e, w in tokens(text[start:end])]
            norms = [norm_token(w) for _, _, w in toks]
        if not toks:
            return []
        words = [w for _, _, w in toks]
        found = self.lex.matches(lemmas_of(norms), words)
        if not found:
            return []
        chosen = _longest_first(found)
        adjectives = [m for m in mentions if start <= m.start < end and m.actor.kind == "adjective"]
        sentence_times = [t for t in times if start <= t.start < end]
        slogans = [(a, b) for a, b, _, _ in quoted_spans(text[start:end]) if len(text[start + a:start + b].split()) < 6]
        chosen = [(i, j, p) for i, j, p in chosen
                  if not any(start + a <= toks[i][0] < start + b for a, b in slogans)]
        frames = [toks[i][0] for i, _, p in chosen if p.type in self.cues.framing_types]
        out = []
        for i, j, pattern in chosen:
            t_start = toks[i][0]
            if any(a < t_start and _clause(text, start, end, a, a + 1)[1] >= t_start for a in frames):
                continue  # the act a threat or a request names is not itself an event
            event = self._event(article, text, start, end, index, toks, i, j, pattern, actors, places,
                                sentence_times, anchor, adjectives)
            if event is not None:
                out.append(event)
        return out

    def _event(self, article, text, start, end, index, toks, i, j, pattern: Pattern, actors, places, times,
               anchor, adjectives=()) -> Event | None:
        t_start, t_end = toks[i][0], toks[j - 1][1]
        clause_start, clause_end = _clause(text, start, end, t_start, t_end)
        # "…, the World Food Program said Monday": who reports the act is not its target, nor where it happened
        clause_end = min(clause_end, _attribution_start(text, t_end, end))
        # places can be targets ("a state visit to Russia"), never sources
        candidates = [m for m in sorted(actors + places, key=lambda m: m.start)
                      if m.actor.kind != "place" or m.start > t_start]
        source_m, target_m = self._arguments(text, pattern, candidates, clause_start, clause_end, t_start, t_end)
        if source_m is None:
            return None
        became = self._intent(text, pattern, source_m, clause_start, t_start)
        if target_m is None and became.type in SYMMETRIC and pattern.type not in SYMMETRIC:
            # "Bosnia and Slovenia agreed to a ceasefire": an intent of both, one with the other
            left = [m for m in candidates if clause_start <= m.start and m.end <= t_start]
            if source_m in left:
                target_m = _compound_partner(text, left, source_m)
        pattern = became
        if pattern.id.endswith("+exhortation"):
            # "Britain's minister said that Libya must hand over …": the speaker asks, the subject is asked
            speaker = _reporting_speaker(text, actors, start, source_m)
            if speaker is not None and not _same(speaker, source_m):
                source_m, target_m = speaker, source_m
        if target_m is None and pattern.target != "none":  # "shelled Iraqi towns": the country of the object
            target_m = next((m for m in adjectives if t_start < m.start < clause_end
                             and m.actor.country != source_m.actor.country), None)
        if target_m is None and pattern.type in self.cues.place_target_types:
            target_m = next((m for m in places if clause_start <= m.start < clause_end), None)
        if target_m is None and pattern.type in self.cues.needs_target and source_m.actor.kind != "pair":
            return None  # a consultation needs a counterpart
        source, target = _actor_of(source_m), _actor_of(target_m) if target_m else None
        if source_m.actor.kind == "pair" and source_m.actor.members:
            a, b = source_m.actor.members
            if target is None or pattern.type in SYMMETRIC:  # "the two sides signed …": one with the other
                source, target = _plain(a, source_m.text), _plain(b, source_m.text)
            else:
                source = _plain(a, source_m.text)
        elif target_m is not None and target_m.actor.kind == "pair" and target_m.actor.members:
            target = _plain(target_m.actor.members[1], target_m.text)
        # "prisoners rioted at a jail in Dili", "killed three ethnic Albanians in southern Serbia": a group
        # nobody names the country of is where its clause is set
        where = next((m for m in sorted(places + actors, key=lambda m: m.start)
                      if clause_start <= m.start < clause_end and m.actor.country
                      and (m.actor.kind == "place" or m.how == "metonym" and _preceded_by(text, m, _SETTING))), None)
        if where is not None:
            if source.get("country") is None and source_m.actor.kind == "group" and source.get("sector") not in _INTERNATIONAL:
                source = dict(source, country=where.actor.country, how=f"{source['how']}+place")
            if target is not None and target.get("country") is None and target_m is not None and \
                    target_m.actor.kind == "group" and target.get("sector") not in _INTERNATIONAL:
                target = dict(target, country=where.actor.country, how=f"{target['how']}+place")
        if target is None and pattern.type in self.cues.domestic_target_types and source.get("country"):
            target = {"text": "", "name": source.get("country"), "country": source.get("country"), "sector": None,
                      "how": "domestic"}
        # a time counts for the event when it stands in the trigger's clause, before the trigger or
        # close after it within its predicate; "… suspected of blowing up a plane in 1988" dates another act
        predicate_end = _predicate_end(text, t_end, end)
        when = _nearest_time([t for t in times if clause_start <= t.start and t.end <= predicate_end
                              and (t.end <= t_start or t.start - t_end < 70)], t_start, t_end)
        status, cue = self._status(text, pattern, source_m, clause_start, t_start, t_end, start, end, when, anchor)
        pattern, status, cue = self._reframe(text, pattern, status, cue, source_m, clause_start, t_start, t_end, end)
        date, precision, date_source = _date(when, anchor, article)
        location = _location(places, clause_start, clause_end) or self._dateline_location(article)
        confidence = 0.9 - (0.15 if source_m.how in ("pronoun", "role", "pair") else 0) - (0.2 if target is None else 0)
        return Event(article=article.id, sentence=index, text=text[start:end], span=[start, end],
                     type=pattern.type, mode=pattern.mode, cameo=pattern.cameo, quad=pattern.quad,
                     intensity=pattern.intensity, source=source, target=target, date=date,
                     date_precision=precision, date_source=date_source, location=location, status=status,
                     confidence=round(max(confidence, 0.3), 2), rule=pattern.id, status_cue=cue,
                     evidence=[{"article": article.id, "text": text[t_start:t_end], "span": [t_start, t_end]}])

    def _dateline_location(self, article: Article) -> dict | None:
        """The dateline's place with its country, looked up in the knowledge (capitals and cities)."""
        if not article.dateline or not article.dateline.place:
            return None
        place = article.dateline.place
        entries = self.annotator.kb.phrases.get(phrase_key(place), ())
        country = next((e.value.country for e in entries if e.kind in ("country", "metonym")), None)
        return {"name": place, "country": country}

    def _intent(self, text: str, pattern: Pattern, source_m: Mention, c_start: int, t_start: int) -> Pattern:
        """"is ready to strengthen cooperation" states an intent (AGREE, CAMEO 03x); "should
        strengthen cooperation" or "stressed the need to" exhorts (REQUEST, CAMEO 02x)."""
        if pattern.type not in self.cues.intent_applies:
            return pattern
        lead = text[max(min(source_m.end, t_start), c_start):t_start]
        trigger_head = " ".join(text[t_start:].split()[:2])  # "agreed to a ceasefire": the frame opens the trigger
        announced = pattern.type in self.cues.future_intent_applies and self.cues.future_intent_frames.search(lead) \
            and not self.cues.continuation.search(lead)
        if self.cues.intent_frames.search(lead) or self.cues.intent_frames.match(trigger_head) or announced:
            return dataclasses.replace(pattern, type="AGREE", mode=None, id=f"{pattern.id}+intent",
                                       cameo=self.cues.intent_cameo.get(pattern.type, "030"))
        if self.cues.exhortation_frames.search(lead):
            return dataclasses.replace(pattern, type="REQUEST", mode=None, id=f"{pattern.id}+exhortation",
                                       cameo="020")
        return pattern

    def _reframe(self, text, pattern: Pattern, status: str, cue, source_m: Mention, c_start: int, t_start: int,
                 t_end: int, s_end: int) -> tuple[Pattern, str, str | None]:
        """"will not accept" is a rejection; "will extend the curfew" or "could impose sanctions if" a threat."""
        lead = text[max(min(source_m.end, t_start), c_start):t_start]
        if status == "negated" and (m := self.cues.refusal.search(lead)):
            return dataclasses.replace(pattern, type="REJECT", mode=None, cameo="120", id=f"{pattern.id}+refusal"), \
                "asserted", m.group()
        conditional = re.search(r"\b(?:if|unless)\b", text[t_end:s_end], re.IGNORECASE)
        # "NATO confirmed it would tighten the blockade": "would" in reported speech is a future
        reported = status == "hypothetical" and (cue or "").lower() == "would" and \
            speech_words().verbs.search(text[c_start:t_start])
        announced = status == "asserted" and self.cues.threat_frames.search(lead)
        if pattern.type in self.cues.threat_types and (status == "future" or status == "hypothetical"
                                                       and (conditional or reported) or announced):
            cameo, mode = self.cues.threat_codes.get(pattern.type, ("130", None))
            return dataclasses.replace(pattern, type="THREATEN", cameo=cameo, mode=mode, id=f"{pattern.id}+threat"), \
                "asserted", cue
        return pattern, status, cue

    def _arguments(self, text, pattern: Pattern, actors: list[Mention], c_start: int, c_end: int,
                   t_start: int, t_end: int) -> tuple[Mention | None, Mention | None]:
        left = [m for m in actors if c_start <= m.start and m.end <= t_start]
        # "briefed Xi about": an actor inside the trigger's gap comes first among the objects
        right = [m for m in actors if t_start < m.start and m.end <= c_end and not _speaker(text, m)
                 and m.text.lower() not in _POSSESSIVES]
        if pattern.source == "between":
            pair = _between(text, right)
            if pair:
                return pair
        passive = _passive(text, t_start, t_end)
        if passive:
            agent = next((m for m in right if _preceded_by(text, m, {"by"})), None)
            patient = _subject(text, left)
            if agent is not None:
                return agent, patient
            if patient is not None and pattern.type in ("ASSAULT", "COERCE"):
                # "three servicemen were killed by a bomb outside the Iraqi city": the doer is unnamed;
                # the country named after the trigger, if any, stands for it
                where = next((m for m in right if m.actor.kind in ("place", "adjective", "country")
                              and m.actor.country != patient.actor.country), None)
                return where, patient
        source = None
        participle = re.search(r",\s*$", text[c_start:t_start]) and \
            text[t_start:t_end].split()[0].lower().endswith("ing")
        coordinated = re.search(r"(?:,\s*|\s)and\s+(?:then\s+|also\s+)?$", text[c_start:t_start]) and \
            is_past_form(text[t_start:t_end].split()[0])
        if participle or coordinated:
            # ", killing about 20 people" / "… killed one soldier and wounded two others": the second verb
            # shares the main clause's subject, not the first verb's object
            source = next((m for m in left if not _preceded_by(text, m, _PREPOSITIONS)
                           and (not coordinated or m.end <= _first_verb(text, c_start, t_start))), None)
        if source is None and pattern.source == "possessor":  # "Xi's state visit", "China's condemnation of …"
            source = next((m for m in reversed(left) if _possessive(text, m) and t_start - m.end < 40), None)
        source = source or _subject(text, left)
        if source is None:
            return None, None
        partner = _compound_partner(text, left, source) if pattern.type in SYMMETRIC else None
        target = partner or self._target(text, pattern, right)
        if target is None and pattern.type in SYMMETRIC:
            target = next((m for m in left if m is not source and m.actor.kind != "pair"
                           and m.actor.country != source.actor.country and m.start < source.start
                           and not _preceded_by(text, m, _PREPOSITIONS) and not _possessive(text, m)), None)
        if target is not None and _same(target, source):
            target = None
        return source, target

    def _target(self, text: str, pattern: Pattern, right: list[Mention]) -> Mention | None:
        if pattern.target == "none" or not right:
            return None
        if pattern.target == "between":
            pair = _between(text, right)
            return pair[0] if pair else None  # a mediator's first party; the source is the subject
        if pattern.target not in ("object", "to", "with"):
            wanted = {pattern.target}
            exact = next((m for m in right if _preceded_by(text, m, wanted)), None)
            if exact is not None:
                return exact
        if pattern.target != "to" and pattern.target != "with":  # object, or a preposition not found
            first = right[0]
            if not _preceded_by(text, first, _PREPOSITIONS - {"to", "with", "on", "against", "for"}):
                return first
            plain = next((m for m in right if not _preceded_by(text, m, {"of", "in", "at", "by"})), None)
            # "rejected the proposal put forward by Brazil", "an offer from Kabul": the object's owner
            return plain or next((m for m in right if m.actor.kind != "place"
                                  and _preceded_by(text, m, {"of", "by", "from"})), None)
        wanted = {pattern.target}
        exact = next((m for m in right if _preceded_by(text, m, wanted)), None)
        if exact is not None:
            return exact
        # "met with" written "met": the first actor after the trigger that is not a place being set
        return next((m for m in right if m.actor.kind != "place" and not _preceded_by(text, m, {"in", "at", "of", "by"})),
                    None)

    def _status(self, text, pattern: Pattern, source_m: Mention, c_start: int, t_start: int, t_end: int,
                s_start: int, s_end: int, when: TimeExpr | None, anchor: str | None) -> tuple[str, str | None]:
        """The status and the cue that decided it."""
        cues = self.cues
        lead = text[max(min(source_m.end, t_start), c_start):t_start] + " " + text[t_start:t_end]
        # what the trigger's clause is about: "hailed the roles … played in the victory in World War II"
        near_end = _predicate_end(text, t_end, s_end)
        that = re.search(r"\bthat\b", text[t_end:near_end])
        if that and pattern.type in cues.framing_types:
            # "demanded an admission that … murdered officers during World War Two": what is demanded is past
            near_end = t_end + that.start()
        near = text[max(s_start, t_start - 60):near_end]
        if m := cues.historical.search(near):
            return "historical", m.group()
        if _long_ago(when, anchor, cues.historical_years):
            return "historical", when.text
        if m := cues.negation.search(lead[:len(lead) - (t_end - t_start)]):  # "refused to" as a trigger is a REJECT
            return "negated", m.group()
        if pattern.type == "THREATEN":
            return "asserted", None
        m = cues.hypothetical.search(lead)
        if m is None and re.search(r"\b(?:if|unless)\b", text[t_end:s_end], re.IGNORECASE):
            m = cues.hypothetical.search(text[s_start:t_start])
        if m:
            return ("hypothetical" if pattern.type not in cues.intent_types else "asserted"), m.group()
        if m := cues.future.search(lead):
            return ("future" if pattern.type not in cues.intent_types else "asserted"), m.group()
        if when is not None and when.tense == "future" and anchor and when.date and when.date > anchor:
            return ("future" if pattern.type not in cues.intent_types else "asserted"), when.text
        return "asserted", None


# -- helpers --------------------------------------------------------------------------------------


def _longest_first(found: list[tuple[int, int, Pattern]]) -> list[tuple[int, int, Pattern]]:
    chosen: list[tuple[int, int, Pattern]] = []
    for i, j, p in sorted(found, key=lambda m: (-(m[1] - m[0]), m[0])):
        if all(j <= a or i >= b for a, b, _ in chosen):
            chosen.append((i, j, p))
    return sorted(chosen, key=lambda m: m[0])


def _clause(text: str, s_start: int, s_end: int, t_start: int, t_end: int) -> tuple[int, int]:
    left = max((text.rfind(c, s_start, t_start) for c in _CLAUSE_BREAK), default=-1)
    right_candidates = [text.find(c, t_end, s_end) for c in _CLAUSE_BREAK]
    right = min((r for r in right_candidates if r >= 0), default=s_end)
    return (left + 1 if left >= s_start else s_start), right


def _preceded_by(text: str, m: Mention, words: set[str] | frozenset[str]) -> bool:
    before = text[max(0, m.start - 40):m.start].lower().split()
    while before and before[-1] in _BEFORE_NAME:
        before.pop()
    if len(before) >= 2 and before[-1] == "of" and before[-2] in quantity_heads():
        return False  # "thousands of protesters": the protesters are the head
    return bool(before) and before[-1].strip(",.;:“”\"'") in words



def _subject(text: str, left: list[Mention]) -> Mention | None:
    """The nearest actor before the trigger that is not the object of a preposition, nor an item of
    a list a preposition opens ("platforms including the UN, the SCO, BRICS and G20")."""
    for k in range(len(left) - 1, -1, -1):
        m = left[k]
        head = k
        while head > 0 and re.fullmatch(r"\s*(?:,|and|&|or)?\s*(?:the\s+)?", text[left[head - 1].end:left[head].start],
                                        re.IGNORECASE):
            head -= 1
        if _preceded_by(text, left[head], _PREPOSITIONS) or _preceded_by(text, m, _PREPOSITIONS):
            continue
        if k > 0 and re.match(r"\s*,\s*(?:a|an|the)\b[^,]*$", text[left[k - 1].end:m.start]) and \
                "," in text[m.end:left[-1].end + 200]:
            continue  # "Pakistan, a key U.S. ally in the war, has refused": the ally is an aside
        compound = _compound_head(text, left, m)
        return compound or m
    return None


def _compound_head(text: str, left: list[Mention], m: Mention) -> Mention | None:
    """In "Xi and Putin held talks", the nearest actor is Putin; the compound's head is Xi."""
    idx = left.index(m)
    if idx > 0:
        prev = left[idx - 1]
        between = text[prev.end:m.start].strip().lower()
        if between in ("and", ",", "&") and not _preceded_by(text, prev, _PREPOSITIONS):
            return prev
    return None


def _compound_partner(text: str, left: list[Mention], source: Mention) -> Mention | None:
    idx = left.index(source) if source in left else -1
    if 0 <= idx < len(left) - 1:
        nxt = left[idx + 1]
        if text[source.end:nxt.start].strip().lower() in ("and", ",", "&"):
            return nxt
    return None


def _predicate_end(text: str, t_end: int, s_end: int) -> int:
    """Where the trigger's own predicate stops: at a clause break, at a relative clause ("… rebels
    who entered the country two years ago"), or at "and"/"," before a new finite verb ("paid a state
    visit to Russia and attended celebrations …")."""
    stop = _clause(text, t_end, s_end, t_end, t_end)[1]
    relative = re.search(r"\b(?:who|whom|which|whose|where)\b", text[t_end:stop])
    if relative:
        stop = t_end + relative.start()
    for m in re.finditer(r"(?:,|\band\b)\s+([A-Za-z]+)", text[t_end:stop]):
        if is_past_form(m.group(1)):
            return t_end + m.start()
    return stop


def _reporting_speaker(text: str, actors: list[Mention], s_start: int, subject: Mention) -> Mention | None:
    """The actor who reports the clause: "X said (that) …" before it, or "…, X said" after it."""
    verbs = speech_words().verbs
    for m in reversed([a for a in actors if s_start <= a.start and a.end <= subject.start]):
        between = text[m.end:subject.start]
        if verbs.search(between) and len(between) < 80 and m.actor.kind in ("person", "country", "group",
                                                                              "organisation"):
            return m
    after = [a for a in actors if a.start > subject.end and _speaker(text, a)]
    return after[0] if after else None


def _attribution_start(text: str, t_end: int, s_end: int) -> int:
    """Where a trailing attribution after the trigger begins: "…, according to the ministry" or a
    last comma-separated stretch that reports the sentence ("…, relief officials in Nairobi said
    Monday."); the end of the sentence when there is none."""
    tail = text[t_end:s_end]
    words = speech_words()
    cut = len(tail)
    for m in re.finditer(r",\s+|\s(?=according to\b)", tail):
        rest = tail[m.end():]
        if words.according.match(rest):
            cut = m.start()
            break
        last = re.fullmatch(r"([^,;]{0,90}?)\b(?:" + words.verbs.pattern + r"|reported|reports|quoted|told\s+\w+)\b"
                            r"[^,;]{0,60}", rest.rstrip(" .!?\"'”’)"), re.IGNORECASE)
        if last and not re.search(r"\b(?:that|it|they|he|she|we)\b", last.group(1), re.IGNORECASE):
            cut = m.start()
            break
    return t_end + cut


def _first_verb(text: str, start: int, end: int) -> int:
    """Offset of the first past-tense verb between start and end (end when there is none)."""
    for m in re.finditer(r"[A-Za-z]+", text[start:end]):
        if m.group()[0].islower() and is_past_form(m.group()):
            return start + m.start()
    return end


def _possessive(text: str, m: Mention) -> bool:
    return text[m.end:m.end + 2] in ("'s", "’s") or m.text.lower() in _POSSESSIVES


def _speaker(text: str, m: Mention) -> bool:
    """"…, Putin said": the speaker reporting the clause is not one of its arguments."""
    at = _AUXILIARY.match(text, m.end).end()
    # ("Peru shares expertise with Bolivia according to …": Bolivia is not the one quoted; what
    # follows "according to" is cut off as attribution, see _attribution_start)
    return bool(speech_words().verbs.match(text, at))


def _between(text: str, right: list[Mention]) -> tuple[Mention, Mention] | None:
    for k, m in enumerate(right[:-1]):
        if _preceded_by(text, m, {"between"}) and text[m.end:right[k + 1].start].strip().lower() in ("and", "&"):
            return m, right[k + 1]
    return None


def _passive(text: str, t_start: int, t_end: int) -> bool:
    before = text[max(0, t_start - 25):t_start].lower().split()
    return bool(before) and before[-1] in ("was", "were", "been", "being", "is", "are", "be") and \
        text[t_start:t_end].lower().endswith("ed")


def _same(a: Mention, b: Mention) -> bool:
    return a.actor.name == b.actor.name and a.actor.country == b.actor.country


def _actor_of(m: Mention | None) -> dict | None:
    if m is None:
        return None
    a = m.actor
    if a.kind == "place":  # "a visit to Moscow": the country whose territory it is
        return {"text": m.text, "name": a.name, "country": a.country, "sector": "GOV", "how": "place"}
    out = {"text": m.text, "name": a.name, "country": a.country, "sector": a.sector, "how": m.how}
    if a.kind == "pair":
        out["members"] = [x.to_dict() for x in a.members]
    return out


def _plain(a: Actor, text: str) -> dict:
    return {"text": text, "name": a.name, "country": a.country, "sector": a.sector, "how": "pair"}


def _nearest_time(times: list[TimeExpr], t_start: int, t_end: int) -> TimeExpr | None:
    # a span of years ("make 2026-27 the Years of Education") names a period, not when the act happened
    dated = [t for t in times if t.date and not (t.until and t.precision == "year")]
    if not dated:
        return None
    return min(dated, key=lambda t: t_start - t.end if t.end <= t_start else t.start - t_end if t.start >= t_end else 0)


def _date(when: TimeExpr | None, anchor: str | None, article: Article) -> tuple[str | None, str | None, str]:
    if when is not None and when.date:
        return when.date, when.precision, when.source
    if anchor:
        return anchor, "day", "published" if article.published else "dateline"
    return None, None, "none"


def _long_ago(when: TimeExpr | None, anchor: str | None, years: int) -> bool:
    return bool(when and when.date and anchor and int(when.date[:4]) <= int(anchor[:4]) - years)


def _location(places: list[Mention], c_start: int, c_end: int) -> dict | None:
    inside = [m for m in places if c_start <= m.start < c_end]
    if not inside:
        return None
    m = inside[0]
    return {"name": m.actor.name, "country": m.actor.country}


def _who(actor: dict | None) -> str | None:
    return (actor or {}).get("country") or (actor or {}).get("name")


def merge(events: list[Event], article_id: str) -> list[Event]:
    """Reports of the same happening in one article become one event with several mentions."""
    merged: dict[tuple, Event] = {}
    for ev in events:
        k = ev.key()
        if k in merged:
            first = merged[k]
            first.mentions += 1
            first.evidence += ev.evidence
            first.confidence = round(min(0.99, max(first.confidence, ev.confidence) + 0.02), 2)
            if first.target is None and ev.target is not None:
                first.target = ev.target
        else:
            merged[k] = ev
    out = list(merged.values())
    # an event without a target is the same report as one with a target and otherwise the same key
    complete = {}
    for e in out:
        if e.target is not None:
            sides = (e.source, e.target) if e.type in SYMMETRIC else (e.source,)
            for side in sides:
                complete.setdefault((e.type, e.cameo[:2], _who(side), e.date, e.status), e)
    kept = []
    for ev in out:
        twin = complete.get((ev.type, ev.cameo[:2], _who(ev.source), ev.date, ev.status)) if ev.target is None else None
        if twin is not None:
            twin.mentions += ev.mentions
            twin.evidence += ev.evidence
        else:
            kept.append(ev)
    out = kept
    for n, ev in enumerate(out):
        ev.id = hashlib.sha1(f"{article_id}|{n}|{ev.rule}|{ev.text[:60]}".encode()).hexdigest()[:16]
    return out
