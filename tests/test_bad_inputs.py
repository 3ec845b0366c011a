"""A corpus of bad inputs, written by the tests, run through `chancery analyze` next to good ones.

For every bad input: exactly one line `chancery: PATH: reason` on stderr, exit status 2, no traceback,
and every good input still in the report. The largest and most dangerous inputs are also run as a
real process whose peak memory is measured.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import random
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from chancery import settings
from chancery.cli import main

TEXT = ("Chile's foreign minister met her Argentine counterpart in Santiago on Monday to discuss a lithium "
        "partnership, officials said. The two agreed to meet again in March.")
PAGE = ("<!DOCTYPE html><html lang='en'><head><title>Envoys meet in Lima</title></head><body><article>"
        "<h1>Envoys meet in Lima</h1><p>The foreign ministers of Peru and Bolivia met in Lima on Tuesday and "
        "agreed to reopen the border crossing at Desaguadero, which has been closed since January.</p>"
        "<p>Trucks will be allowed through from April, the two ministries said in a joint statement.</p>"
        "</article></body></html>")
FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Andes Wire</title><link>https://andes.example/</link>
<item><title>Quito hosts talks</title><link>https://andes.example/1</link><guid>andes-1</guid>
<description>Ecuador hosted Colombian envoys in Quito on Wednesday for talks on the shared border.</description>
</item></channel></rss>"""
BILLION_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY lol "lol">\n'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
                            for i in range(1, 10))
                  + ']>\n<rss version="2.0"><channel><title>&lol9;</title>'
                    "<item><title>x</title><description>&lol9;</description></item></channel></rss>")
XXE = ('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
       '<rss version="2.0"><channel><title>Leaky</title><item><title>x</title>'
       "<description>&xxe;</description></item></channel></rss>")
FIFTY_MB = 50 * 2**20
SENTENCE = "The minister said the talks had gone well and that both sides would meet again soon. "

GOOD_IDS = {"good", "page", "w1", "w2"}  # and one feed entry, whose id is derived from the feed


