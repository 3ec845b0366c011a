"""Write what a store holds in the formats other tools read (`chancery export`).

    csv, jsonl, parquet   events (or quotes, facts, stories) as flat columns / JSON lines / Parquet
    plover-jsonl          events with the field names of the PLOVER data format
    cameo-tsv             events as tab-separated columns named after GDELT 2.0's event table
    graphml               the actor network, for Gephi or networkx

Rows are read from the store in batches and written as they come, so memory stays flat however big
the store is. See docs/exports.md for every column.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO
from xml.sax.saxutils import quoteattr

from . import queries
from .queries import QUADS, EventFilter
from .storage import Store

__all__ = ["FORMATS", "KINDS", "export"]

FORMATS = ("csv", "jsonl", "parquet", "plover-jsonl", "cameo-tsv", "graphml")
KINDS = ("events", "quotes", "facts", "stories")
EVENT_ONLY = {"plover-jsonl", "cameo-tsv"}
_BATCH = 2000

# Flat columns per kind for csv and parquet: (name, type); nested fields are joined with "_".
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "events": [("id", "str"), ("article", "str"), ("story", "str"), ("outlet", "str"), ("sentence", "int"),
               ("date", "str"), ("date_precision", "str"), ("date_source", "str"), ("type", "str"), ("mode", "str"),
               ("cameo", "str"), ("quad", "str"), ("intensity", "float"), ("status", "str"),
               ("source_name", "str"), ("source_country", "str"), ("source_sector", "str"), ("source_text", "str"),
               ("target_name", "str"), ("target_country", "str"), ("target_sector", "str"), ("target_text", "str"),
               ("location_name", "str"), ("location_country", "str"), ("confidence", "float"), ("rule", "str"),
               ("mentions", "int"), ("text", "str"), ("span_start", "int"), ("span_end", "int")],
    "quotes": [("id", "str"), ("article", "str"), ("outlet", "str"), ("speaker_name", "str"),
               ("speaker_country", "str"), ("speaker_text", "str"), ("kind", "str"), ("cue", "str"), ("text", "str"),
               ("span_start", "int"), ("span_end", "int")],
    "facts": [("id", "str"), ("article", "str"), ("outlet", "str"), ("kind", "str"), ("what", "str"),
              ("value", "float"), ("until", "float"), ("unit", "str"), ("qualifier", "str"), ("period", "str"),
              ("items", "str"), ("text", "str"), ("span_start", "int"), ("span_end", "int")],
    "stories": [("id", "str"), ("title", "str"), ("start", "str"), ("end", "str"), ("actors", "str"),
                ("articles", "str"), ("num_articles", "int")],
}
_QUAD_CLASS = {quad: n for n, quad in enumerate(QUADS, start=1)}  # CAMEO's QuadClass 1–4
CAMEO_COLUMNS = ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "Actor1Code", "Actor1Name", "Actor1CountryCode",
                 "Actor1Type1Code", "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2Type1Code",
                 "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
                 "NumMentions", "NumSources", "NumArticles", "ActionGeo_FullName", "ActionGeo_CountryCode",
                 "DATEADDED", "SOURCEURL", "ChanceryStatus", "ChanceryEvidence"]


def export(store: Store, fmt: str, output: str | Path | TextIO, *, kind: str = "events",
           filters: EventFilter | None = None) -> int:
    """Write the store's `kind` records (events by default, filtered by `filters`) to `output` in
    `fmt`; return how many records (for graphml: edges) were written. `output` may be "-"."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: choose one of {', '.join(KINDS)}")
    if fmt in EVENT_ONLY and kind != "events":
        raise ValueError(f"{fmt} holds events only")
    if filters is not None and kind != "events" and filters.as_params():
        raise ValueError("filters apply to events only")
    if filters is not None:
        filters.check()  # before anything is written
    if fmt == "cameo-tsv" and (filters is None or filters.status is None):
        # GDELT users count what happened: threats, plans and denials stay out unless asked for
        filters = EventFilter(**{**(filters or EventFilter()).as_params(), "status": "asserted"})
    if fmt == "parquet":
        if output in ("-", None) or not isinstance(output, str | Path):
            raise ValueError("parquet needs a file name (-o FILE.parquet)")
        return _parquet(_records(store, kind, filters), kind, Path(output))
    if isinstance(output, str | Path) and str(output) != "-":
        with open(output, "w", encoding="utf-8", newline="") as stream:
            return _write_text(store, fmt, stream, kind, filters)
    import sys
    return _write_text(store, fmt, sys.stdout, kind, filters)


