from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chancery.sentences import split_sentences


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_abbreviations_do_not_end_sentences():
    text = "On Sept. 2 Gen. Ali met Mr. Park. Trade reached 244.8 billion U.S. dollars. It grew."
    assert sentences(text) == ["On Sept. 2 Gen. Ali met Mr. Park.", "Trade reached 244.8 billion U.S. dollars.",
                               "It grew."]


def test_abbreviation_can_end_a_sentence_before_an_opener():
    assert sentences("The envoy flew to the U.S. The talks start today.") == [
        "The envoy flew to the U.S.", "The talks start today."]


def test_initials_are_not_boundaries():
    assert len(sentences("Analyst Mary J. Blige of the institute disagreed.")) == 1


def test_quote_followed_by_attribution_stays_together():
    assert sentences("“We will not yield!” Foreign Minister Ruiz said. Then he left.") == [
        "“We will not yield!” Foreign Minister Ruiz said.", "Then he left."]


def test_quote_ending_a_sentence():
    assert sentences("He said: “The door is open.” The meeting ended.") == [
        "He said: “The door is open.”", "The meeting ended."]


def test_lowercase_after_period_is_no_boundary():
    assert len(sentences("The count rose. and then it fell. Later it rose again.")) == 2


def test_lines_are_boundaries_for_headlines():
    text = "Talks resume in Geneva\n\nThe delegations arrived on Monday. They met."
    assert sentences(text) == ["Talks resume in Geneva", "The delegations arrived on Monday.", "They met."]


def test_offsets_point_into_text():
    text = "  First one.   Second one!  \n\n Third?  "
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["First one.", "Second one!", "Third?"]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_spans_are_ordered_inside_the_text_and_trimmed(text):
    spans = split_sentences(text)
    last = 0
    for s, e in spans:
        assert last <= s < e <= len(text)
        assert not text[s].isspace() and not text[e - 1].isspace()
        last = e
