"""The "extract: quotes" stage: who said what, directly or in reported speech.

Direct quotes are found in every quotation style (“…”, "…", ‘…’, «…», „…“, ``…''), across
sentences and paragraphs (a paragraph that opens a quote without closing it continues into the
next). The speaker comes from the attribution after the quote ("…,” Xi told Putin", "…,” said
Lavrov", "… .” Xi's assertion …") or before it ("Xi said: “…”"); a quote paragraph with no
attribution takes the previous quote's speaker. Short quoted fragments inside reported speech are
`partial`; quoted names and slogans ("a “comprehensive strategic partnership”") are not speech.

Indirect speech: "X said (that) …", "…, X said", "X, for his part, said that …", "according to X".
Speakers are the actors resolved by the annotate stage (pronouns, roles, organisations); "the
declaration said" is the organisation the text named last.
"""
from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from .records import Article, Mention
from .sentences import ByStart
from .wordlists import any_of, any_of_lowered, load, lowered

_PAIRS = {"“": "”", "«": "»", "„": "“", "‘": "’", '"': '"', "``": "''", "‹": "›"}
_ALSO_CLOSES = {"“": '"', "‘": "'", "``": '"'}  # typography often mixes curly and straight marks
_OPENING = re.compile(r"``|[“«„‘\"‹]")
_SPEAKER_KINDS = frozenset({"person", "organisation", "country", "group", "pair"})


@dataclass(frozen=True)
class SpeechWords:
    verbs: re.Pattern
    nouns: re.Pattern
    documents: re.Pattern
    according: re.Pattern
    name_markers: frozenset[str]
    verbs_lowered: re.Pattern | None = None  # `verbs` for text wordlists.lowered has put in lower case
    according_lowered: re.Pattern | None = None  # the same for `according`
    verb_at_end: re.Pattern | None = None  # "…, said" at the end of a stretch


@lru_cache(maxsize=1)
def speech_words() -> SpeechWords:
    data = load("speech.toml")
    verbs = any_of(data["verbs"])
    return SpeechWords(verbs=verbs, nouns=any_of(data["nouns"]), documents=any_of(data["documents"]),
                       according=any_of(data["according"]), name_markers=frozenset(data["name_markers"]),
                       verbs_lowered=any_of_lowered(data["verbs"]), according_lowered=any_of_lowered(data["according"]),
                       verb_at_end=re.compile(r",\s*(?:" + verbs.pattern + r")\s*$", re.IGNORECASE))


@dataclass
class Quote:
    article: str
    speaker: dict | None
    text: str
    kind: str  # direct | indirect | partial
    span: list[int]
    cue: str | None
    sentence: int = -1
    id: str = ""

    def to_dict(self) -> dict:
        return {"id": self.id, "article": self.article, "speaker": self.speaker, "text": self.text,
                "kind": self.kind, "span": self.span, "cue": self.cue, "sentence": self.sentence}


