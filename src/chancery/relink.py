"""Run the cross-article ("link") stages over what a store holds, and store their results.

The per-article stages store their findings with each article; stories and everything compared
across the articles of a story depend on the whole collection, so they are redone here after each
ingest, from the stored records, and replace the previous link results in one transaction.

Story clustering is incremental: the clusterer's state is saved with the stories it produced
(`chancery.story_state`), and the next run adds only the articles stored since to it. When the
state cannot serve (none saved yet, other settings or version, a stored article changed, or new
articles dated far behind the stream, where stories have retired), everything is clustered again.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from . import story_state
from .annotate import anchor_date
from .link import link, propagate_dates
from .records import Article
from .storage import Store
from .stories import StoryClusterer, StorySettings

# report field -> `link_results.kind` (see Store.report, which maps them back)
LINK_KINDS = {"comparisons": "comparison", "story_events": "story_events", "framing": "framing"}


def relink(store: Store, settings: StorySettings | None = None, outlets=None, pipeline=None, *,
           full: bool = False) -> dict[str, int]:
    """Put the store's new articles into stories (all of them with `full`, or when the saved state
    cannot serve); with `pipeline`, analyse undated articles again against their story's date (as
    `analyze` does); compare what the articles of each story report; store it all. Returns how many
    of each were stored, and how many articles were clustered in this run."""
    settings = settings or StorySettings()
    index = store.current_index()
    hashes = {article_id: content for article_id, (content, _day) in index.items()}
    saved = None if full else story_state.loads(store.story_state(), settings)
    fresh = story_state.new_articles(saved, hashes) if saved is not None else None
    if fresh is not None and story_state.reaches_back(saved, [index[i][1] for i in fresh]):
        fresh = None
    if fresh is None:
        clusterer = StoryClusterer(settings)
        clustered = _cluster(clusterer, store.current_articles(), pipeline is not None)
        lend = clustered  # every undated article may borrow its story's date
    else:
        clusterer = saved.clusterer
        clustered = _cluster(clusterer, store.current_articles(ids=fresh), pipeline is not None)
        # only the stories new articles went to can lend a different date than before
        touched = {clusterer.story_of(article_id) for article_id in fresh}
        members = {a for story in clusterer.stories() if story.id in touched for a in story.articles}
        lend = _Dates()
        for article in store.current_articles(ids=members) if pipeline is not None and members else ():
            lend.note(article)
    stories = clusterer.stories()
    redated = 0
    if pipeline is not None and lend.undated:
        again = propagate_dates([*lend.undated, *lend.dated.values()], stories, pipeline.analyse)
        redated = store.replace_annotations(a for a in again if a.anchor)
    entries = [story.to_dict() for story in stories]
    state = story_state.dumps(clusterer, hashes)
    store.replace_links(entries, {}, state)  # the report read next must see the new stories
    report = link(store.report(), outlets=outlets)
    results = {kind: report.get(field) or [] for field, kind in LINK_KINDS.items()}
    store.replace_links(entries, results, state)
    return {"stories": len(entries), "redated": redated, "clustered": clustered.count,
            **{field: len(results[kind]) for field, kind in LINK_KINDS.items()}}


class _Dates:
    """What a story lends is decided from its members' dates: kept for every dated article seen (its
    dates only), and the undated articles in full (they are analysed again)."""

    def __init__(self) -> None:
        self.dated: dict[str, Article] = {}
        self.undated: list[Article] = []
        self.count = 0

    def note(self, article: Article) -> None:
        self.count += 1
        if anchor_date(article) is None:
            self.undated.append(article)
        else:
            self.dated[article.id] = Article(id=article.id, source=article.source, raw="",
                                             published=article.published, dateline=article.dateline)


def _cluster(clusterer: StoryClusterer, articles: Iterable[Article], keep_dates: bool) -> _Dates:
    dates = _Dates()

    def noting(stream: Iterable[Article]) -> Iterator[Article]:
        for article in stream:
            if keep_dates:
                dates.note(article)
            else:
                dates.count += 1
            yield article

    clusterer.add_stream(noting(articles))
    return dates
