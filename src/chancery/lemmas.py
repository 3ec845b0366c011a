"""Lemmas by lookup (spaCy's English lemma table from spacy-lookups-data; no model needed)."""
from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def table() -> dict[str, str]:
    import spacy_lookups_data

    path = resources.files(spacy_lookups_data) / "data" / "en_lemma_lookup.json.gz"
    with path.open("rb") as fh:
        return json.loads(gzip.decompress(fh.read()))


def lemma(word: str) -> str:
    lower = word.lower().replace("’", "'")
    return table().get(lower, lower)


def lemmas_of(norms: Iterable[str]) -> list[str]:
    """`lemma` of each word, for words already lowercased with ’ as ' (knowledge.norm_token)."""
    lookup = table()
    return [lookup.get(n, n) for n in norms]
