"""The outlet table: who publishes, under which names, initials and domains."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Outlet:
    name: str
    aliases: tuple[str, ...] = ()
    initials: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    country: str | None = None
    state_owned: bool | None = None
    agency: bool = False


@dataclass
class OutletTable:
    outlets: list[Outlet] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._index()

    def _index(self) -> None:
        self._by_name: dict[str, Outlet] = {}
        self._by_initials: dict[str, Outlet] = {}
        self._by_domain: dict[str, Outlet] = {}
        for outlet in self.outlets:
            for name in (outlet.name, *outlet.aliases):
                self._by_name[_key(name)] = outlet
            for initials in outlet.initials:
                self._by_initials[initials] = outlet  # case-sensitive: "GT", not "gt"
            for domain in outlet.domains:
                self._by_domain[domain.lower().removeprefix("www.")] = outlet

    def extend(self, outlets: list[Outlet]) -> OutletTable:
        """A new table where entries of the same name replace the old ones."""
        replaced = {o.name for o in outlets}
        return OutletTable([o for o in self.outlets if o.name not in replaced] + outlets)

    def by_name(self, text: str | None) -> Outlet | None:
        return self._by_name.get(_key(text)) if text else None

    def by_initials(self, token: str) -> Outlet | None:
        return self._by_initials.get(token)

    def by_url(self, url: str | None) -> Outlet | None:
        if not url:
            return None
        host = (urlsplit(url if "//" in url else "//" + url).hostname or "").lower().removeprefix("www.")
        while host:
            if host in self._by_domain:
                return self._by_domain[host]
            host = host.partition(".")[2]
        return None

    def canonical(self, text: str | None) -> str | None:
        """The canonical name for a known outlet name or alias, else the text as given."""
        if not text:
            return None
        outlet = self.by_name(text)
        return outlet.name if outlet else text.strip()


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower().replace("'", "").replace("’", "")).strip().removeprefix("the ")


def load_outlets(path: str | Path) -> list[Outlet]:
    """Read outlets from a TOML file of [[outlet]] tables (see data/outlets.toml)."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    found = []
    for entry in data.get("outlet", []):
        if not entry.get("name"):
            raise ValueError(f"{path}: an [[outlet]] entry has no name")
        found.append(Outlet(
            name=entry["name"],
            aliases=tuple(entry.get("aliases", ())),
            initials=tuple(entry.get("initials", ())),
            domains=tuple(entry.get("domains", ())),
            country=entry.get("country"),
            state_owned=entry.get("state_owned"),
            agency=bool(entry.get("agency", False)),
        ))
    return found


@lru_cache(maxsize=1)
def default_outlets() -> OutletTable:
    with resources.as_file(resources.files("chancery") / "data" / "outlets.toml") as path:
        return OutletTable(load_outlets(path))


def outlet_table(extra_files: tuple[str, ...] = ()) -> OutletTable:
    table = default_outlets()
    for path in extra_files:
        table = table.extend(load_outlets(path))
    return table
