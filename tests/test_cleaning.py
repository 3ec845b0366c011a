"""The clean stage, one noise kind at a time, on text written for these tests."""
from __future__ import annotations

import pytest

from chancery.cleaning import Cleaner, clean
from chancery.outlets import Outlet, OutletTable, default_outlets
from chancery.records import Article

BODY = ("The two foreign ministers met for three hours in the capital and agreed to reopen "
        "consulates closed during the pandemic, officials from both delegations said afterwards.")
BODY2 = "They also discussed fishing rights, a long-running irritant in relations between the neighbours."


def cleaned(raw: str, **meta) -> Article:
    return clean(Article(id="t", source="t.txt", raw=raw, **meta))


def kinds(article: Article) -> list[str]:
    return [r.kind for r in article.removed]


def test_title_line_becomes_title():
    a = cleaned(f"Ministers agree to reopen consulates\n{BODY}\n{BODY2}")
    assert a.title == "Ministers agree to reopen consulates"
    assert a.provenance["title"] == "first-line"
    assert not a.text.startswith("Ministers agree")
    assert "title" in kinds(a)


def test_first_sentence_is_not_mistaken_for_title():
    a = cleaned(f"{BODY}\n{BODY2}")
    assert a.title is None
    assert a.text.startswith("The two foreign ministers")


def test_headline_ending_in_quote_is_a_title():
    a = cleaned(f"Ministers hail 'new chapter' in ties\n{BODY}\n{BODY2}")
    assert a.title == "Ministers hail 'new chapter' in ties"


def test_date_stamp_with_title_on_same_line():
    a = cleaned(f" date 2024-03-05 Ministers agree to reopen consulates\n\n{BODY}\n{BODY2}")
    assert a.published == "2024-03-05"
    assert a.title == "Ministers agree to reopen consulates"
    assert "date 2024-03-05" not in a.text
    assert kinds(a)[:2] == ["stamp", "title"]


@pytest.mark.parametrize("line,iso", [("March 05, 2024", "2024-03-05"), ("5 March 2024", "2024-03-05"),
                                      ("Tuesday, Mar. 5, 2024 14:30 GMT", "2024-03-05")])
def test_standalone_date_line(line, iso):
    a = cleaned(f"{line}\n{BODY}\n{BODY2}")
    assert a.published == iso
    assert line not in a.text


@pytest.mark.parametrize("opening,place,agency,date", [
    ("HANOI, March 5 (Xinhua) -- ", "Hanoi", "Xinhua", "2024-03-05"),
    ("NEW DELHI: ", "New Delhi", None, None),
    ("ULAN-UDE (Northern Wire) - ", "Ulan-Ude", "Northern Wire", None),
    ("Tbilisi, 5 March (Reuters) - ", "Tbilisi", "Reuters", "2024-03-05"),
])
def test_datelines(opening, place, agency, date):
    a = cleaned(f"2024-03-05\n{opening}{BODY}\n{BODY2}")
    assert a.dateline.place == place
    assert a.dateline.agency == agency
    assert a.dateline.date == date
    assert a.text.startswith("The two foreign ministers")
    if agency:
        assert a.outlet == agency and a.provenance["outlet"] == "dateline"


def test_dateline_after_standfirst():
    a = cleaned(f"Ministers agree to reopen consulates\nA short summary of what happened today.\n"
                f"MANILA: {BODY}\n{BODY2}")
    assert a.dateline.place == "Manila"
    assert "MANILA:" not in a.text


def test_ordinary_sentence_with_colon_is_not_a_dateline():
    a = cleaned(f"Beijing: the talks went well, said one official who asked not to be named.\n{BODY}")
    assert a.dateline is None


def test_dateline_year_inferred_from_text():
    a = cleaned(f"SEOUL, Aug. 23 (Yonhap) -- {BODY} The 2025 summit was the first in a year.\n{BODY2}")
    assert a.dateline.date == "2025-08-23"
    assert a.published == "2025-08-23"


def test_caption_with_credit_is_removed_but_kept():
    caption = "Foreign ministers shake hands before their talks in Hanoi, March 5, 2024. (Photo: Le Van/Some Agency)"
    a = cleaned(f"{caption}\n{BODY}\n{BODY2}")
    assert caption not in a.text
    assert ("caption", caption) in [(r.kind, r.text) for r in a.removed]


def test_caption_with_slash_credit():
    caption = "The ministers meet in Hanoi on March 5, 2024. (Xinhua/Li Ming)"
    a = cleaned(f"{BODY}\n{caption}\n{BODY2}")
    assert "Li Ming" not in a.text and "caption" in kinds(a)


