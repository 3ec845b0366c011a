"""One sentence per PLOVER type through the bundled lexicon and knowledge: each family fires."""
from __future__ import annotations

import pytest

from chancery.pipeline import Pipeline
from chancery.records import Article
from chancery.sentences import split_sentences


@pytest.fixture(scope="module")
def pipeline():
    return Pipeline()


def coded(pipeline, text: str, day: str = "2024-03-12"):
    article = Article(id="t", source="t", raw=text, text=text, published=day)
    article.sentences = split_sentences(text)
    return pipeline.extractor(pipeline.annotator(article))


@pytest.mark.parametrize("text,type_,source,target", [
    ("Chile and Peru signed a trade agreement on Monday.", "AGREE", "CHL", "PER"),
    ("The Kenyan president held talks with his Tanzanian counterpart in Nairobi.", "CONSULT", "KEN", "TZA"),
    ("Norway praised Colombia for its efforts to end the conflict.", "SUPPORT", "NOR", "COL"),
    ("Serbia lifted the curfew in Montenegro on Sunday.", "CONCEDE", "SRB", "MNE"),
    ("Serbia apologised to Croatia for the remarks of its minister.", "SUPPORT", "SRB", "HRV"),
    ("India and Japan held joint naval exercises in the Bay of Bengal.", "COOPERATE", "IND", "JPN"),
    ("Germany sent humanitarian aid to Sudan last week.", "AID", "DEU", "SDN"),
    ("Ethiopia withdrew its troops from Somalia on Tuesday.", "RETREAT", "ETH", "SOM"),
    ("France urged Mali to hold elections soon.", "REQUEST", "FRA", "MLI"),
    ("Pakistan accused India of violating the ceasefire.", "ACCUSE", "PAK", "IND"),
    ("Venezuela rejected the proposal put forward by Brazil.", "REJECT", "VEN", "BRA"),
    ("Turkey threatened to impose sanctions on Cyprus.", "THREATEN", "TUR", "CYP"),
    ("Thousands of Georgian protesters rallied against the government in Tbilisi.", "PROTEST", "GEO", None),
    ("The United States imposed sanctions on Iran on Friday.", "SANCTION", "USA", "IRN"),
    ("Azerbaijan deployed troops along the border with Armenia.", "MOBILIZE", "AZE", "ARM"),
    ("Egyptian police arrested dozens of Sudanese migrants in Cairo.", "COERCE", "EGY", "SDN"),
    ("Israeli aircraft bombed targets in southern Lebanon on Sunday.", "ASSAULT", "ISR", "LBN"),
])
def test_each_family(pipeline, text, type_, source, target):
    events = [e for e in coded(pipeline, text) if e.type == type_]
    assert events, [(e.type, e.rule) for e in coded(pipeline, text)]
    e = events[0]
    assert e.status == "asserted"
    countries = {e.source["country"], (e.target or {}).get("country")}
    assert source in countries
    if target:
        assert target in countries
