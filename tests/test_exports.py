"""Exports read back with the tools their users have (csv, json, pyarrow, an XML parser), and the
notebook interface's DataFrames, over the demo corpus in a real SQLite store."""
from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

import pyarrow.parquet as pq
import pytest

import chancery
from chancery import queries
from chancery.cli import main
from chancery.exports import CAMEO_COLUMNS, export
from chancery.relink import relink
from chancery.storage import open_store


@pytest.fixture(scope="module")
def db(tmp_path_factory, demo_articles) -> str:
    path = tmp_path_factory.mktemp("exports") / "demo.db"
    with open_store(str(path)) as store:
        store.add(demo_articles)
        relink(store)
    return str(path)


@pytest.fixture
def store(db):
    with open_store(db) as opened:
        yield opened


def all_events(store, **filters) -> list[dict]:
    return list(queries.iter_events(store, queries.EventFilter(**filters)))


def test_csv_and_jsonl_hold_every_event(store, tmp_path):
    events = all_events(store)
    assert export(store, "csv", tmp_path / "e.csv") == len(events) > 20
    rows = list(csv.DictReader((tmp_path / "e.csv").open(encoding="utf-8")))
    assert [r["id"] for r in rows] == [e["id"] for e in events]
    first = rows[0]
    assert first["source_country"] == (events[0]["source"] or {}).get("country", "") or first["source_country"] == ""
    assert int(first["span_end"]) - int(first["span_start"]) == len(events[0]["text"])
    export(store, "jsonl", tmp_path / "e.jsonl")
    lines = [json.loads(line) for line in (tmp_path / "e.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [e["id"] for e in events]


def test_filters_apply_and_are_checked_before_writing(store, tmp_path):
    dyad = all_events(store, dyad="CHN-RUS")
    assert 0 < export(store, "csv", tmp_path / "d.csv", filters=queries.EventFilter(dyad="CHN-RUS")) == len(dyad)
    with pytest.raises(queries.QueryError):
        export(store, "csv", tmp_path / "bad.csv", filters=queries.EventFilter(dyad="CHN"))
    assert not (tmp_path / "bad.csv").exists()


def test_parquet_has_typed_columns(store, tmp_path):
    n = export(store, "parquet", tmp_path / "e.parquet")
    table = pq.read_table(tmp_path / "e.parquet")
    assert table.num_rows == n == len(all_events(store))
    assert str(table.schema.field("intensity").type) == "double" and str(table.schema.field("sentence").type) == "int64"
    for kind in ("quotes", "facts", "stories"):
        assert export(store, "parquet", tmp_path / f"{kind}.parquet", kind=kind) == \
            pq.read_table(tmp_path / f"{kind}.parquet").num_rows > 0


def test_plover_jsonl_uses_plover_field_names(store, tmp_path):
    export(store, "plover-jsonl", tmp_path / "p.jsonl")
    records = [json.loads(line) for line in (tmp_path / "p.jsonl").read_text(encoding="utf-8").splitlines()]
    events = {e["id"]: e for e in all_events(store)}
    assert len(records) == len(events)
    for record in records:
        event = events[record["id"]]
        assert record["event"] == event["type"] and record["mode"] == event["mode"]
        assert record["source"] == (event["source"] or {}).get("country")
        assert record["tgt_actor"] == (event["target"] or {}).get("name")
        assert record["chancery_status"] == event["status"]


def test_cameo_tsv_keeps_asserted_events_with_gdelt_columns(store, tmp_path):
    n = export(store, "cameo-tsv", tmp_path / "c.tsv")
    rows = list(csv.reader((tmp_path / "c.tsv").open(encoding="utf-8"), delimiter="\t"))
    assert rows[0] == CAMEO_COLUMNS and len(rows) - 1 == n == len(all_events(store, status="asserted"))
    by_name = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert all(r["ChanceryStatus"] == "asserted" for r in by_name)
    assert all(r["QuadClass"] in {"1", "2", "3", "4"} for r in by_name)
    assert all(r["EventRootCode"] == r["EventCode"][:2] for r in by_name)
    assert any(len(r["SQLDATE"]) == 8 for r in by_name)


def test_graphml_is_the_actor_network(store, tmp_path):
    n = export(store, "graphml", tmp_path / "n.graphml")
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    root = ET.parse(tmp_path / "n.graphml").getroot()
    edges = root.findall(".//g:edge", ns)
    nodes = {node.get("id") for node in root.findall(".//g:node", ns)}
    assert len(edges) == n == len(queries.network(store)["edges"]) > 0
    assert {"CHN", "RUS"} <= nodes and all(e.get("source") in nodes and e.get("target") in nodes for e in edges)


def test_cli_export_and_its_errors(db, tmp_path, capsys):
    assert main(["export", "--db", db, "-f", "csv", "-o", str(tmp_path / "x.csv"), "--dyad", "CHN-RUS"]) == 0
    assert "exported" in capsys.readouterr().err
    assert main(["export", "--db", db, "-f", "xml"]) == 1
    assert "unknown format" in capsys.readouterr().err
    assert main(["export", "--db", db, "-f", "cameo-tsv", "--kind", "quotes"]) == 1
    assert main(["export", "--db", db, "-f", "parquet"]) == 1
    assert "file name" in capsys.readouterr().err


def test_notebook_frames(db):
    with chancery.open(db) as corpus:
        events = corpus.events(dyad="CHN-RUS")
        assert len(events) == len(all_events(corpus.store, dyad="CHN-RUS")) > 0
        assert set(events["source_country"].dropna()) <= {"CHN", "RUS"}
        monthly = corpus.dyad("CHN", "RUS", freq="M")
        assert monthly.index.name == "period" and monthly["verbal_cooperation"].sum() > 0
        asserted = events[(events["status"] == "asserted") & events["date"].str.len().ge(7)]
        assert sum(len(ids) for ids in monthly["events"]) == len(asserted)
        assert len(corpus.stories()) == corpus.store.counts()["stories"]
        nodes, edges = corpus.network()
        assert len(edges) == len(queries.network(corpus.store)["edges"]) and "CHN" in set(nodes["id"])
        assert len(corpus.quotes()) > 0 and len(corpus.facts()) > 0