class QuoteExtractor:
    def __init__(self) -> None:
        self.words = speech_words()
        self._verb_with_comma = "," in self.words.verbs.pattern

    def __call__(self, article: Article) -> list[Quote]:
        text = article.text
        starts = [s for s, _ in article.sentences]
        mentions = [m for m in article.mentions if m.actor.kind in _SPEAKER_KINDS]
        quotes: list[Quote] = []
        covered: list[tuple[int, int]] = []
        previous: Quote | None = None
        for q_start, q_end, o_start, o_end in quoted_spans(text):
            content = text[q_start:q_end]
            n_words = len(content.split())
            if n_words == 0:
                continue
            s_index = _sentence_index(starts, o_start)
            s_start = starts[s_index] if starts else 0
            before = text[max(s_start, _paragraph_start(text, o_start)):o_start]
            if self._is_name(before, n_words):
                continue
            speaker, cue = self._attribution(text, o_start, o_end, mentions)
            running = bool(before.strip()) and not before.rstrip().endswith((":", ","))
            if n_words < 6 and running:
                speaker = speaker or self._sentence_speaker(text, article, s_index, mentions)
                if speaker is not None:
                    quotes.append(Quote(article.id, speaker, content, "partial", [q_start, q_end], cue, s_index))
                covered.append((o_start, o_end))
                continue
            if speaker is None and previous is not None and previous.kind == "direct" and \
                    _paragraph_start(text, o_start) - previous.span[1] < 400 and not before.strip():
                speaker, cue = previous.speaker, previous.cue  # an unattributed quote paragraph
            quote = Quote(article.id, speaker, content, "direct", [q_start, q_end], cue, s_index)
            quotes.append(quote)
            covered.append((o_start, o_end))
            previous = quote
        quotes += self._indirect(article, mentions, covered)
        quotes.sort(key=lambda q: q.span[0])
        for n, q in enumerate(quotes):
            q.id = hashlib.sha1(f"{article.id}|{n}|{q.span}".encode()).hexdigest()[:16]
        return quotes

    # -- direct quotes ----------------------------------------------------------------------------

    def _is_name(self, before: str, n_words: int) -> bool:
        """"a “comprehensive strategic partnership …”", "what they called “economic bullying”"."""
        last = before.split()[-1:] if before.strip() else []
        if not last:
            return False
        word = last[0].lower().strip(",")
        tail = " ".join(before.lower().split()[-2:])
        return n_words < 15 and (word in self.words.name_markers or tail in self.words.name_markers
                                 or word in ("call", "described", "describe", "as"))

    def _attribution(self, text: str, o_start: int, o_end: int, mentions: list[Mention]) -> tuple[dict | None, str | None]:
        after = text[o_end:o_end + 90]
        after = after.split("\n", 1)[0]
        verb = self.words.verbs.search(after)
        if verb and verb.start() < 45 and not re.search(r"[.!?;]", after[:verb.start()].rstrip(" ,")[1:] or " "):
            window = (o_end, o_end + min(len(after), verb.end() + 40))
            speaker = self._speaker_in(text, window, mentions, near=o_end + verb.start(), quote_start=o_start)
            if speaker is not None:
                return speaker, verb.group().lower()
        noun = self.words.nouns.search(after)
        if noun and noun.start() < 60:
            window = (o_end, o_end + noun.start())
            speaker = self._speaker_in(text, window, mentions, near=o_end + noun.start(), quote_start=o_start)
            if speaker is not None:
                return speaker, noun.group().lower()
        para_start = _paragraph_start(text, o_start)
        before = text[para_start:o_start]
        lead = before[-120:]
        verb = None
        for m in self.words.verbs.finditer(lead):
            verb = m
        if verb is not None and re.fullmatch(r"[\s,:]*(?:that\s*)?", lead[verb.end():]) or \
                verb is not None and lead.rstrip().endswith(":"):
            offset = o_start - len(lead)
            speaker = self._speaker_in(text, (max(para_start, offset + verb.start() - 80), offset + verb.start()),
                                       mentions, near=offset + verb.start(), quote_start=o_start)
            if speaker is not None:
                return speaker, verb.group().lower()
        return None, None

    def _speaker_in(self, text: str, window: tuple[int, int], mentions: list[Mention], near: int,
                    quote_start: int) -> dict | None:
        inside = [m for m in mentions if window[0] <= m.start and m.end <= window[1]]
        if inside:
            # the speaker stands before the verb ("Xi told Putin"); after it only in "said Lavrov"
            before = [m for m in inside if m.end <= near]
            best = before[-1] if before else min(inside, key=lambda m: m.start - near)
            return _speaker(best)
        segment = text[window[0]:window[1]]
        if self.words.documents.search(segment):  # "the declaration said": who issued it
            issuer = [m for m in mentions if m.end <= quote_start and m.actor.kind == "organisation"]
            if issuer and quote_start - issuer[-1].end < 1500:
                return _speaker(issuer[-1])
        return None

    def _sentence_speaker(self, text: str, article: Article, s_index: int, mentions: list[Mention]) -> dict | None:
        if not article.sentences:
            return None
        s, e = article.sentences[s_index]
        verb = self.words.verbs.search(text, s, e)
        inside = [m for m in mentions if s <= m.start < e and m.actor.kind == "person"]
        if not inside:
            return None
        if verb:
            before = [m for m in inside if m.end <= verb.start()]
            return _speaker((before or inside)[-1] if before else inside[0])
        return _speaker(inside[0])

    # -- indirect speech --------------------------------------------------------------------------

    def _indirect(self, article: Article, mentions: list[Mention], covered: list[tuple[int, int]]) -> list[Quote]:
        text, out = article.text, []
        lower = lowered(text)
        by_start = ByStart(mentions)
        for index, (s, e) in enumerate(article.sentences):
            if any(a < e and s < b for a, b in covered):
                continue
            sentence = text[s:e]
            near = by_start.starting(s, e)
            # the speaker of "X said ..." and "..., X said" is one of the sentence's own mentions
            quote = near and (self._speaker_last(article, text, s, e, index, near)
                              or self._speaker_first(article, text, s, e, index, near, lower)) or \
                self._according(article, sentence, s, e, index, mentions, lower)
            if quote is not None:
                out.append(quote)
        return out

    def _speaker_first(self, article, text, s, e, index, mentions, lower: str | None = None) -> Quote | None:
        """"Putin, for his part, said that under the leadership …". `lower`: the text as wordlists.lowered
        gives it, where the verbs are found at the same offsets without matching case-insensitively."""
        verbs = self.words.verbs.finditer(text, s, e) if lower is None else \
            self.words.verbs_lowered.finditer(lower, s, e)
        for verb in verbs:
            subject = [m for m in mentions if s <= m.start and m.end <= verb.start()]
            # "Putin, for his part, said": the subject may stand before an aside
            m = next((m for m in reversed(subject) if re.fullmatch(
                r"\s*(?:,[^,]{0,40},\s*|\s(?:also|then|again|further|later)\s+)?\s*", text[m.end:verb.start()])), None)
            if m is None:
                continue
            rest = re.match(r"\s*(?:that\s+|on \w+ that\s+|,\s*)?", text[verb.end():e])
            c_start = verb.end() + rest.end()
            content = text[c_start:e].rstrip()
            if len(content.split()) >= 5 and not content.startswith(("“", '"', "«")):
                return Quote(article.id, _speaker(m), content, "indirect", [c_start, c_start + len(content)],
                             verb.group().lower(), index)
        return None

    def _speaker_last(self, article, text, s, e, index, mentions) -> Quote | None:
        """"China is ready to …, Xi said." / "…, said Lavrov."."""
        for m in mentions:
            if not (s <= m.start < e):
                continue
            before = text[s:m.start].rstrip()
            after = text[m.end:e]
            verb_after = self.words.verbs.match(after.lstrip())
            said_before = None
            if before.endswith(",") and verb_after:
                c_end = s + len(before) - 1
            elif said_before := self._said_at_end(before):
                c_end = s + said_before.start()
            else:
                continue
            content = text[s:c_end].strip()
            if len(content.split()) >= 5:
                cue = (verb_after.group() if verb_after else said_before.group().strip(", ")).lower()
                return Quote(article.id, _speaker(m), content, "indirect", [s, s + len(content)], cue, index)
        return None

    def _said_at_end(self, before: str) -> re.Match | None:
        """", said" ending `before` (which ends in no space). Neither a verb nor a space is a comma,
        so only the last comma can start it."""
        if self._verb_with_comma:  # then a verb may hold the comma: look everywhere
            return self.words.verb_at_end.search(before)
        comma = before.rfind(",")
        return self.words.verb_at_end.match(before, comma) if comma >= 0 else None

    def _according(self, article, sentence, s, e, index, mentions, lower: str | None = None) -> Quote | None:
        m = self.words.according.search(sentence) if lower is None else self.words.according_lowered.search(lower[s:e])
        if not m:
            return None
        who = [x for x in mentions if s + m.end() <= x.start < s + m.end() + 60]
        if not who:
            return None
        if m.start() > len(sentence) / 2:
            content = sentence[:m.start()].rstrip(" ,")
            c_start = s
        else:
            after_who = who[0].end - s
            comma = sentence.find(",", after_who)
            if comma < 0:
                return None
            content = sentence[comma + 1:].strip()
            c_start = s + sentence.index(content, comma)
        if len(content.split()) < 5:
            return None
        return Quote(article.id, _speaker(who[0]), content, "indirect", [c_start, c_start + len(content)],
                     m.group().lower(), index)


