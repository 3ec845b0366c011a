"""Readers for files, folders and JSONL; encodings; bad inputs become problems, never crashes."""
from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest

from chancery import settings
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
    m.write_text(json.dumps([{"file": "../etc/passwd"}, {"file": "/etc/passwd"}, {"file": "ok.txt"},
                             {"file": "sub/../../escape.txt"}, {"file": "..\\windows.txt"},
                             {"file": "sub/../inside.txt"}, {"file": str(tmp_path / "absolute-inside.txt")}]))
    files, refused = Manifest.load(m).files()
    assert files == [tmp_path / "ok.txt", tmp_path / "inside.txt", tmp_path / "absolute-inside.txt"]
    names = ["../etc/passwd", "/etc/passwd", "sub/../../escape.txt", "..\\windows.txt"]
    assert refused == [f"{m}: entry {name!r} points outside the manifest's folder; refused" for name in names]


def test_refused_manifest_entries_are_neither_applied_nor_reported_twice(tmp_path: Path):
    (tmp_path / "passwd.txt").write_text(TEXT)
    m = tmp_path / "m.json"
    m.write_text(json.dumps([{"file": "/etc/passwd", "outlet": "Evil"}]))
    manifest = Manifest.load(m)
    article = manifest.apply(items(tmp_path / "passwd.txt")[0][0])
    assert article.outlet is None  # the article's id matches the refused name's stem: not applied
    assert manifest.unused() == []  # its one problem line is the refusal


def test_bad_manifest_is_an_error(tmp_path: Path):
    m = tmp_path / "m.json"
    m.write_text("{not json")
    with pytest.raises(ManifestError, match="not valid JSON"):
        Manifest.load(m)


# -- limits and damaged inputs ------------------------------------------------------------------------

def _records(n: int) -> list[str]:
    # distinct lines, so that gzip cannot squeeze them into a few bytes and a cut lands mid-file
    return [json.dumps({"id": f"r{i}", "text": f"{TEXT} Record {i} of {n}: {i * 7919 % 104729:06d}."})
            for i in range(n)]


def test_jsonl_gz_is_read(tmp_path: Path):
    path = tmp_path / "wire.jsonl.gz"
    path.write_bytes(gzip.compress(("\n".join(_records(3)) + "\n").encode()))
    arts, problems = items(path)
    assert problems == [] and [a.id for a in arts] == ["r0", "r1", "r2"]
    assert arts[0].source == f"{path}:1"


