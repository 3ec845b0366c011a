"""Story clustering's saved state: a clusterer restored from it continues exactly where it stopped."""
from __future__ import annotations

import datetime as dt
import gzip
import io
import pickle

import pytest

from chancery import story_state
from chancery.stories import StoryClusterer, StorySettings, stream_order


def _entries(clusterer: StoryClusterer) -> list[dict]:
    return [s.to_dict() for s in clusterer.stories()]


def test_a_restored_clusterer_goes_on_as_the_one_it_was_saved_from(demo_articles):
    ordered = sorted(demo_articles, key=stream_order)
    half = len(ordered) // 2
    settings = StorySettings()
    live = StoryClusterer(settings)
    live.add_many(ordered[:half])
    data = story_state.dumps(live, {a.id: a.content_hash for a in ordered[:half]})
    saved = story_state.loads(data, settings)
    assert saved is not None and saved.clusterer.article_ids() == {a.id for a in ordered[:half]}
    assert _entries(saved.clusterer) == _entries(live)

    live.add_many(ordered[half:])
    saved.clusterer.add_many(ordered[half:])
    after = _entries(live)
    assert _entries(saved.clusterer) == after
    assert sum(len(s["articles"]) for s in after) == len(ordered)
    assert any(len(s["articles"]) > 1 for s in after)  # the demo corpus has stories of several reports


def test_a_state_for_other_settings_or_of_foreign_make_is_not_used(demo_articles):
    clusterer = StoryClusterer()
    clusterer.add_many(demo_articles[:3])
    data = story_state.dumps(clusterer, {a.id: a.content_hash for a in demo_articles[:3]})
    assert story_state.loads(data, StorySettings(threshold=0.5)) is None
    assert story_state.loads(b"not a state", StorySettings()) is None
    assert story_state.loads(None, StorySettings()) is None

    class Payload:
        def __reduce__(self):
            return (print, ("this must never run",))

    hostile = gzip.compress(pickle.dumps(Payload()))
    assert story_state.loads(hostile, StorySettings()) is None
    with pytest.raises(pickle.UnpicklingError, match="builtins.print"):  # refused, not merely unreadable
        story_state._Unpickler(io.BytesIO(pickle.dumps(Payload()))).load()


def test_new_articles_are_found_and_changed_ones_refuse_the_state(demo_articles):
    placed = {a.id: a.content_hash for a in demo_articles[:4]}
    clusterer = StoryClusterer()
    clusterer.add_many(demo_articles[:4])
    saved = story_state.loads(story_state.dumps(clusterer, placed), StorySettings())
    current = {a.id: a.content_hash for a in demo_articles[:6]}
    assert story_state.new_articles(saved, current) == {a.id for a in demo_articles[4:6]}
    changed = dict(current, **{demo_articles[0].id: "another hash"})
    assert story_state.new_articles(saved, changed) is None
    gone = {k: v for k, v in current.items() if k != demo_articles[1].id}
    assert story_state.new_articles(saved, gone) is None


def test_articles_far_behind_the_stream_reach_back(demo_articles):
    dated = sorted((a for a in demo_articles if a.published), key=stream_order)
    clusterer = StoryClusterer(StorySettings(retire_after_days=30))
    clusterer.add_many(dated)
    saved = story_state.Saved(clusterer, {a.id: a.content_hash for a in dated})
    clock = clusterer.clock()
    assert clock is not None, "the demo corpus should hold at least ten dated articles"
    day = dt.date.fromordinal(clock)
    assert story_state.reaches_back(saved, [(day - dt.timedelta(days=45)).isoformat()])
    assert not story_state.reaches_back(saved, [day.isoformat(), None])
