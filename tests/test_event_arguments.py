"""Argument mechanisms of the event stage through the bundled lexicon and knowledge: who acts and on
whom when a sentence names groups by where they are, reports itself, or implies the country."""
from __future__ import annotations

import pytest

from chancery.pipeline import Pipeline
from chancery.records import Article
from chancery.sentences import split_sentences


@pytest.fixture(scope="module")
def pipeline():
    return Pipeline()


def coded(pipeline, text: str, day: str = "2011-06-14") -> list[tuple]:
    article = Article(id="t", source="t", raw=text, text=text, published=day)
    article.sentences = split_sentences(text)
    return [(e.type, (e.source or {}).get("country"), (e.target or {}).get("country"), e.status)
            for e in pipeline.extractor(pipeline.annotator(article))]


def test_a_trailing_reporter_is_neither_target_nor_place(pipeline):
    got = coded(pipeline, "Chad accused the rebels of breaking the truce, a member of the Nigerian delegation said.")
    assert ("ACCUSE", "TCD", None, "asserted") in got
    assert not any(t == "NGA" for _, _, t, _ in got)
    got = coded(pipeline, "Peru is sharing expertise with Bolivia according to a report sent to the Chilean senate.")
    assert any(e[0] == "COOPERATE" and {e[1], e[2]} == {"PER", "BOL"} for e in got), got


def test_a_plural_group_with_modifiers_takes_the_country_after_it(pipeline):
    got = coded(pipeline, "Hundreds of university students throughout Kenya staged demonstrations on Friday.")
    assert got and got[0][:2] == ("PROTEST", "KEN")
    got = coded(pipeline, "Opposition groups in southern Malawi are demanding that the government resign.")
    assert got and got[0][1] == "MWI", got


def test_a_group_without_country_acts_where_the_clause_is_set(pipeline):
    got = coded(pipeline, "Angry demonstrators blocked roads in the centre of Lusaka on Monday.")
    assert got and got[0][:2] == ("PROTEST", "ZMB"), got
    # a group named with its own country keeps it
    got = coded(pipeline, "Somali refugees staged a protest in Nairobi on Monday.")
    assert got and got[0][1] == "SOM", got
