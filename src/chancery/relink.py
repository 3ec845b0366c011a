"""Run the cross-article ("link") stages over what a store holds, and store their results.

The per-article stages store their findings with each article; stories and everything compared
across the articles of a story depend on the whole collection, so they are recomputed here after
each ingest, from the stored records, story by story:

1. put the articles stored since the last run into stories: the story clusterer's state is saved
   with the stories it produced (`chancery.story_state`) and only the new articles are added to it.
   When the state cannot serve (none saved yet, other settings or version, a stored article changed
   or went away, or new articles dated far behind the stream, where stories have retired), or with
   `full`, every current article is clustered again (a stream: the clusterer keeps sums, not articles);
2. store the stories and the clusterer's state, keeping the link results of the stories that did not
   change (same entry, same current versions of their articles), and mark the others pending;
3. for each group of pending stories (about `GROUP_ARTICLES` articles), in one transaction: analyse
   their undated articles again against the story's date, read their report back, link it, and
   store its story events, comparisons and framing;
4. compare yearly figures across stories, from a stream of the facts that name a period.

Memory is bounded by the largest group (or story), not by the corpus. A relink stopped midway leaves
each story either with its results or pending, and the next relink finishes the pending ones.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from . import story_state
from .compare import compare_across, yearly_measure
from .link import link, propagate_dates
from .records import Article, Dateline
from .storage import Store
from .stories import StoryClusterer, StorySettings

# report field -> `link_results.kind` (see Store.report, which maps them back)
LINK_KINDS = {"comparisons": "comparison", "story_events": "story_events", "framing": "framing"}
GROUP_ARTICLES = 400  # articles linked per transaction (a larger story is linked alone)


def relink(store: Store, settings: StorySettings | None = None, outlets=None, pipeline=None, *,
           full: bool = False) -> dict[str, int]:
    """Put the store's new articles into stories (every article with `full`, or when the saved state
    cannot serve) and store them; for each new or changed story, with `pipeline`, analyse its undated
    articles again against the story's date (as `analyze` does), then compare what its articles report
    and store it; compare yearly figures across stories. Returns how many stories there are, how many
    articles were clustered and stories linked again in this run, how many articles were analysed
    again, and how many link entries were stored."""
    settings = settings or StorySettings()
    counts = {"stories": 0, "clustered": 0, "linked": 0, "redated": 0, **dict.fromkeys(LINK_KINDS, 0)}
    with store.linking():
        index = store.current_index()
        # every article's own date (what `annotate.anchor_date` reads): what its story lends is decided from them
        anchors = {article_id: entry.anchor for article_id, entry in index.items()}
        hashes = {article_id: entry.content_hash for article_id, entry in index.items()}
        saved = None if full else story_state.loads(store.story_state(), settings)
        fresh = story_state.new_articles(saved, hashes) if saved is not None else None
        if fresh is not None and story_state.reaches_back(saved, [anchors[i] for i in fresh]):
            fresh = None
        clusterer = StoryClusterer(settings) if fresh is None else saved.clusterer
        stream = _counting(store.current_articles(ids=fresh), counts)
        clusterer.add_stream(stream)
        found = clusterer.stories()
        counts["stories"] = len(found)
        by_id = {story.id: story for story in found}
        touched = store.replace_stories([story.to_dict() for story in found], story_state.dumps(clusterer, hashes))
        counts["linked"] = len(touched)
        for group in _groups(touched, by_id):
            redone = _redate(store, [by_id[i] for i in group], anchors, pipeline) if pipeline is not None else []
            counts["redated"] += len(redone)
            stored = store.link_stories(group, lambda report: _link_results(report, outlets), redone)
            for field, kind in LINK_KINDS.items():
                counts[field] += stored.get(kind, 0)
        counts["comparisons"] += store.replace_across_stories(_across)
    return counts


def _counting(articles: Iterable[Article], counts: dict[str, int]) -> Iterator[Article]:
    for article in articles:
        counts["clustered"] += 1
        yield article


def _groups(story_ids: list[str], by_id: dict) -> list[list[str]]:
    groups: list[list[str]] = []
    size = GROUP_ARTICLES
    for story_id in story_ids:
        n = len(by_id[story_id].articles)
        if size + n > GROUP_ARTICLES:
            groups.append([])
            size = 0
        groups[-1].append(story_id)
        size += n
    return groups


def _redate(store: Store, stories: list, anchors: dict[str, str | None], pipeline) -> list[Article]:
    """The undated articles of these stories analysed again against their story's date (those of a
    story without one are left alone)."""
    undated = [a for story in stories for a in story.articles if anchors.get(a) is None]
    if not undated:
        return []
    loaded = list(store.current_articles(ids=undated))
    # the dated members only lend their dates: stand-ins with nothing else
    stand_ins = [Article(id=a, source="", raw="", dateline=Dateline(date=anchors[a]))
                 for story in stories for a in story.articles if anchors.get(a) is not None]
    again = propagate_dates([*loaded, *stand_ins], stories, pipeline.analyse)
    return [a for a in again if a.anchor]


def _link_results(report: dict, outlets) -> dict[str, list[dict]]:
    linked = link(report, outlets=outlets)
    results = {kind: linked.get(field) or [] for field, kind in LINK_KINDS.items()}
    # the comparison across stories is made over every story at the end (`_across`)
    results["comparison"] = [c for c in results["comparison"] if c.get("story") is not None]
    return results


def _across(stories: list[dict], facts) -> dict | None:
    figures: dict[str, list[tuple[dict, str]]] = defaultdict(list)
    for fact, article in facts:
        what = yearly_measure(fact, article)
        if what:
            figures[article["id"]].append((fact, what))
    return compare_across(stories, figures)