def _write_text(store: Store, fmt: str, stream: TextIO, kind: str, filters: EventFilter | None) -> int:
    if fmt == "graphml":
        return _graphml(queries.network(store, filters), stream)
    records = _records(store, kind, filters)
    n = 0
    if fmt == "csv":
        writer = csv.writer(stream)
        writer.writerow([name for name, _ in COLUMNS[kind]])
        for record in records:
            writer.writerow(_row(record, kind))
            n += 1
    elif fmt == "cameo-tsv":
        writer = csv.writer(stream, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(CAMEO_COLUMNS)
        for record in records:
            writer.writerow(cameo_row(record))
            n += 1
    else:
        shape = plover_record if fmt == "plover-jsonl" else (lambda r: r)
        for record in records:
            stream.write(json.dumps(shape(record), ensure_ascii=False) + "\n")
            n += 1
    return n


def _records(store: Store, kind: str, filters: EventFilter | None) -> Iterator[dict]:
    if kind == "events":
        return queries.iter_events(store, filters, batch_size=_BATCH)
    if kind == "stories":
        return iter(store.stories())
    return queries.iter_table(store, kind, batch_size=_BATCH)


def _flat(record: dict, kind: str) -> dict:
    flat = dict(record)
    for side in ("source", "target", "location", "speaker"):
        for key, value in (record.get(side) or {}).items():
            flat[f"{side}_{key}"] = value
    span = record.get("span") or [None, None]
    flat["span_start"], flat["span_end"] = span[0], span[1]
    if kind == "stories":
        flat["num_articles"] = len(record.get("articles") or [])
    for key in ("items", "actors", "articles"):
        if isinstance(flat.get(key), list):
            flat[key] = "; ".join(str(x) for x in flat[key])
    return flat


def _row(record: dict, kind: str) -> list:
    flat = _flat(record, kind)
    return [flat.get(name) for name, _ in COLUMNS[kind]]


def _parquet(records: Iterable[dict], kind: str, path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64()}
    schema = pa.schema([(name, types[t]) for name, t in COLUMNS[kind]])
    n = 0
    with pq.ParquetWriter(path, schema) as writer:
        batch: list[dict] = []
        for record in records:
            flat = _flat(record, kind)
            batch.append({name: _typed(flat.get(name), t) for name, t in COLUMNS[kind]})
            if len(batch) >= _BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                n += len(batch)
                batch = []
        if batch or n == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            n += len(batch)
    return n


def _typed(value, kind: str):
    if value is None:
        return None
    try:
        return {"str": str, "int": int, "float": float}[kind](value)
    except (TypeError, ValueError):
        return None


def plover_record(event: dict) -> dict:
    """An event with the PLOVER data format's field names; chancery's own fields follow, prefixed."""
    source, target, location = event.get("source") or {}, event.get("target") or {}, event.get("location") or {}
    return {
        "id": event["id"], "date": event.get("date"),
        "source": source.get("country"), "src_actor": source.get("name"), "src_agent": source.get("sector"),
        "src_other": source.get("text"),
        "target": target.get("country"), "tgt_actor": target.get("name"), "tgt_agent": target.get("sector"),
        "tgt_other": target.get("text"),
        "event": event.get("type"), "mode": event.get("mode"), "context": None,
        "quad": event.get("quad"), "intensity": event.get("intensity"),
        "location": location.get("name"), "location_country": location.get("country"),
        "text": event.get("text"),
        "chancery_status": event.get("status"), "chancery_cameo": event.get("cameo"),
        "chancery_article": event.get("article"), "chancery_story": event.get("story"),
        "chancery_outlet": event.get("outlet"), "chancery_span": event.get("span"),
        "chancery_rule": event.get("rule"),
    }


def _actor_code(actor: dict) -> str:
    return (actor.get("country") or "") + (actor.get("sector") or "")


def cameo_row(event: dict) -> list:
    """One line of the CAMEO TSV: GDELT 2.0 event-table column names, chancery values."""
    source, target, location = event.get("source") or {}, event.get("target") or {}, event.get("location") or {}
    day = (event.get("date") or "").replace("-", "")
    cameo = event.get("cameo") or ""
    return [
        event["id"], day, day[:6], day[:4],
        _actor_code(source), source.get("name"), source.get("country"), source.get("sector"),
        _actor_code(target), target.get("name"), target.get("country"), target.get("sector"),
        1, cameo, cameo[:3], cameo[:2], _QUAD_CLASS.get(event.get("quad"), ""), event.get("intensity"),
        event.get("mentions", 1), 1, 1, location.get("name"), location.get("country"),
        "", event.get("article"), event.get("status"), " ".join((event.get("text") or "").split()),
    ]


def _graphml(network: dict, stream: TextIO) -> int:
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
                 '  <key id="events" for="all" attr.name="events" attr.type="int"/>\n')
    stream.writelines(f'  <key id="{quad}" for="edge" attr.name="{quad}" attr.type="int"/>\n' for quad in QUADS)
    stream.write('  <graph id="chancery" edgedefault="directed">\n')
    stream.writelines(f'    <node id={quoteattr(node["id"])}><data key="events">{node["events"]}</data></node>\n' for node in network["nodes"])
    for n, edge in enumerate(network["edges"]):
        data = "".join(f'<data key="{key}">{edge[key]}</data>' for key in ("events", *QUADS))
        stream.write(f'    <edge id="e{n}" source={quoteattr(edge["source"])} target={quoteattr(edge["target"])}>'
                     f'{data}</edge>\n')
    stream.write("  </graph>\n</graphml>\n")
    return len(network["edges"])

