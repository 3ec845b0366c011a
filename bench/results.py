"""bench/results.json: the figures of every benchmark, `{"name", "value", "unit", "target", "meets"}`."""
from __future__ import annotations

import json
from pathlib import Path

PATH = Path(__file__).resolve().parent / "results.json"


def merge_results(figures: list[dict], path: Path = PATH) -> None:
    """Replace the figures of the same names in `path`, keep the others (each bench writes its own)."""
    existing = json.loads(path.read_text()) if path.exists() else []
    names = {f["name"] for f in figures}
    path.write_text(json.dumps([f for f in existing if f["name"] not in names] + figures, indent=1) + "\n")
