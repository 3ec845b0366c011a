"""Run the cross-article ("link") stages over what a store holds, and store their results.

The per-article stages store their findings with each article; stories and everything compared
across the articles of a story depend on the whole collection, so they are recomputed here after
each ingest, from the stored records, and replace the previous link results in one transaction.
"""
from __future__ import annotations

from .link import link
from .storage import Store
from .stories import StorySettings, cluster

# report field -> `link_results.kind` (see Store.report, which maps them back)
LINK_KINDS = {"comparisons": "comparison", "story_events": "story_events", "framing": "framing"}


def relink(store: Store, settings: StorySettings | None = None, outlets=None) -> dict[str, int]:
    """Cluster the store's current articles into stories, compare what the articles of each story
    report, and store it all; return how many of each were stored."""
    stories = [story.to_dict() for story in cluster(store.current_articles(), settings, ordered=True)]
    store.replace_links(stories, {})  # the report read next must see the new stories
    report = link(store.report(), outlets=outlets)
    results = {kind: report.get(field) or [] for field, kind in LINK_KINDS.items()}
    store.replace_links(stories, results)
    return {"stories": len(stories), **{field: len(results[kind]) for field, kind in LINK_KINDS.items()}}
