"""The "annotate" stage: actor mentions resolved to actors, and time expressions resolved to dates.

    annotator = Annotator()               # bundled knowledge; Annotator(actor_files=("mine.toml",))
    article = annotator(article)          # a copy with .mentions and .times filled

The anchor date for relative expressions is the publication date, else the dateline's date, else
the date the link stage lent the article from its story (`Article.anchor`).
"""
from __future__ import annotations

import dataclasses

from .coref import Resolver
from .knowledge import Knowledge, knowledge
from .mentions import MentionFinder
from .records import Article, Mention, TimeExpr
from .sentences import split_sentences
from .times import find_times


class Annotator:
    def __init__(self, actor_files: tuple[str, ...] = (), kb: Knowledge | None = None) -> None:
        self.kb = kb or knowledge(tuple(actor_files))
        self.finder = MentionFinder(self.kb)

    def __call__(self, article: Article) -> Article:
        anchor = anchor_date(article)
        sentences = article.sentences or split_sentences(article.text)
        mentions, times = self.annotate_text(article.text, anchor, sentences)
        return dataclasses.replace(article, sentences=sentences, mentions=mentions, times=times)

    def annotate_text(self, text: str, anchor: str | None,
                      sentences: list[tuple[int, int]] | None = None) -> tuple[list[Mention], list[TimeExpr]]:
        sentences = sentences if sentences is not None else split_sentences(text)
        candidates = self.finder(text)
        mentions = Resolver(self.kb, text, sentences, anchor).resolve(candidates)
        return mentions, find_times(text, anchor, sentences)


def anchor_date(article: Article) -> str | None:
    if article.published and len(article.published) >= 10:
        return article.published[:10]
    if article.dateline and article.dateline.date:
        return article.dateline.date
    return article.anchor
