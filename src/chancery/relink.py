"""Run the cross-article ("link") stages over what a store holds, and store their results.

The per-article stages store their findings with each article; stories and everything compared
across the articles of a story depend on the whole collection, so they are recomputed here after
each ingest, from the stored records, and replace the previous link results in one transaction.
"""
from __future__ import annotations

from .storage import Store
from .stories import StorySettings, cluster


def relink(store: Store, settings: StorySettings | None = None) -> dict[str, int]:
    """Cluster the store's current articles into stories and store them; return what was stored."""
    stories = cluster(store.current_articles(), settings, ordered=True)
    entries = [story.to_dict() for story in stories]
    store.replace_links(entries, {})
    return {"stories": len(entries)}
