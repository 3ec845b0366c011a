"""chancery in a notebook: the store's records as pandas DataFrames.

    import chancery
    corpus = chancery.open("chancery.db")
    corpus.events(dyad="CHN-RUS", status="asserted")     # one row per event, flat columns
    corpus.dyad("CHN", "RUS", freq="M")                   # events per month by quad class
    corpus.stories(), corpus.quotes(), corpus.facts(), corpus.network()
"""
from __future__ import annotations

from typing import Self

import pandas as pd

from . import queries
from .exports import COLUMNS, _flat
from .queries import QUADS, EventFilter
from .storage import Store, open_store

__all__ = ["Corpus", "open"]


def open(db: str | None = None) -> Corpus:
    """Open the store at `db` (a path or SQLAlchemy URL; default ./chancery.db) for reading."""
    return Corpus(open_store(db))


class Corpus:
    """A store seen as DataFrames. Filters are those of the API (`queries.EventFilter`)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    def __repr__(self) -> str:
        counts = self.store.counts()
        return f"<chancery corpus: {counts['articles']} articles, {counts['events']} events, {counts['stories']} stories>"

    def _frame(self, records, kind: str) -> pd.DataFrame:
        columns = [name for name, _ in COLUMNS[kind]]
        frame = pd.DataFrame([[_flat(r, kind).get(c) for c in columns] for r in records], columns=columns)
        if kind == "events":
            frame["day"] = pd.to_datetime(frame["date"].where(frame["date"].str.len() == 10), errors="coerce")
        return frame

    def events(self, **filters) -> pd.DataFrame:
        """Events matching the filters (actor, country, dyad, type, quad, status, start, end, outlet, story,
        article, text), one row per event; `day` is the date as a timestamp where known to the day."""
        return self._frame(queries.iter_events(self.store, EventFilter(**filters)), "events")

    def quotes(self) -> pd.DataFrame:
        return self._frame(queries.iter_table(self.store, "quotes"), "quotes")

    def facts(self) -> pd.DataFrame:
        return self._frame(queries.iter_table(self.store, "facts"), "facts")

    def stories(self) -> pd.DataFrame:
        return self._frame(self.store.stories(), "stories")

    def dyad(self, a: str, b: str, freq: str = "M", **filters) -> pd.DataFrame:
        """Events between countries `a` and `b` per period (D, W, M, Y), one column per quad class, plus
        `intensity` (summed) and `events` (the ids behind each point); indexed by period."""
        series = queries.dyad_series(self.store, a.upper(), b.upper(), freq=freq, f=EventFilter(**filters))
        frame = pd.DataFrame(series, columns=["period", *QUADS, "intensity", "events"])
        return frame.set_index("period")

    def network(self, **filters) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(nodes, edges) of the actor network."""
        graph = queries.network(self.store, EventFilter(**filters))
        return (pd.DataFrame(graph["nodes"], columns=["id", "events"]),
                pd.DataFrame(graph["edges"], columns=["source", "target", "events", *QUADS]))

    def report(self) -> dict:
        return self.store.report()