def _write_good(folder: Path) -> list[Path]:
    (folder / "good.txt").write_text(TEXT)
    (folder / "page.html").write_text(PAGE)
    records = [{"id": "w1", "text": TEXT.replace("Chile", "Peru")}, {"id": "w2", "text": TEXT.replace("Monday", "Friday")}]
    (folder / "wire.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (folder / "andes.xml").write_text(FEED)
    return [folder / name for name in ("good.txt", "page.html", "wire.jsonl", "andes.xml")]


def _fifty_mb_line() -> str:
    return (SENTENCE * (FIFTY_MB // len(SENTENCE) + 1))[:FIFTY_MB]


def _warc(pages: int, *, gz: bool) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gz)
    for i in range(pages):
        html = PAGE.replace("Tuesday", f"day {i}").replace("Lima", f"Lima ({i * 7919 % 104729})")
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(f"https://andes.example/{i}", "response",
                                                      payload=io.BytesIO(html.encode()), http_headers=http))
    return buffer.getvalue()


def _jsonl_gz(lines: int) -> bytes:
    records = [json.dumps({"id": f"z{i}", "text": f"{TEXT} Item {i}: {i * 7919 % 104729:06d}."}) for i in range(lines)]
    return gzip.compress(("\n".join(records) + "\n").encode())


@dataclass(frozen=True)
class Bad:
    name: str
    write: Callable[[Path], None]
    reason: str  # the problem line is f"chancery: {source}: {reason}"; a trailing "…" means "starts with"
    line_suffix: str = ""  # JSONL problems name the line: PATH:1
    read_anyway: tuple[str, ...] = ()  # ids of articles the damaged input still yields


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def _text(text: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(text, encoding="utf-8")


_RANDOM = random.Random(9).randbytes(200_000)
_CUT_WARC_GZ = _warc(40, gz=True)
_CUT_WARC = _warc(3, gz=False)
_CUT_JSONL_GZ = _jsonl_gz(400)

BAD = [
    Bad("empty.txt", _bytes(b""), "empty file"),
    Bad("random.txt", _bytes(_RANDOM), "binary data (NUL bytes), not text"),
    Bad("random.html", _bytes(_RANDOM), "binary data (NUL bytes), not text"),
    Bad("random-no-nul.txt", _bytes(_RANDOM.replace(b"\0", b"")), "binary data or an unknown encoding, not text"),
    Bad("line.txt", lambda path: path.write_text(_fifty_mb_line()),
        f"file is 50.0 MB, larger than the limit of {settings.MAX_FILE_BYTES / 2**20:.1f} MB; not read"),
    Bad("line.jsonl", lambda path: path.write_text(json.dumps({"id": "huge", "text": _fifty_mb_line()}) + "\n"),
        f"line is longer than the limit of {settings.MAX_JSONL_LINE_BYTES / 2**20:.1f} MB; skipped", ":1"),
    Bad("long.txt", _text(_fifty_mb_line()[: 3 * 2**20]),
        f"text is {3 * 2**20:,} characters, more than the {settings.MAX_ARTICLE_CHARS:,} allowed for one "
        "article; refused (split it into articles)"),
    Bad("invalid-utf8.txt", _bytes("“Zürich”, said the envoy. ".encode() * 4 + b"\xff\xfe\xc3\x28 " + TEXT.encode()),
        "invalid UTF-8; undecodable bytes were replaced with U+FFFD and the rest read",
        read_anyway=("invalid-utf8",)),
    Bad("nobody.html", _text("<html><head><title>Gallery</title></head><body><img src='a.jpg'></body></html>"),
        "HTML page has no article body"),
    Bad("deep.html", _text("<html><body>" + "<div>" * 100_000 + f"<p>{TEXT}</p>" + "</div>" * 100_000
                           + "</body></html>"),
        "HTML page is nested more than 255 levels deep; no article body above that depth"),
    Bad("cut.jsonl.gz", _bytes(_CUT_JSONL_GZ[: len(_CUT_JSONL_GZ) // 2]), "truncated gzip after …"),
    Bad("cut.warc.gz", _bytes(_CUT_WARC_GZ[: len(_CUT_WARC_GZ) // 2]), "truncated gzip after …"),
    Bad("cut.warc", _bytes(_CUT_WARC[: len(_CUT_WARC) - 300]), "truncated WARC after 2 records …",
        read_anyway=("warc-*",)),
    Bad("broken.jsonl", _text(json.dumps({"id": "b1", "text": TEXT}) + '\n{"id": "b2", "text": "cut\n'),
        "invalid JSON …", ":2", read_anyway=("b1",)),
    Bad("deep.jsonl", _text("[" * 100_000 + "]" * 100_000 + "\n"), "invalid JSON …", ":1"),
    Bad("bomb.xml", _text(BILLION_LAUGHS), "feed declares XML entity 'lol'; refused for safety (entity expansion)"),
    Bad("xxe.xml", _text(XXE), "feed declares external XML entity 'xxe' (file:///etc/passwd); refused, never read"),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, list[Path]]:
    """A folder holding the good inputs and every bad one (written once for the module)."""
    folder = tmp_path_factory.mktemp("corpus")
    good = _write_good(folder)
    (folder / "bad").mkdir()
    for bad in BAD:
        bad.write(folder / "bad" / bad.name)
    return folder, good


def _problem_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("chancery: ")]


def _check_line(line: str, source: str, reason: str) -> None:
    prefix = f"chancery: {source}: "
    assert line.startswith(prefix), line
    if reason.endswith("…"):
        assert line[len(prefix):].startswith(reason[:-1].rstrip()), line
    else:
        assert line[len(prefix):] == reason


def _ids(report_path: Path) -> set[str]:
    return {article["id"] for article in json.loads(report_path.read_text())["articles"]}


def _good_ids_present(ids: set[str]) -> None:
    assert GOOD_IDS <= ids
    assert any(i.startswith("andes-wire-") for i in ids)  # the feed's one entry


@pytest.mark.parametrize("bad", BAD, ids=[bad.name for bad in BAD])
def test_each_bad_input_is_one_clear_line(corpus, bad: Bad, tmp_path, capsys):
    folder, good = corpus
    path = folder / "bad" / bad.name
    out = tmp_path / "report.json"
    rc = main(["analyze", *map(str, good), str(path), "-o", str(out)])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert "Traceback" not in err
    lines = _problem_lines(err)
    assert len(lines) == 1, err
    _check_line(lines[0], f"{path}{bad.line_suffix}", bad.reason)
    ids = _ids(out)
    _good_ids_present(ids)
    extra = ids - GOOD_IDS - {i for i in ids if i.startswith("andes-wire-")}
    for expected in bad.read_anyway:
        assert any(i == expected or (expected.endswith("*") and i.startswith(expected[:-1])) for i in extra), extra
    if not bad.read_anyway and not bad.name.startswith("cut."):
        assert extra == set()


def test_damaged_archives_still_give_what_comes_before_the_damage(corpus, tmp_path, capsys):
    folder, _ = corpus
    out = tmp_path / "report.json"
    names = ("cut.jsonl.gz", "cut.warc.gz", "cut.warc")
    assert main(["analyze", *(str(folder / "bad" / name) for name in names), "-o", str(out)]) == 2
    lines = _problem_lines(capsys.readouterr().err)
    ids = _ids(out)
    jsonl = sorted(int(i[1:]) for i in ids if i.startswith("z"))
    assert jsonl == list(range(len(jsonl))) and 50 < len(jsonl) < 400
    assert lines[0] == f"chancery: {folder / 'bad' / 'cut.jsonl.gz'}: truncated gzip after {len(jsonl)} lines"
    warc = [i for i in ids if i.startswith("warc-")]
    assert 2 + 5 < len(warc) < 2 + 40  # the two of the plain WARC, some of the gzipped one
    assert len(lines) == 3


@pytest.mark.parametrize("entry", ["../secret.txt", "/etc/passwd", "{outside}/secret.txt", "sub/../../secret.txt"])
def test_manifest_entries_outside_the_corpus_are_refused(corpus, tmp_path, capsys, entry):
    folder, good = corpus
    outside = folder.parent
    (outside / "secret.txt").write_text("SECRET " + TEXT)
    manifest = folder / "manifest.json"
    name = entry.format(outside=outside)
    manifest.write_text(json.dumps([{"file": name, "outlet": "Evil"}, {"file": "good.txt", "outlet": "Andes Wire"}]))
    for args in ([*map(str, good)], []):  # with inputs, and with the manifest naming the files to read
        out = tmp_path / "report.json"
        rc = main(["analyze", *args, "--manifest", str(manifest), "-o", str(out)])
        err = capsys.readouterr().err
        assert rc == 2 and "Traceback" not in err
        assert _problem_lines(err) == [
            f"chancery: {manifest}: entry {name!r} points outside the manifest's folder; refused"]
        report = json.loads(out.read_text())
        assert not any("SECRET" in article["text"] for article in report["articles"])
        assert next(a for a in report["articles"] if a["id"] == "good")["outlet"] == "Andes Wire"
        if args:
            _good_ids_present({a["id"] for a in report["articles"]})


def test_utf16_without_a_byte_order_mark_is_read(tmp_path, capsys):
    """Not a bad input after all: UTF-16 without a BOM is recognised and read, with no problem line."""
    path = tmp_path / "utf16.txt"
    path.write_bytes(TEXT.encode("utf-16-le"))
    out = tmp_path / "report.json"
    assert main(["analyze", str(path), "-o", str(out)]) == 0
    assert _problem_lines(capsys.readouterr().err) == []
    [article] = json.loads(out.read_text())["articles"]
    assert article["text"] == TEXT


# -- as a real process, with its peak memory -----------------------------------------------------------

def _run(args: list[str], cwd: Path) -> tuple[int, str, int]:
    """Run `python -m chancery ARGS`; return (exit status, stderr, peak RSS in bytes) of that process alone."""
    with open(cwd / "stdout.txt", "wb") as stdout, open(cwd / "stderr.txt", "wb") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "chancery", *args], stdout=stdout, stderr=stderr,
                                   cwd=cwd, env={**os.environ, "COLUMNS": "200"})
        timer = threading.Timer(600, process.kill)  # a safety net, not a timing assertion
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, (cwd / "stderr.txt").read_text(), usage.ru_maxrss * 1024  # Linux: KiB


# Memory: a run over the good inputs alone takes what loading the models and knowledge takes (about
# 300 MB when this was written). A bad input may add a little; reading the 50 MB line whole and running
# it through the stages took over 1 GB and ten minutes, expanding the billion laughs would take gigabytes.
MEMORY_MARGIN = 150 * 2**20
MEMORY_CEILING = 1536 * 2**20


@pytest.mark.slow
def test_real_process_over_all_bad_inputs_with_bounded_memory(corpus, tmp_path):
    folder, good = corpus
    rc, err, baseline = _run(["analyze", *map(str, good), "-o", str(tmp_path / "good.json")], tmp_path)
    assert rc == 0, err

    bad_paths = [folder / "bad" / bad.name for bad in BAD]
    rc, err, peak = _run(["analyze", *map(str, good), *map(str, bad_paths), "-o", str(tmp_path / "r.json")],
                         tmp_path)
    assert rc == 2 and "Traceback" not in err, err
    lines = _problem_lines(err)
    assert len(lines) == len(BAD), err
    for bad, line in zip(BAD, lines, strict=True):
        _check_line(line, f"{folder / 'bad' / bad.name}{bad.line_suffix}", bad.reason)
    _good_ids_present(_ids(tmp_path / "r.json"))
    print(f"\npeak RSS: good inputs {baseline / 2**20:.0f} MB, with all bad inputs {peak / 2**20:.0f} MB")
    assert peak < min(baseline + MEMORY_MARGIN, MEMORY_CEILING)

    heavy = ("line.txt", "line.jsonl", "bomb.xml")  # the 50 MB lines and the billion laughs, on their own
    rc, err, peak = _run(["analyze", *map(str, good), *(str(folder / "bad" / name) for name in heavy), "-o",
                          str(tmp_path / "heavy.json")], tmp_path)
    print(f"peak RSS with {', '.join(heavy)}: {peak / 2**20:.0f} MB")
    assert rc == 2 and len(_problem_lines(err)) == len(heavy), err
    assert peak < min(baseline + MEMORY_MARGIN, MEMORY_CEILING)


def test_a_file_name_with_a_line_break_still_gives_one_line(tmp_path, capsys):
    path = tmp_path / "two\nlines.txt"
    path.write_text("")
    (tmp_path / "good.txt").write_text(TEXT)
    assert main(["analyze", str(tmp_path / "good.txt"), str(path), "-o", str(tmp_path / "r.json")]) == 2
    lines = _problem_lines(capsys.readouterr().err)
    assert lines == [f"chancery: {tmp_path}/two\\nlines.txt: empty file"]


def test_undecodable_file_names_and_lone_surrogates_do_not_crash_the_run(tmp_path, capsys):
    """A file name that is not UTF-8 reaches Python with surrogate escapes, and JSON may spell lone
    surrogates; no later stage could encode either, and the report could not be written."""
    folder = os.fsencode(tmp_path)
    with open(folder + b"/caf\xe9.txt", "wb") as handle:
        handle.write(TEXT.encode())
    with open(folder + b"/vide\xe9.txt", "wb"):
        pass
    (tmp_path / "wire.jsonl").write_text('{"id": "s\\udce9", "text": "Xi met Putin in Moscow. \\ud800 They agreed."}\n')
    out = tmp_path / "report.json"
    assert main(["analyze", str(tmp_path), "-o", str(out)]) == 2
    assert _problem_lines(capsys.readouterr().err) == [f"chancery: {tmp_path}/vide\\xe9.txt: empty file"]
    report = json.loads(out.read_text(encoding="utf-8"))
    articles = {a["id"]: a for a in report["articles"]}
    assert set(articles) == {"caf\\xe9", "s\\xe9"}
    assert articles["caf\\xe9"]["source"] == f"{tmp_path}/caf\\xe9.txt"
    assert "\ufffd" in articles["s\\xe9"]["text"]
    assert report["problems"][0]["source"] == f"{tmp_path}/vide\\xe9.txt"


def test_devices_and_named_pipes_are_not_read(tmp_path, capsys):
    """Reading a named pipe would wait for a writer forever, /dev/zero would never end."""
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    (tmp_path / "good.txt").write_text(TEXT)
    out = tmp_path / "report.json"
    assert main(["analyze", str(tmp_path), str(fifo), "/dev/zero", "-o", str(out)]) == 2
    assert _problem_lines(capsys.readouterr().err) == [
        f"chancery: {fifo}: not a regular file or folder; not read",
        "chancery: /dev/zero: not a regular file or folder; not read"]
    assert _ids(out) == {"good"}  # the pipe inside the folder is passed over
