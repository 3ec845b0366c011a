"""A story's outlets side by side, for the terminal (`chancery story ID`)."""
from __future__ import annotations

from collections import Counter

from rich.table import Table
from rich.text import Text

MISSING = "—"
VERDICT_STYLE = {"agree": "green", "differ": "bold red", "unique": "yellow"}


def render_story(report: dict, story: dict) -> list:
    """Rich renderables: the story's articles, then one row per compared item with one column per article."""
    articles = [a for a in report["articles"] if a["id"] in set(story["articles"])]
    order = {article_id: n for n, article_id in enumerate(story["articles"])}
    articles.sort(key=lambda a: order.get(a["id"], len(order)))
    counts = {kind: Counter(entry["article"] for entry in report.get(kind, [])) for kind in ("events", "quotes", "facts")}

    heading = Text.assemble((story.get("title") or story["id"], "bold"), "  ",
                            (f"{story.get('start') or '?'} … {story.get('end') or '?'}", "dim"), "  ",
                            ", ".join(story.get("actors") or []))
    overview = Table(title="articles", expand=True)
    for column in ("article", "outlet", "published", "events", "quotes", "facts"):
        overview.add_column(column, overflow="fold", max_width=24)
    overview.add_column("title", overflow="fold", ratio=1, min_width=20)
    for a in articles:
        overview.add_row(a["id"], a.get("outlet") or MISSING, a.get("published") or MISSING,
                         *(str(counts[kind][a["id"]]) for kind in ("events", "quotes", "facts")), a.get("title") or "")

    items = [item for comparison in report.get("comparisons", []) for item in comparison.get("items", [])]
    if not items:
        return [heading, overview, Text("No comparison is stored for this story yet.", style="dim")]
    side = Table(title="what each outlet says", expand=True, show_lines=True)
    side.add_column("kind", no_wrap=True)
    side.add_column("item", overflow="fold", max_width=28)
    for a in articles:
        side.add_column(a.get("outlet") or a["id"], overflow="fold", ratio=1)
    side.add_column("verdict", no_wrap=True)
    for item in sorted(items, key=lambda i: (i.get("kind") or "", str(i.get("key")))):
        said = item.get("reported_by") or {}
        cells = [Text(_cell(said[a["id"]])) if a["id"] in said else Text(MISSING, style="dim") for a in articles]
        verdict = item.get("verdict") or ""
        side.add_row(item.get("kind") or "", str(item.get("key") or ""), *cells,
                     Text(verdict, style=VERDICT_STYLE.get(verdict, "")))
    return [heading, overview, side]


def _cell(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)