def _speaker(m: Mention) -> dict:
    a = m.actor
    if a.kind == "pair" and a.members:
        a = a.members[0]
    return {"text": m.text, "name": a.name, "country": a.country, "sector": a.sector}


def _sentence_index(starts: list[int], offset: int) -> int:
    return max(bisect.bisect_right(starts, offset) - 1, 0)


def _paragraph_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def quoted_spans(text: str) -> list[tuple[int, int, int, int]]:
    """(content start, content end, outer start, outer end) of every quotation, in order."""
    spans = []
    i = 0
    while True:
        m = _OPENING.search(text, i)
        if m is None:
            return spans
        opener = m.group()
        o_start, pos = m.start(), m.end()
        if opener == "‘" and not (o_start == 0 or not text[o_start - 1].isalnum()):
            i = pos
            continue
        if opener == '"' and o_start > 0 and text[o_start - 1].isalnum():
            i = pos  # a closing straight quote left over, or inches
            continue
        closer = _PAIRS[opener]
        end = _find_closer(text, pos, opener, closer)
        if end is None:
            i = pos
            continue
        c_end, o_end = end
        spans.append((pos, c_end, o_start, o_end))
        i = o_end


def _find_closer(text: str, pos: int, opener: str, closer: str) -> tuple[int, int] | None:
    """The closing mark; a paragraph break without one continues into a paragraph that re-opens."""
    while True:
        idx = text.find(closer, pos)
        if closer == "’":
            while idx >= 0 and idx + 1 < len(text) and text[idx + 1].isalpha():
                idx = text.find(closer, idx + 1)  # an apostrophe inside a word
        alt = _ALSO_CLOSES.get(opener)
        if alt:
            other = text.find(alt, pos)
            while other >= 0 and alt == "'" and other + 1 < len(text) and text[other + 1].isalpha():
                other = text.find(alt, other + 1)
            if other >= 0 and (idx < 0 or other < idx):
                closer, idx = alt, other
        brk = text.find("\n", pos)
        if idx >= 0 and (brk < 0 or idx < brk):
            return idx, idx + len(closer)
        if brk < 0:
            return None
        nxt = brk
        while nxt < len(text) and text[nxt].isspace():
            nxt += 1
        if text.startswith(opener, nxt):
            pos = nxt + len(opener)  # the quote goes on in the next paragraph
            continue
        return (brk, brk) if brk - pos > 0 and opener not in ('"', "‘") else None
