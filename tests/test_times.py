"""Time expressions resolved against the publication date (2025-09-02 is a Tuesday)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chancery.sentences import split_sentences
from chancery.tense import modality, tense_near
from chancery.times import find_times

DAY = "2025-09-02"


def times(text: str, anchor: str | None = DAY) -> list[tuple]:
    return [(t.text, t.date, t.precision, t.source) for t in find_times(text, anchor, split_sentences(text))]


@pytest.mark.parametrize("text,expected", [
    ("On Monday, the ministers held talks.", ("On Monday", "2025-09-01", "day", "relative")),
    ("The talks took place on Tuesday.", ("on Tuesday", "2025-09-02", "day", "relative")),
    ("He arrived in the city on Sunday.", ("on Sunday", "2025-08-31", "day", "relative")),
    ("On Wednesday, the president is expected to attend a parade.", ("On Wednesday", "2025-09-03", "day", "relative")),
    ("The envoy will fly home on Friday.", ("on Friday", "2025-09-05", "day", "relative")),
    ("They met last Tuesday.", ("last Tuesday", "2025-08-26", "day", "relative")),
    ("On the morning of Thursday the talks began.", ("On the morning of Thursday", "2025-08-28", "day", "relative")),
    ("Yesterday the two sides met.", ("Yesterday", "2025-09-01", "day", "relative")),
    ("In May, the leader paid a state visit.", ("In May", "2025-05", "month", "relative")),
    ("In November, they signed a deal.", ("In November", "2024-11", "month", "relative")),
    ("The summit will take place in November.", ("in November", "2025-11", "month", "relative")),
    ("Earlier this month the ministers met.", ("Earlier this month", "2025-09", "month", "relative")),
    ("Last year trade rose.", ("Last year", "2024", "year", "relative")),
    ("He will visit next year.", ("next year", "2026", "year", "relative")),
    ("The war ended 80 years ago.", ("80 years ago", "1945", "year", "relative")),
    ("Trade rose in 2024.", ("in 2024", "2024", "year", "explicit")),
    ("The meeting on Sept. 2, 2025 was long.", ("Sept. 2, 2025", "2025-09-02", "day", "explicit")),
    ("They met on 16 May 2024 in Beijing.", ("16 May 2024", "2024-05-16", "day", "explicit")),
    ("The stamp said 2025-09-02 at noon.", ("2025-09-02", "2025-09-02", "day", "explicit")),
    ("Talks were held on Aug. 30.", ("Aug. 30", "2025-08-30", "day", "explicit")),
    ("Talks opened in March 2023.", ("March 2023", "2023-03", "month", "explicit")),
])
def test_single_expression(text, expected):
    assert times(text) == [expected]


def test_ranges():
    [years] = find_times("They named 2026-27 the Years of Education.", DAY)
    assert (years.date, years.until, years.precision) == ("2026", "2027", "year")
    [days] = find_times("The visit ran May 16-17 and ended well.", DAY)
    assert (days.date, days.until) == ("2025-05-16", "2025-05-17")


def test_day_and_month_near_the_turn_of_the_year():
    assert times("They met on Dec. 30.", "2026-01-03")[0][1] == "2025-12-30"
    assert times("They will meet on Jan. 5.", "2025-12-28")[0][1] == "2026-01-05"


def test_without_an_anchor_relative_dates_stay_open():
    assert times("On Monday they met in May.", None) == [("On Monday", None, "day", "relative"),
                                                          ("in May", None, "month", "relative")]


def test_modal_may_is_not_a_month():
    assert times("They may meet again soon.") == []


def test_numbers_are_not_years():
    assert times("Trade reached $2025-2030 million and 2,030 tonnes.") == []


def test_tense_and_modality():
    text = "On Wednesday, Putin is expected to join Xi at the parade."
    assert tense_near(text, 0, 12) == "future"
    assert tense_near("On Monday, Xi and Putin held informal talks.", 0, 9) == "past"
    assert modality("The two sides did not sign the deal.")["negated"]
    assert modality("The US could impose sanctions if talks fail.")["hypothetical"]
    assert modality("The minister will visit Cairo.")["future"]
    assert not any(modality("The ministers signed a deal.").values())


_PIECES = ["May", "MAY", "may", "Sept.", "SEPT", "16", "2nd", "2025", "2024-25", "on", "ON", "Monday", "MONDAY",
           "last", "Last", "year", "week", "ago", "two", "years", "in", "mid-", "the", "morning", "of", "will",
           "visit", "held", "talks", "Yesterday", "-", ",", ".", "\n", "İ", "ı", "ſ", "K", "İn", "ıf", "mayor", "(", ")",
           "’s", "$", "2024-25", "FY2024-", "1999", "120", "٥", "16:", "%", ";", "Sept", "last night", "tonight"]


def _same_as_case_insensitive_matching(text: str) -> None:
    """The fast path (the lowered text, only in the stretches that hold the patterns' anchors) finds
    what the patterns as written find over the whole text."""
    import chancery.times as times_module

    sentences = split_sentences(text)
    fast = find_times(text, DAY, sentences)
    lowered = times_module.lowered
    times_module.lowered = lambda _text: None  # the patterns as written, case-insensitive, over the text
    try:
        reference = find_times(text, DAY, sentences)
    finally:
        times_module.lowered = lowered
    assert fast == reference


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=16), st.sampled_from([" ", "", "  \n"]))
def test_matching_the_lowered_text_finds_what_case_insensitive_matching_finds(pieces, glue):
    _same_as_case_insensitive_matching(glue.join(pieces))


@pytest.mark.parametrize("text", [
    "The treaty was signed in 1999.", "(In 1999) they met; on 5 Sept. 1999 again.", "FY1999-00 budget",
    "$1999-2000", "In May, the mayor (who left) spoke.", "talks on Thurs. morning", "the ’99 deal, 2 decades ago",
    "on Monday\nmorning", "MAY 16-17, 2025", "mid-\nMay", "earlier this\tmonth", "The Sept. 5 meeting",
    "it rained last night; tonight: calm", "in ٥ May"])
def test_the_fast_time_path_on_hard_cases(text):
    _same_as_case_insensitive_matching(text)