def test_parenthesised_acronym_is_not_a_caption():
    line = "The ministers spoke about the Association of Southeast Asian Nations (ASEAN)"
    a = cleaned(f"{BODY}\n{line}\n{BODY2}")
    assert line in a.text


def test_signature_after_last_sentence():
    a = cleaned(f"{BODY}\n{BODY2} - SOUTH CHINA MORNING POST")
    assert a.outlet == "South China Morning Post"
    assert a.provenance["outlet"] == "signature"
    assert a.text.endswith("neighbours.")


def test_unknown_signature_becomes_outlet_name():
    a = cleaned(f"{BODY}\n{BODY2} — HARBOUR EVENING STAR")
    assert a.outlet == "Harbour Evening Star"


def test_initials_after_last_sentence():
    a = cleaned(f"{BODY}\n{BODY2} GT")
    assert a.outlet == "Global Times" and a.provenance["outlet"] == "initials"
    assert a.text.endswith("neighbours.")


def test_initials_of_an_extra_outlet_table():
    table = default_outlets().extend([Outlet(name="Lakeside Courier", initials=("LC",))])
    a = Cleaner(outlets=table)(Article(id="t", source="t", raw=f"{BODY}\n{BODY2} LC"))
    assert a.outlet == "Lakeside Courier"


def test_comment_widget_removed():
    a = cleaned(f"{BODY}\n{BODY2}\nComments\nNo comments yet. Be the first to comment!\n\n\n")
    assert "comments" in kinds(a)
    assert "No comments" not in a.text and "Comments" not in a.text


def test_related_block_and_share_prompt_removed():
    raw = (f"Share this article: Facebook | X | WhatsApp\n{BODY}\n{BODY2}\nRelated articles\n"
           "Ministers to meet again in June\nFishing talks stall over quotas\n")
    a = cleaned(raw)
    assert "Facebook" not in a.text and "Related" not in a.text and "Fishing talks stall" not in a.text
    assert kinds(a).count("boilerplate") == 2
    assert a.text.endswith("neighbours.")


def test_byline_removed():
    a = cleaned(f"Ministers agree to reopen consulates\nBy Anna Kovacs and Li Wen, Staff Reporters\n{BODY}\n{BODY2}")
    assert "byline" in kinds(a)
    assert "Kovacs" not in a.text


def test_sentence_starting_with_by_is_kept():
    line = "By the end of the talks, the two sides had agreed on a timetable for the consulates."
    a = cleaned(f"{line}\n{BODY}")
    assert a.text.startswith("By the end")


def test_outlet_from_url_domain():
    a = cleaned(f"{BODY}\n{BODY2}", url="https://www.reuters.com/world/asia/some-story")
    assert a.outlet == "Reuters" and a.provenance["outlet"] == "domain"


def test_known_metadata_wins_over_guesses():
    a = cleaned(f"HANOI, March 5 (Xinhua) -- {BODY}\n{BODY2} GT", outlet="My Outlet", published="2024-03-06",
                provenance={"outlet": "manifest", "published": "manifest"})
    assert a.outlet == "My Outlet" and a.published == "2024-03-06"
    assert a.dateline.place == "Hanoi"  # the dateline is still read and removed


def test_hard_wrapped_text_is_rejoined():
    raw = ("The two foreign ministers met for three hours in the capital and\n"
           "agreed to reopen consulates closed during the pandemic, officials\n"
           "from both delegations said afterwards on Tuesday evening in a\n"
           "statement.\n\nThey also discussed fishing rights, a long-running irritant\n"
           "in relations between the two neighbours over many decades.\n")
    a = cleaned(raw)
    assert a.text.split("\n\n")[0].endswith("in a statement.")
    assert len(a.text.split("\n\n")) == 2


def test_input_record_is_not_modified():
    original = Article(id="t", source="t", raw=f"Ministers agree\n{BODY}\n{BODY2} GT")
    clean(original)
    assert original.text == "" and original.removed == [] and original.outlet is None


def test_nothing_is_lost():
    raw = (f"date 2024-03-05 Ministers agree\n\nMarch 05, 2024\nThe ministers meet. (Photo: A/B)\n"
           f"HANOI, March 5 (Xinhua) -- {BODY}\n{BODY2} GT\nComments\nNo comments yet.")
    a = cleaned(raw)
    kept = a.text + " ".join(r.text for r in a.removed)
    for word in set(raw.split()):
        assert word in kept, word


def test_custom_outlet_table_replaces_by_name():
    table = OutletTable([Outlet(name="Xinhua", initials=("XH",))])
    a = Cleaner(outlets=table)(Article(id="t", source="t", raw=f"{BODY}\n{BODY2} XH"))
    assert a.outlet == "Xinhua"
