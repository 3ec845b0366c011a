"""Are two `chancery analyze` reports the same, apart from the `generator` field?

    .venv/bin/python bench/same_output.py before.json after.json [more-before.json more-after.json ...]

Used to check that a speed-up changed nothing: prints the first differences found (by JSON path)
and exits 1 when any pair differs, 0 when every pair is identical.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

IGNORED = frozenset({"generator"})


def differences(a: object, b: object, path: str = "$", limit: int = 20) -> list[str]:
    """Paths where a and b differ, depth first, at most `limit` of them."""
    out: list[str] = []

    def walk(x: object, y: object, where: str) -> None:
        if len(out) >= limit:
            return
        if type(x) is not type(y):
            out.append(f"{where}: {type(x).__name__} {_short(x)} != {type(y).__name__} {_short(y)}")
        elif isinstance(x, dict):
            for key in sorted(set(x) | set(y)):
                if where == "$" and key in IGNORED:
                    continue
                if key not in x or key not in y:
                    out.append(f"{where}.{key}: only in {'second' if key in y else 'first'}")
                else:
                    walk(x[key], y[key], f"{where}.{key}")
        elif isinstance(x, list):
            if len(x) != len(y):
                out.append(f"{where}: {len(x)} items != {len(y)} items")
            for n, (p, q) in enumerate(zip(x, y)):
                walk(p, q, f"{where}[{n}]")
        elif x != y:
            out.append(f"{where}: {_short(x)} != {_short(y)}")

    walk(a, b, path)
    return out


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def main(argv: list[str]) -> int:
    if len(argv) < 2 or len(argv) % 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    status = 0
    for first, second in zip(argv[::2], argv[1::2]):
        found = differences(json.loads(Path(first).read_text(encoding="utf-8")),
                            json.loads(Path(second).read_text(encoding="utf-8")))
        if found:
            status = 1
            print(f"DIFFERENT {first} {second}")
            for line in found:
                print(f"  {line}")
        else:
            print(f"same      {first} {second}")
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
