"""Quotes in each form, with speakers from the test knowledge file."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chancery.annotate import Annotator
from chancery.knowledge import Knowledge, load_file
from chancery.quotes import QuoteExtractor, quoted_spans
from chancery.records import Article
from chancery.sentences import split_sentences

MINI = Path(__file__).parent / "data" / "mini_actors.toml"


@pytest.fixture(scope="module")
def quotes():
    kb = Knowledge()
    load_file(kb, MINI)
    annotator = Annotator(kb=kb)
    extractor = QuoteExtractor()

    def run(text: str, day: str = "2025-09-02"):
        article = Article(id="t", source="t", raw=text, text=text, published=day)
        article.sentences = split_sentences(text)
        return extractor(annotator(article))
    return run


def brief(found):
    return [(q.kind, (q.speaker or {}).get("name"), q.text, q.cue) for q in found]


@pytest.mark.parametrize("text,words", [
    ("“We will keep our doors open to every partner,” Xi Jinping said.", "We will keep our doors open to every partner,"),
    ("\"We will keep our doors open to every partner,\" Xi Jinping said.", "We will keep our doors open to every partner,"),
    ("«We will keep our doors open to every partner», Xi Jinping said.", "We will keep our doors open to every partner"),
    ("„We will keep our doors open to every partner“, Xi Jinping said.", "We will keep our doors open to every partner"),
    ("``We will keep our doors open to every partner,'' Xi Jinping said.", "We will keep our doors open to every partner,"),
    ("‘We will keep our doors open to every partner,’ Xi Jinping said.", "We will keep our doors open to every partner,"),
])
def test_quotation_styles(quotes, text, words):
    [q] = quotes(text)
    assert (q.kind, q.speaker["name"], q.text) == ("direct", "Xi Jinping", words)
    assert text[q.span[0]:q.span[1]] == q.text


def test_speaker_before_with_colon(quotes):
    [q] = quotes("Sergey Lavrov said: “Our position on the matter has not changed at all.”")
    assert (q.speaker["name"], q.cue) == ("Sergey Lavrov", "said")


def test_said_before_the_name(quotes):
    [q] = quotes("“Nothing has been decided about the pipeline route yet,” said Dmitry Peskov.")
    assert q.speaker["name"] == "Dmitry Peskov"


def test_told_with_listener(quotes):
    [q] = quotes("“Our ties are a model for the region and the world,” Xi Jinping told Vladimir Putin.")
    assert (q.speaker["name"], q.cue) == ("Xi Jinping", "told")


def test_multi_paragraph_quote_and_carried_speaker(quotes):
    text = ("“The first part of what I want to say is about trade.\n\n“The second part is about security, "
            "and it matters more,” Sergey Lavrov said.\n\n“A third thing: we will talk again soon and often.”")
    found = quotes(text)
    assert [q.kind for q in found] == ["direct", "direct"]
    assert found[0].text.startswith("The first part") and "second part" in found[0].text
    assert found[0].speaker["name"] == "Sergey Lavrov"
    assert found[1].speaker["name"] == "Sergey Lavrov"  # an unattributed quote paragraph


def test_pronoun_speaker(quotes):
    found = quotes("Vladimir Putin arrived in the morning. “The talks were useful and very frank,” he said.")
    assert found[-1].speaker["name"] == "Vladimir Putin"


def test_possessive_assertion(quotes):
    [q] = quotes("“Friendship between our peoples will last for many generations to come.” "
                 "Xi Jinping's assertion was widely reported.")
    assert (q.speaker["name"], q.cue) == ("Xi Jinping", "assertion")


def test_document_speaks_for_its_issuer(quotes):
    text = ("The Shanghai Cooperation Organisation met in the city. “Member states oppose unilateral "
            "measures that violate international law,” the declaration said.")
    [q] = quotes(text)
    assert q.speaker["name"] == "Shanghai Cooperation Organisation"


def test_partial_quote_inside_reported_speech(quotes):
    [q] = quotes("Xi Jinping urged “like-minded” countries to work together.")
    assert (q.kind, q.speaker["name"], q.text) == ("partial", "Xi Jinping", "like-minded")


def test_names_and_slogans_are_not_speech(quotes):
    assert quotes("The ties became a “comprehensive strategic partnership” last year.") == []
    assert quotes("Officials condemned what they called “economic bullying” by others.") == []


@pytest.mark.parametrize("text,speaker,start", [
    ("Sergey Lavrov said that the two countries would expand trade in national currencies.", "Sergey Lavrov",
     "the two countries would expand"),
    ("The two countries will expand trade in national currencies, Sergey Lavrov said on Monday.",
     "Sergey Lavrov", "The two countries will expand"),
    ("Vladimir Putin, for his part, said that trade in national currencies would keep growing.",
     "Vladimir Putin", "trade in national currencies"),
    ("Trade in national currencies will keep growing, according to Dmitry Peskov.", "Dmitry Peskov",
     "Trade in national currencies"),
    ("Vladimir Putin stressed that trade in national currencies would keep growing fast.", "Vladimir Putin",
     "trade in national currencies"),
])
def test_indirect_speech(quotes, text, speaker, start):
    [q] = quotes(text)
    assert (q.kind, q.speaker["name"]) == ("indirect", speaker)
    assert q.text.startswith(start)
    assert text[q.span[0]:q.span[1]] == q.text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab “”\"'‘’«»„\n.,")), max_size=80))
def test_quoted_spans_are_inside_the_text(text):
    for c_start, c_end, o_start, o_end in quoted_spans(text):
        assert 0 <= o_start <= c_start <= c_end <= o_end <= len(text)


_SPEECH = st.sampled_from(["Xi Jinping", "Putin", "said", "SAID", "Said", "told reporters", "stressed", ",", ", ",
                           " ", "that", "the two countries would deepen ties", "ſaid", "İ", ".", "\n", "noted"])


@settings(max_examples=200, deadline=None)
@given(st.lists(_SPEECH, max_size=20).map(" ".join))
def test_speech_verbs_found_in_the_lowered_text_are_those_found_case_insensitively(quotes, text):
    import chancery.quotes as quotes_module

    fast = [q.to_dict() for q in quotes(text)]
    lowered = quotes_module.lowered
    quotes_module.lowered = lambda _text: None
    try:
        reference = [q.to_dict() for q in quotes(text)]
    finally:
        quotes_module.lowered = lowered
    assert fast == reference


@settings(max_examples=300, deadline=None)
@given(st.lists(_SPEECH, max_size=12).map("".join))
def test_said_at_the_end_is_found_from_the_last_comma(text):
    extractor = QuoteExtractor()
    before = text.rstrip()
    found = extractor._said_at_end(before)
    expected = extractor.words.verb_at_end.search(before)
    assert (found and found.span()) == (expected and expected.span())
