"""Wiring of the stages: read → (manifest) → clean → sentences, article by article.

`Pipeline.process` is pure: it takes an Article and returns a new one, so it can run in a
process pool or on a cluster unchanged.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from . import __version__
from .annotate import Annotator
from .cleaning import Boilerplate, Cleaner, default_boilerplate
from .events import EventExtractor
from .facts import FactExtractor
from .manifest import Manifest
from .outlets import outlet_table
from .quotes import QuoteExtractor
from .readers import Item, read
from .records import Article, Problem
from .sentences import split_sentences


@dataclass
class Pipeline:
    """The per-article stages, configured once."""

    outlet_files: tuple[str, ...] = ()
    actor_files: tuple[str, ...] = ()
    pattern_files: tuple[str, ...] = ()
    boilerplate: Boilerplate = field(default_factory=default_boilerplate)

    def __post_init__(self) -> None:
        self.cleaner = Cleaner(outlets=outlet_table(self.outlet_files), boilerplate=self.boilerplate)
        self.annotator = Annotator(actor_files=self.actor_files)
        self.extractor = EventExtractor(self.annotator, pattern_files=self.pattern_files)
        self.quotes = QuoteExtractor()
        self.facts = FactExtractor()

    @functools.cached_property
    def generator(self) -> str:
        """What this pipeline's findings are made with: chancery's version and a digest of every
        knowledge file it reads (the package's data files and the user's outlet, actor and pattern
        files). The store keeps it with each article's findings, so that a change of knowledge makes
        an ingest analyse stored articles again."""
        digest = hashlib.sha256(__version__.encode())
        packaged = resources.files("chancery") / "data"
        with resources.as_file(packaged) as folder:
            files = sorted(path for path in Path(folder).rglob("*") if path.is_file())
            for path in files:
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
        for name in (*self.outlet_files, *self.actor_files, *self.pattern_files):  # contents, not paths
            path = Path(name)
            digest.update(b"\1" + (path.read_bytes() if path.is_file() else b"") + b"\0")
        return f"chancery {__version__} knowledge {digest.hexdigest()[:16]}"

    def config(self):
        """What a worker needs to build the same pipeline (see `engines`)."""
        from .engines import PipelineConfig
        return PipelineConfig(self.outlet_files, self.actor_files, self.pattern_files)

    def process(self, article: Article) -> Article:
        cleaned = self.cleaner(article)
        return self.analyse(dataclasses.replace(cleaned, sentences=split_sentences(cleaned.text)))

    def analyse(self, article: Article) -> Article:
        """Annotate and extract a cleaned article (the link stage re-runs this with a story's date)."""
        annotated = self.annotator(article)
        return dataclasses.replace(annotated, events=self.extractor(annotated), quotes=self.quotes(annotated),
                                   facts=self.facts(annotated))


def run(inputs: Iterable[str | Path], *, pipeline: Pipeline | None = None, manifest: Manifest | None = None,
        fetch_pages: bool = False, fetcher=None, allow_private: bool = False, engine=None,
        skip: Callable[[Article], bool] | None = None, languages: set[str] | None = None) -> Iterator[Item]:
    """Read, apply the manifest and process every input; problems pass through in order. URLs are
    fetched with `fetcher`, else with a default `Fetcher` that refuses private addresses unless
    `allow_private`.

    With an `engines.Engine`, the per-article stages run there (a process pool, a Dask cluster), each
    worker building its own pipeline from `pipeline`'s configuration; the output is the same.
    Articles for which `skip(article)` is true (already stored, say) are read but not analysed; with
    `languages`, articles known to be in another language are not even analysed (see `readers.read`)."""
    from .engines import Engine

    pipeline = pipeline or Pipeline()
    items = _read(inputs, manifest, fetch_pages, fetcher, allow_private, languages)
    if skip is not None:
        items = (item for item in items if not (isinstance(item, Article) and skip(item)))
    yield from (engine or Engine()).map(items, pipeline)
    if manifest is not None:
        for name in manifest.unused():
            yield Problem(str(manifest.path), f"names {name!r}, which is not among the inputs read")


def _read(inputs: Iterable[str | Path], manifest: Manifest | None, fetch_pages: bool, fetcher=None,
          allow_private: bool = False, languages: set[str] | None = None) -> Iterator[Item]:
    inputs = list(inputs)
    if manifest is not None:
        named, refused = manifest.files()
        for reason in refused:
            yield Problem(str(manifest.path), reason.split(": ", 1)[1])
        if not inputs:
            inputs = [str(p) for p in named]
    for item in read(inputs, fetch_pages=fetch_pages, fetcher=fetcher, allow_private=allow_private,
                     languages=languages):
        if manifest is not None and isinstance(item, Article):
            manifest.apply(item)
        yield item
