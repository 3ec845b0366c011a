"""The real `chancery` command, run as a user would run it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "chancery"]
TEXT = ("Chile's foreign minister met her Argentine counterpart in Santiago on Monday to discuss "
        "a lithium partnership, officials said. The two agreed to meet again in March.")
CONTRACT_ARTICLE_KEYS = {"id", "source", "url", "outlet", "title", "published", "dateline", "language", "text", "removed"}


def chancery(*args, cwd=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}  # wide enough that tables do not wrap names
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120,
                          check=False, env=env)


def test_version():
    r = chancery("--version")
    assert r.returncode == 0 and r.stdout.startswith("chancery ")


def test_help_teaches_by_example():
    r = chancery("analyze", "--help")
    assert r.returncode == 0 and "chancery analyze articles/ -o report.json" in r.stdout
    r = chancery()
    assert r.returncode == 0 and "Examples" in r.stdout


@pytest.mark.parametrize("args", [("analyze",), ("analyze", "--no-such-option", "x"), ("frobnicate",)])
def test_usage_errors_exit_1(args):
    r = chancery(*args)
    assert r.returncode == 1, r.stderr
    assert r.stderr.startswith("chancery: error:")


def test_analyze_writes_the_contract(tmp_path: Path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "lithium.txt").write_text(f"Ministers discuss lithium\nSANTIAGO (Andes Wire) - {TEXT}")
    out = tmp_path / "r.json"
    r = chancery("analyze", tmp_path / "in", "-o", out)
    assert r.returncode == 0, r.stderr
    report = json.loads(out.read_text())
    assert report["schema"] == "chancery.report/1"
    for key in ("stories", "events", "quotes", "facts", "comparisons"):
        assert isinstance(report[key], list)
    assert {e["type"] for e in report["events"]} <= {"CONSULT", "AGREE", "SUPPORT", "COOPERATE", "REQUEST"}
    [article] = report["articles"]
    assert CONTRACT_ARTICLE_KEYS <= set(article)
    assert article["id"] == "lithium" and article["title"] == "Ministers discuss lithium"
    assert article["dateline"]["place"] == "Santiago" and article["outlet"] == "Andes Wire"
    assert article["text"].startswith("Chile's foreign minister")
    for start, end in article["sentences"]:
        assert article["text"][start:end].strip() == article["text"][start:end]


def test_analyze_to_stdout(tmp_path: Path):
    (tmp_path / "a.txt").write_text(TEXT)
    r = chancery("analyze", tmp_path / "a.txt")
    assert r.returncode == 0 and json.loads(r.stdout)["articles"][0]["id"] == "a"


def test_bad_inputs_are_reported_and_the_rest_processed(tmp_path: Path):
    (tmp_path / "good.txt").write_text(TEXT)
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "nobody.html").write_text("<html><head><title>t</title></head><body></body></html>")
    (tmp_path / "wire.jsonl").write_text(json.dumps({"id": "w1", "text": TEXT}) + "\n{broken\n")
    (tmp_path / "empty.xml").write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>F</title></channel></rss>')
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps([{"file": "good.txt", "outlet": "Andes Wire"}, {"file": "missing.txt"}]))
    out = tmp_path / "r.json"
    r = chancery("analyze", *[tmp_path / n for n in ("good.txt", "empty.txt", "binary.txt", "nobody.html",
                                                     "wire.jsonl", "empty.xml")],
                 "--manifest", manifest, "-o", out)
    assert r.returncode == 2, r.stderr
    lines = [line for line in r.stderr.splitlines() if line.startswith("chancery: ")]
    assert len(lines) == 6, r.stderr
    for name in ("empty.txt", "binary.txt", "nobody.html", "wire.jsonl:2", "empty.xml", "missing.txt"):
        assert sum(name in line for line in lines) == 1, (name, lines)
    report = json.loads(out.read_text())
    ids = sorted(a["id"] for a in report["articles"])
    assert ids == ["good", "w1"]
    assert next(a for a in report["articles"] if a["id"] == "good")["outlet"] == "Andes Wire"
    assert len(report["problems"]) == 6


def test_unreachable_url_is_a_problem(tmp_path: Path):
    (tmp_path / "a.txt").write_text(TEXT)
    r = chancery("analyze", tmp_path / "a.txt", "http://127.0.0.1:9/nothing", "-o", tmp_path / "r.json")
    assert r.returncode == 2
    assert "http://127.0.0.1:9/nothing" in r.stderr
    assert len(json.loads((tmp_path / "r.json").read_text())["articles"]) == 1


def test_explain_shows_resolutions_and_times():
    r = chancery("explain", "The Chinese president met his Russian counterpart on Monday.", "--date", "2025-09-02")
    assert r.returncode == 0, r.stderr
    assert "Xi Jinping" in r.stdout and "Vladimir Putin" in r.stdout
    assert "2025-09-01" in r.stdout and "counterpart" in r.stdout


def test_explain_rejects_a_bad_date():
    r = chancery("explain", "Xi spoke.", "--date", "yesterday")
    assert r.returncode == 1 and "--date" in r.stderr


def test_actors_file_adds_people(tmp_path: Path):
    actors = tmp_path / "mine.toml"
    actors.write_text('[[person]]\nname = "Marta Quispe"\nsurname = "Quispe"\ncountry = "BOL"\n'
                      'role = "foreign minister"\nstart = "2024-01-01"\ngender = "f"\n')
    (tmp_path / "a.txt").write_text("Marta Quispe met reporters in La Paz on Monday. Quispe said talks would go on.")
    out = tmp_path / "r.json"
    r = chancery("analyze", tmp_path / "a.txt", "--actors", actors, "-o", out)
    assert r.returncode == 0, r.stderr
    mentions = json.loads(out.read_text())["articles"][0]["mentions"]
    quispe = [m for m in mentions if m["actor"]["name"] == "Marta Quispe"]
    assert len(quispe) == 2 and all(m["actor"]["country"] == "BOL" for m in quispe)


def test_report_links_articles_into_stories(tmp_path: Path):
    (tmp_path / "a.txt").write_text("Chile's foreign minister met her Argentine counterpart in Santiago on Monday "
                                    "to discuss a lithium partnership, officials said.")
    (tmp_path / "b.txt").write_text("The Argentine and Chilean foreign ministers met in Santiago on Monday and "
                                    "discussed a lithium partnership between the two countries.")
    out = tmp_path / "r.json"
    r = chancery("analyze", tmp_path / "a.txt", tmp_path / "b.txt", "-o", out)
    assert r.returncode == 0, r.stderr
    report = json.loads(out.read_text())
    ids = {a for s in report["stories"] for a in s["articles"]}
    assert ids == {"a", "b"}
    assert {"id", "title", "articles", "start", "end", "actors"} <= set(report["stories"][0])
    story_ids = {s["id"] for s in report["stories"]}
    assert all(e["story"] in story_ids for e in report["events"])


def test_changed_knowledge_files_make_ingest_analyse_stored_articles_again(tmp_path):
    from importlib import resources

    from chancery.storage import open_store

    db = tmp_path / "k.db"
    with resources.as_file(resources.files("chancery") / "demo") as folder:
        corpus = ["ingest", folder / "articles", "--manifest", folder / "manifest.csv", "--outlets",
                  folder / "outlets.toml", "--db", db]
        first = chancery(*corpus)
        assert first.returncode == 0, first.stderr
        again = chancery(*corpus)
        assert "0 new" in again.stderr and "analysed again" not in again.stderr

        def held_talks() -> set[str]:
            with open_store(str(db)) as store:
                return {e["type"] for e in store.report()["events"] if e["rule"] == "consult.hold-talks"}

        assert held_talks() == {"CONSULT"}
        mine = tmp_path / "mine.toml"  # the same rule id replaces the packaged entry
        mine.write_text('[[pattern]]\nid = "consult.hold-talks"\nphrase = "hold talks"\ntype = "ACCUSE"\n'
                        'mode = "disapprove"\ncameo = "111"\nsource = "subject"\ntarget = "with"\n', encoding="utf-8")
        changed = chancery(*corpus, "--patterns", mine)
        assert changed.returncode == 0, changed.stderr
        assert "analysed again (the knowledge files changed)" in changed.stderr
        assert held_talks() == {"ACCUSE"}
        with open_store(str(db)) as store:
            report = store.report()
            linked = [m for item in report["story_events"] for m in item.get("mentions", [])]
            assert "pending" not in {c.get("kind") for c in report["comparisons"]}
        assert any(item["type"] == "ACCUSE" for item in report["story_events"]), "story events linked again"
        assert linked
        steady = chancery(*corpus, "--patterns", mine)
        assert "analysed again" not in steady.stderr and held_talks() == {"ACCUSE"}
