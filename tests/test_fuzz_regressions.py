"""Inputs that property tests (tests/test_fuzz.py) found to break a stage, kept as plain unit tests."""
from __future__ import annotations

import pytest

from chancery.pipeline import Pipeline
from chancery.records import Article


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline()


def _check(article: Article) -> None:
    text = article.text
    for item in (*article.mentions, *article.times):
        assert text[item.start:item.end] == item.text
    for record in (*article.quotes, *article.facts, *(e for e in article.events if e.span is not None)):
        assert text[record.span[0]:record.span[1]] == record.text


def test_a_role_word_at_the_very_end_of_the_text(pipeline):
    # "counterpart" as the last token: the role-word lookup stepped three tokens past the end
    for text in ("COUNTERPART", "Russian counterpart", "The Chinese president met his counterpart"):
        _check(pipeline.process(Article(id="t", source="t", raw=text)))


def test_an_impossible_date_stamp_is_not_a_publication_date(pipeline):
    # "date 2025-13-40" became the article's published date, and every undated event's date
    article = pipeline.process(Article(id="t", source="t", raw="date 2025-13-40\nXi met Putin in Moscow."))
    assert article.published is None
    assert all(event.date is None for event in article.events)
    article = pipeline.process(Article(id="t", source="t", raw="date 2025-05-08\nXi met Putin in Moscow."))
    assert article.published == "2025-05-08"


def test_evidence_from_a_caption_says_so(pipeline):
    # a caption's trigger merged into the body's event; its span (into the caption) read as body offsets
    raw = ("Xi met Putin in Moscow on Monday. The two leaders held talks.\n"
           "Xi and Putin meet in Moscow on Monday. (Photo: Reuters)\nThey agreed to deepen cooperation.")
    article = pipeline.process(Article(id="t", source="t", raw=raw, published="2025-05-08"))
    [caption] = [part.text for part in article.removed if part.kind == "caption"]
    evidence = [item for event in article.events for item in event.evidence]
    assert any(item.get("section") == "caption" for item in evidence)
    for item in evidence:
        start, end = item["span"]
        where = caption if item.get("section") == "caption" else article.text
        assert where[start:end] == item["text"]
