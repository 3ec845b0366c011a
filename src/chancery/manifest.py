"""Manifests: what a crawler knew about each file (outlet, publication date, URL, title).

A manifest is a JSON list of objects or a CSV file with a header. Each entry names its article by
`file` (a path relative to the manifest) or `id`. Its non-empty values win over what chancery
guesses from the text.
"""
from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .readers import publication_date
from .records import Article

FIELDS = ("outlet", "published", "url", "title")


class ManifestError(ValueError):
    pass


@dataclass
class Manifest:
    path: Path
    entries: list[dict] = field(default_factory=list)
    used: set[int] = field(default_factory=set)
    # entries whose `file` leads outside the manifest's folder: never read, applied or reported unused
    refused: set[int] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        base = os.path.abspath(self.path.parent)
        for i, entry in enumerate(self.entries):
            name = entry.get("file")
            if name and os.path.commonpath([base, os.path.abspath(os.path.join(base, _slashes(name)))]) != base:
                self.refused.add(i)

    @classmethod
    def load(cls, path: str | Path) -> Manifest:
        path = Path(path)
        try:
            raw = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise ManifestError(f"{path}: cannot read manifest ({exc.strerror or exc})") from None
        if path.suffix.lower() == ".csv":
            rows = list(csv.DictReader(raw.splitlines()))
        else:
            try:
                rows = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ManifestError(f"{path}: manifest is not valid JSON (line {exc.lineno}: {exc.msg})") from None
            if isinstance(rows, dict):
                rows = rows.get("articles", [])
            if not isinstance(rows, list):
                raise ManifestError(f"{path}: a JSON manifest must be a list of objects")
        entries = []
        for i, row in enumerate(rows, 1):
            if not isinstance(row, dict) or not (row.get("file") or row.get("id")):
                raise ManifestError(f"{path}: entry {i} has neither 'file' nor 'id'")
            entry = {k: (v.strip() if isinstance(v, str) else v) for k, v in row.items()}
            published = entry.get("published")
            if published not in (None, ""):
                date = publication_date(str(published))
                if date is None:
                    raise ManifestError(f"{path}: entry {i}: 'published' is not a date ({published!r})")
                entry["published"] = date
            entries.append(entry)
        return cls(path, entries)

    def files(self) -> tuple[list[Path], list[str]]:
        """The files the manifest names, resolved against its folder; and the reasons for names
        that are refused (paths that lead outside the manifest's folder, with `..` or as absolute paths)."""
        base = self.path.parent
        found, refused = [], []
        for i, entry in enumerate(self.entries):
            name = entry.get("file")
            if not name:
                continue
            if i in self.refused:
                refused.append(f"{self.path}: entry {name!r} points outside the manifest's folder; refused")
                continue
            found.append(Path(os.path.normpath(base / PurePosixPath(_slashes(name)))))
        return found, refused

    def apply(self, article: Article) -> Article:
        """Copy the entry's values onto the article (they win); remember that the entry was used."""
        for i, entry in enumerate(self.entries):
            if i not in self.refused and _names(entry, article):
                self.used.add(i)
                for key in FIELDS:
                    value = entry.get(key)
                    if value not in (None, ""):
                        setattr(article, key, str(value))
                        article.provenance[key] = "manifest"
                break
        return article

    def unused(self) -> list[str]:
        skip = self.used | self.refused
        return [str(e.get("file") or e.get("id")) for i, e in enumerate(self.entries) if i not in skip]


def _slashes(name) -> str:
    return str(name).replace("\\", "/")


def _names(entry: dict, article: Article) -> bool:
    if entry.get("id") and str(entry["id"]) == article.id:
        return True
    name = entry.get("file")
    if not name:
        return False
    name = str(name).replace("\\", "/")
    source = article.source.replace("\\", "/")
    return source == name or source.endswith("/" + name) or PurePosixPath(name).stem == article.id
