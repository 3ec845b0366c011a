"""Run the cross-article ("link") stages over what a store holds, and store their results.

The per-article stages store their findings with each article; stories and everything compared
across the articles of a story depend on the whole collection, so they are recomputed here after
each ingest, from the stored records, and replace the previous link results in one transaction.
"""
from __future__ import annotations

from .annotate import anchor_date
from .link import link, propagate_dates
from .records import Article
from .storage import Store
from .stories import StorySettings, cluster

# report field -> `link_results.kind` (see Store.report, which maps them back)
LINK_KINDS = {"comparisons": "comparison", "story_events": "story_events", "framing": "framing"}


def relink(store: Store, settings: StorySettings | None = None, outlets=None, pipeline=None) -> dict[str, int]:
    """Cluster the store's current articles into stories; with `pipeline`, analyse undated articles
    again against their story's date (as `analyze` does); compare what the articles of each story
    report; store it all. Returns how many of each were stored."""
    dates: dict[str, Article] = {}  # every article's dates only: what a story lends is decided from them
    undated: list[Article] = []

    def noting(articles):
        for article in articles:
            if anchor_date(article) is None:
                undated.append(article)
            else:
                dates[article.id] = Article(id=article.id, source=article.source, raw="", published=article.published,
                                            dateline=article.dateline)
            yield article

    found = cluster(noting(store.current_articles()), settings, ordered=True)
    redated = 0
    if pipeline is not None and undated:
        again = propagate_dates([*undated, *dates.values()], found, pipeline.analyse)
        redated = store.replace_annotations(a for a in again if a.anchor)
    stories = [story.to_dict() for story in found]
    store.replace_links(stories, {})  # the report read next must see the new stories
    report = link(store.report(), outlets=outlets)
    results = {kind: report.get(field) or [] for field, kind in LINK_KINDS.items()}
    store.replace_links(stories, results)
    return {"stories": len(stories), "redated": redated,
            **{field: len(results[kind]) for field, kind in LINK_KINDS.items()}}
