"""Story clustering's state kept between runs, so that an ingest adds its new articles to the stories
already found instead of clustering the whole store again.

The state is the `StoryClusterer` itself (its sums, blocking index and merge forest), pickled and
compressed, with the content hash of every article it has placed. Loading accepts only the few types
a clusterer is made of, so a database file from elsewhere cannot run code through it. A state that
does not load, was written by another version or with other settings, or no longer matches the store
(an article changed or went away, or new articles reach back behind the stream's clock, where stories
have retired) is not used: the caller clusters everything again.
"""
from __future__ import annotations

import datetime as dt
import gzip
import io
import pickle
from dataclasses import dataclass

from . import __version__
from .stories import StoryClusterer, StorySettings

FORMAT = 1

# (module, name) of every global a saved clusterer may refer to
_ALLOWED = {
    ("builtins", "list"), ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "dict"),
    ("builtins", "tuple"), ("builtins", "bytearray"), ("builtins", "object"),
    ("collections", "Counter"), ("collections", "defaultdict"), ("collections", "OrderedDict"),
    ("array", "array"), ("array", "_array_reconstructor"), ("copyreg", "_reconstructor"),
    ("chancery.stories", "StoryClusterer"), ("chancery.stories", "StorySettings"),
    ("chancery.stories", "_Cluster"), ("chancery.story_state", "Saved"),
}


@dataclass
class Saved:
    clusterer: StoryClusterer
    hashes: dict[str, str]  # article id -> content hash of the version the clusterer placed
    version: str = __version__
    format: int = FORMAT


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a story clustering state")
        return super().find_class(module, name)


def dumps(clusterer: StoryClusterer, hashes: dict[str, str]) -> bytes:
    # pickled straight into the compressor: only the compressed state is ever held whole
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=3, mtime=0) as sink:
        pickle.Pickler(sink, protocol=pickle.HIGHEST_PROTOCOL).dump(Saved(clusterer, dict(hashes)))
    return buffer.getvalue()


def loads(data: bytes | None, settings: StorySettings) -> Saved | None:
    """The saved state, or None when there is none or it cannot serve these settings and this version."""
    if not data:
        return None
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb") as source:
            saved = _Unpickler(source).load()
    except Exception:  # noqa: BLE001 - a state that does not load is only a lost shortcut
        return None
    if not isinstance(saved, Saved) or saved.format != FORMAT or saved.version != __version__ \
            or not isinstance(saved.clusterer, StoryClusterer) or saved.clusterer.settings != settings:
        return None
    return saved


def new_articles(saved: Saved, current: dict[str, str]) -> set[str] | None:
    """The ids of `current` (article id -> content hash) that the saved clusterer has not placed; None
    when it placed an article that has since changed or is no longer current."""
    if any(current.get(article_id) != content for article_id, content in saved.hashes.items()):
        return None
    return {article_id for article_id in current if article_id not in saved.hashes}


def reaches_back(saved: Saved, days: list[str | None]) -> bool:
    """Whether an article dated `days` (ISO dates; None for undated) lies so far behind the saved
    stream's clock that stories it could join may have retired."""
    clock, window = saved.clusterer.clock(), saved.clusterer.settings.retire_after_days
    if clock is None or window is None:
        return False
    cutoff = clock - window
    for day in days:
        if day:
            try:
                if dt.date.fromisoformat(day[:10]).toordinal() < cutoff:
                    return True
            except ValueError:
                continue
    return False
