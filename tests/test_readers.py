"""Readers for files, folders and JSONL; encodings; bad inputs become problems, never crashes."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from chancery.manifest import Manifest, ManifestError
from chancery.readers import read
from chancery.records import Article, Problem

TEXT = ("Kenya's foreign minister welcomed his Ethiopian counterpart in Nairobi on Friday, "
        "and the two signed a memorandum on cross-border trade. “We are neighbours first,” she said.")

PAGE = """<!DOCTYPE html><html lang="en"><head><title>Neighbours sign trade memorandum | Rift Valley Post</title>
<meta property="og:site_name" content="Rift Valley Post">
<meta property="og:title" content="Neighbours sign trade memorandum">
<meta property="article:published_time" content="2024-02-09T10:00:00+03:00"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Neighbours sign trade memorandum</h1>
<figure><img src="a.jpg"><figcaption>The ministers sign the memorandum in Nairobi. (Photo: J. Otieno/RVP)</figcaption></figure>
<p>NAIROBI (Rift Valley Post) - Kenya's foreign minister welcomed her Ethiopian counterpart in Nairobi on Friday,
and the two signed a memorandum on cross-border trade that officials said would cut waiting times at the border.</p>
<p>The agreement follows months of talks about customs posts and a new road link between the two countries.</p>
</article><footer>© 2024 Rift Valley Post</footer></body></html>"""


def items(*inputs) -> tuple[list[Article], list[Problem]]:
    got = list(read(inputs))
    return [i for i in got if isinstance(i, Article)], [i for i in got if isinstance(i, Problem)]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_text_encodings(tmp_path: Path, encoding):
    path = tmp_path / "story.txt"
    path.write_bytes(TEXT.encode(encoding))
    arts, problems = items(path)
    assert problems == []
    assert arts[0].raw == TEXT and arts[0].id == "story"


def test_invalid_utf8_is_read_with_a_problem(tmp_path: Path):
    path = tmp_path / "broken.txt"
    path.write_bytes(TEXT.encode("utf-8") + b"\xff\xfe and more text after the damage.")
    arts, problems = items(path)
    assert len(arts) == 1 and "neighbours first" in arts[0].raw
    assert len(problems) == 1 and "invalid UTF-8" in problems[0].reason and problems[0].source == str(path)


def test_empty_and_binary_files_are_problems(tmp_path: Path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("  \n\n ")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "good.txt").write_text(TEXT)
    arts, problems = items(tmp_path)
    assert [a.id for a in arts] == ["good"]
    reasons = {Path(p.source).name: p.reason for p in problems}
    assert reasons["empty.txt"] == "empty file" and reasons["blank.txt"] == "empty file"
    assert "binary" in reasons["binary.txt"]


def test_random_bytes_without_nul_are_not_damaged_utf8(tmp_path: Path):
    # random bytes hold many valid two-byte UTF-8 sequences by chance; that alone must not make them text
    noise = bytes(b for b in random.Random(3).randbytes(20_000) if b)
    path = tmp_path / "noise.txt"
    path.write_bytes(noise)
    assert items(path) == ([], [Problem(str(path), "binary data or an unknown encoding, not text")])


def test_html_page_body_and_metadata(tmp_path: Path):
    path = tmp_path / "page.html"
    path.write_text(PAGE)
    arts, problems = items(path)
    assert problems == []
    a = arts[0]
    assert a.title == "Neighbours sign trade memorandum"
    assert a.outlet == "Rift Valley Post"
    assert a.published == "2024-02-09"
    assert "cross-border trade" in a.raw and "Home" not in a.raw and "©" not in a.raw
    assert any(r.kind == "caption" and "J. Otieno" in r.text for r in a.removed)


def test_html_without_body_is_a_problem(tmp_path: Path):
    path = tmp_path / "nobody.html"
    path.write_text("<html><head><title>Nothing</title></head></html>")
    arts, problems = items(path)
    assert arts == [] and problems[0].reason == "HTML page has no article body"


def test_jsonl_bad_line_reported_with_line_number(tmp_path: Path):
    path = tmp_path / "wire.jsonl"
    lines = [json.dumps({"id": "a1", "text": TEXT, "outlet": "Rift Valley Post", "published": "2024-02-09",
                         "title": "Trade memorandum", "url": "https://example.org/a1"}),
             '{"id": "a2", "text": "cut off',
             json.dumps({"id": "a3", "html": PAGE}),
             json.dumps({"id": "a4", "title": "no body"}),
             json.dumps(["not", "an", "object"])]
    path.write_text("\n".join(lines) + "\n")
    arts, problems = items(path)
    assert [a.id for a in arts] == ["a1", "a3"]
    assert arts[0].outlet == "Rift Valley Post" and arts[0].provenance["outlet"] == "jsonl"
    assert arts[0].url == "https://example.org/a1"
    assert [p.source for p in problems] == [f"{path}:2", f"{path}:4", f"{path}:5"]
    assert "invalid JSON" in problems[0].reason and "no 'text' or 'html'" in problems[1].reason


def test_missing_path_and_duplicate_ids(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "story.txt").write_text(TEXT)
    (tmp_path / "b" / "story.txt").write_text(TEXT + " Another.")
    arts, problems = items(tmp_path / "a", tmp_path / "b", tmp_path / "nowhere")
    assert [a.id for a in arts] == ["story", "story-2"]
    assert problems == [Problem(str(tmp_path / "nowhere"), "no such file or folder")]


def test_unsupported_scheme(tmp_path: Path):
    _, problems = items("ftp://example.org/feed")
    assert problems[0].reason == "only http and https URLs can be read"


def test_manifest_json_and_csv(tmp_path: Path):
    (tmp_path / "x.txt").write_text(TEXT)
    m = tmp_path / "m.json"
    m.write_text(json.dumps([{"file": "x.txt", "outlet": "Rift Valley Post", "published": "2024-02-09",
                              "url": None, "title": ""}]))
    art = Manifest.load(m).apply(items(tmp_path / "x.txt")[0][0])
    assert art.outlet == "Rift Valley Post" and art.provenance["published"] == "manifest"
    assert art.title is None  # empty values do not overwrite
    c = tmp_path / "m.csv"
    c.write_text("id,outlet,published\nx,Other Outlet,2024-02-10\n")
    art = Manifest.load(c).apply(items(tmp_path / "x.txt")[0][0])
    assert (art.outlet, art.published) == ("Other Outlet", "2024-02-10")


def test_manifest_refuses_paths_outside_its_folder(tmp_path: Path):
    m = tmp_path / "m.json"
    m.write_text(json.dumps([{"file": "../etc/passwd"}, {"file": "/etc/passwd"}, {"file": "ok.txt"}]))
    files, refused = Manifest.load(m).files()
    assert files == [tmp_path / "ok.txt"] and len(refused) == 2


def test_bad_manifest_is_an_error(tmp_path: Path):
    m = tmp_path / "m.json"
    m.write_text("{not json")
    with pytest.raises(ManifestError, match="not valid JSON"):
        Manifest.load(m)