def test_truncated_jsonl_gz_gives_the_records_before_the_cut(tmp_path: Path):
    data = gzip.compress(("\n".join(_records(400)) + "\n").encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    arts, problems = items(path)
    assert 50 < len(arts) < 400
    assert [a.id for a in arts] == [f"r{i}" for i in range(len(arts))]
    assert problems == [Problem(str(path), f"truncated gzip after {len(arts)} lines")]


def test_jsonl_gz_that_is_not_gzip(tmp_path: Path):
    path = tmp_path / "plain.jsonl.gz"
    path.write_text("\n".join(_records(2)))
    arts, problems = items(path)
    assert arts == [] and len(problems) == 1 and problems[0].reason.startswith("not a gzip file")


def test_gzip_file_with_another_ending_is_named_as_such(tmp_path: Path):
    path = tmp_path / "story.txt"
    path.write_bytes(gzip.compress(TEXT.encode()))
    _, problems = items(path)
    assert problems == [Problem(str(path), "gzip-compressed file; only .jsonl.gz and .warc.gz are read compressed")]


def test_overlong_jsonl_line_is_skipped_and_the_next_line_read(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(settings, "MAX_JSONL_LINE_BYTES", 1000)
    path = tmp_path / "wire.jsonl"
    long_line = json.dumps({"id": "long", "text": "word " * 5000})
    path.write_text("\n".join([_records(1)[0], long_line, json.dumps({"id": "after", "text": TEXT})]) + "\n")
    arts, problems = items(path)
    assert [a.id for a in arts] == ["r0", "after"]
    assert problems == [Problem(f"{path}:2", "line is longer than the limit of 1,000 bytes; skipped")]


def test_jsonl_line_of_exactly_the_limit_is_read(tmp_path: Path, monkeypatch):
    line = json.dumps({"id": "edge", "text": TEXT})
    monkeypatch.setattr(settings, "MAX_JSONL_LINE_BYTES", len(line.encode()))
    path = tmp_path / "wire.jsonl"
    path.write_text(line + "\n" + line)
    arts, problems = items(path)
    assert problems == [] and [a.id for a in arts] == ["edge", "edge-2"]


def test_deeply_nested_json_is_a_problem_not_a_crash(tmp_path: Path):
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n" + json.dumps({"id": "ok", "text": TEXT}) + "\n")
    arts, problems = items(path)
    assert [a.id for a in arts] == ["ok"]
    assert len(problems) == 1 and problems[0].source == f"{path}:1" and "invalid JSON" in problems[0].reason


def test_file_over_the_size_limit_is_not_read(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(settings, "MAX_FILE_BYTES", 100)
    path = tmp_path / "long.txt"
    path.write_text(TEXT)
    size = path.stat().st_size
    assert items(path) == ([], [Problem(str(path), f"file is {size:,} bytes, larger than the limit of 100 bytes; not read")])


def test_article_over_the_size_limit_is_refused_from_every_reader(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(settings, "MAX_ARTICLE_CHARS", len(TEXT))
    (tmp_path / "fits.txt").write_text(TEXT)
    (tmp_path / "long.txt").write_text(TEXT + " More.")
    (tmp_path / "wire.jsonl").write_text(json.dumps({"id": "long-record", "text": TEXT + " More."}) + "\n")
    arts, problems = items(tmp_path / "fits.txt", tmp_path / "long.txt", tmp_path / "wire.jsonl")
    assert [a.id for a in arts] == ["fits"]
    expected = (f"text is {len(TEXT) + 6:,} characters, more than the {len(TEXT):,} allowed for one article; "
                "refused (split it into articles)")
    assert problems == [Problem(str(tmp_path / "long.txt"), expected), Problem(f"{tmp_path / 'wire.jsonl'}:1", expected)]


def test_deeply_nested_html_is_named_as_the_reason(tmp_path: Path):
    body = "<p>" + TEXT + "</p>"
    path = tmp_path / "deep.html"
    path.write_text("<html><body>" + "<div>" * 100_000 + body + "</div>" * 100_000 + "</body></html>")
    shallow = tmp_path / "shallow.html"
    shallow.write_text("<html><body>" + "<div>" * 100 + body + "</div>" * 100 + "</body></html>")
    arts, problems = items(path, shallow)
    assert [a.id for a in arts] == ["shallow"]
    assert problems == [Problem(str(path), "HTML page is nested more than 255 levels deep; "
                                           "no article body above that depth")]


def test_jsonl_publication_dates_are_checked(tmp_path: Path):
    path = tmp_path / "wire.jsonl"
    records = [{"id": "iso", "text": TEXT, "published": "2024-02-09T10:00:00+03:00"},
               {"id": "words", "text": TEXT, "published": "February 9, 2024"},
               {"id": "month", "text": TEXT, "published": "2024-02"},
               {"id": "bad", "text": TEXT, "published": "2024-13-40"},
               {"id": "yesterday", "text": TEXT, "published": "yesterday"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    arts, problems = items(path)
    assert [(a.id, a.published) for a in arts] == [("iso", "2024-02-09"), ("words", "2024-02-09"),
                                                   ("month", "2024-02"), ("bad", None), ("yesterday", None)]
    assert problems == [Problem(f"{path}:4", "'published' is not a date ('2024-13-40'); ignored"),
                        Problem(f"{path}:5", "'published' is not a date ('yesterday'); ignored")]


def test_manifest_publication_dates_are_checked(tmp_path: Path):
    m = tmp_path / "m.csv"
    m.write_text("id,published\na,2024-02-09T10:00:00Z\nb,2024-02-30\n")
    with pytest.raises(ManifestError, match=r"entry 2: 'published' is not a date \('2024-02-30'\)"):
        Manifest.load(m)
    m.write_text("id,published\na,2024-02-09T10:00:00Z\n")
    assert Manifest.load(m).entries[0]["published"] == "2024-02-09"
