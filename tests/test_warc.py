"""WARC files written with warcio in the test, read back, cut short and damaged."""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import re

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from chancery.records import Article, Problem
from chancery.warc import read_warc


def _page(title: str, paragraphs: list[str], *, lang: str | None = "en", date: str | None = None) -> str:
    lang_attribute = f' lang="{lang}"' if lang else ""
    date_meta = f'<meta property="article:published_time" content="{date}">' if date else ""
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (
        f'<!DOCTYPE html><html{lang_attribute}><head><meta charset="utf-8">'
        f"<title>{title}</title>{date_meta}"
        f"</head><body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{body}</article></body></html>"
    )


OSK = _page(
    "Osk crossing to reopen",
    [("The foreign ministers of Arland and Belmora agreed on Tuesday to reopen the Osk border crossing, "
     "which has been closed for eleven months because of a dispute over customs fees."),
     ("Trucks will be allowed through from April, the two ministries said in a joint statement released "
     "after a meeting in the Belmoran capital.")],
    date="2025-03-04",
)
RECALL = _page(
    "Valdora recalls envoy",
    [("Valdora recalled its ambassador to Arland on Wednesday after the expulsion of two of its diplomats, "
     "the foreign ministry in Valdora said in a statement."),
     ("A spokesperson for the ministry called the expulsions unacceptable and said Valdora would respond "
     "in kind. The café near the embassy was closed by the police.")],
    lang=None,
)
GRAIN = _page(
    "Belmora sends grain",
    [("Belmora will send twenty thousand tonnes of grain to the flood-hit provinces of Arland, the Belmoran "
     "government announced on Friday at a press conference."),
     "The first ships are expected to leave the port of Sella next week, officials in both countries said."],
)
GERMAN = _page(
    "Gespräche in Valdora",
    [("Die Außenminister von Arland und Belmora haben sich am Dienstag in Valdora getroffen, um über "
     "einen neuen Handelskorridor entlang des nördlichen Flusses zu sprechen."),
     "Beide Seiten vereinbarten eine gemeinsame Kommission, die alle drei Monate tagen soll."],
    lang="de",
)
FRENCH = _page(
    "Pourparlers à Valdora",
    [("Les ministres des affaires étrangères d'Arland et de Belmora se sont rencontrés mardi à Valdora "
     "pour discuter d'un nouveau corridor commercial le long du fleuve du nord."),
     "Les deux parties ont convenu de créer une commission mixte qui se réunira tous les trois mois."],
    lang=None,
)
EMPTY = "<html><head><title>Gallery</title></head><body><img src='/photo.jpg'></body></html>"


CRAWL_DATE = "2025-06-01T12:00:00Z"


def _id(url: str) -> str:
    return "warc-" + hashlib.sha1(url.encode()).hexdigest()[:16]


def _build(gz: bool = True) -> bytes:
    """warcinfo, request, and responses: HTML pages, an image, a 404, other languages, a page without body."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gz)
    writer.write_record(writer.create_warcinfo_record("test.warc.gz", {"software": "chancery tests"}))

    def response(url, body: bytes, content_type: str, *, status="200 OK", date=CRAWL_DATE, extra=()):
        http = StatusAndHeaders(status, [("Content-Type", content_type), *extra], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=http,
            warc_headers_dict={"WARC-Date": date},
        )
        writer.write_record(record)

    request = StatusAndHeaders("GET /osk HTTP/1.1", [("Host", "meridian.example")], is_http_request=True)
    writer.write_record(
        writer.create_warc_record("https://meridian.example/osk", "request", http_headers=request)
    )
    response("https://meridian.example/osk", OSK.encode(), "text/html; charset=utf-8")
    response("https://ledger.example/recall", RECALL.replace('<meta charset="utf-8">', "").encode("cp1252"),
             "text/html; charset=windows-1252", date="2025-03-05T09:15:00Z")
    response("https://meridian.example/map.png", b"\x89PNG\r\n\x1a\n" + bytes(200), "image/png")
    response("https://meridian.example/missing", b"<html><body>Not found</body></html>", "text/html",
             status="404 Not Found")
    response("https://ledger.example/grain", GRAIN.encode(), "application/xhtml+xml")
    response("https://zeitung.example/gespraeche", GERMAN.encode(), "text/html; charset=utf-8")
    response("https://journal.example/pourparlers", FRENCH.encode(), "text/html",
             extra=[("Content-Language", "fr")])
    response("https://meridian.example/gallery", EMPTY.encode(), "text/html")
    return buffer.getvalue()


ALL_PAGES = [
    "https://meridian.example/osk", "https://ledger.example/recall", "https://ledger.example/grain",
    "https://zeitung.example/gespraeche", "https://journal.example/pourparlers",
]


@pytest.fixture(scope="module")
def warc_bytes() -> bytes:
    return _build(gz=True)


def _write(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_html_responses_become_articles(tmp_path, warc_bytes):
    path = _write(tmp_path, "news.warc.gz", warc_bytes)
    items = list(read_warc(path))
    articles = [item for item in items if isinstance(item, Article)]
    assert [article.url for article in articles] == ALL_PAGES
    assert [article.id for article in articles] == [_id(url) for url in ALL_PAGES]
    assert all(re.fullmatch(r"warc-[0-9a-f]{16}", article.id) for article in articles)
    record_source = re.escape(path) + r"#<urn:uuid:[0-9a-f-]+>"
    assert all(re.fullmatch(record_source, article.source) for article in articles)

    osk, recall, grain, german, french = articles
    assert "closed for eleven months" in osk.raw
    assert osk.title == "Osk crossing to reopen"
    assert (osk.published, osk.provenance["published"]) == ("2025-03-04", "html")
    assert osk.language == "en"
    # windows-1252 from the HTTP header; no date on the page, so the crawl date
    assert "The café near the embassy" in recall.raw
    assert (recall.published, recall.provenance["published"]) == ("2025-03-05", "warc-date")
    assert "twenty thousand tonnes" in grain.raw
    assert german.language == "de"
    assert (french.language, french.provenance["language"]) == ("fr", "http")

    (problem,) = [item for item in items if isinstance(item, Problem)]
    assert problem.source.startswith(path + "#<urn:uuid:")
    assert "no article body" in problem.reason


def test_language_filter(tmp_path, warc_bytes):
    path = _write(tmp_path, "news.warc.gz", warc_bytes)
    english = [item.url for item in read_warc(path, languages={"en"}) if isinstance(item, Article)]
    # the recall page says nothing about its language, so it is kept
    assert english == ALL_PAGES[:3]
    german = [item.url for item in read_warc(path, languages={"de-DE"}) if isinstance(item, Article)]
    assert german == ["https://ledger.example/recall", "https://zeitung.example/gespraeche"]


@pytest.mark.parametrize(
    ("name", "pack"),
    [("news.warc", lambda data: data), ("news.warc.gz", gzip.compress)],  # plain, and gzipped as a whole
)
def test_uncompressed_and_whole_file_gzip(tmp_path, name, pack):
    path = _write(tmp_path, name, pack(_build(gz=False)))
    items = list(read_warc(path))
    assert [item.url for item in items if isinstance(item, Article)] == ALL_PAGES
    assert len([item for item in items if isinstance(item, Problem)]) == 1


def _record_offsets(data: bytes) -> list[int]:
    iterator = ArchiveIterator(io.BytesIO(data))
    offsets = []
    for record in iterator:
        record.content_stream().read()
        offsets.append(iterator.get_record_offset())
    return offsets


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_truncated_file_yields_records_before_the_cut_then_one_problem(tmp_path, gz):
    data = _build(gz=gz)
    offsets = _record_offsets(data)
    cut_record = 6  # the xhtml grain page; warcinfo, request, osk, recall, png and 404 come before it
    cut = (offsets[cut_record] + offsets[cut_record + 1]) // 2
    path = _write(tmp_path, "cut." + ("warc.gz" if gz else "warc"), data[:cut])

    items = list(read_warc(path))
    *before, last = items
    assert [item.url for item in before] == ALL_PAGES[:2]
    assert isinstance(last, Problem)
    assert last.source == path
    kind = "gzip" if gz else "WARC"
    assert re.match(rf"truncated {kind}\b.* after {cut_record} records", last.reason), last.reason


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_every_cut_is_reported_never_raised(tmp_path, gz):
    data = _build(gz=gz)
    boundaries = set(_record_offsets(data)) | {len(data)}
    for cut in range(40, len(data), max(1, len(data) // 97)):
        path = _write(tmp_path, "cut.warc.gz" if gz else "cut.warc", data[:cut])
        items = list(read_warc(path))
        if cut in boundaries:
            continue
        assert isinstance(items[-1], Problem), cut
        assert re.search(r"truncated|corrupt|not a WARC", items[-1].reason), (cut, items[-1].reason)
        assert sum(isinstance(item, Problem) and item.source == path for item in items) == 1, cut


def test_corrupt_gzip_is_a_problem(tmp_path, warc_bytes):
    offsets = _record_offsets(warc_bytes)
    damaged = bytearray(warc_bytes)
    middle = (offsets[6] + offsets[7]) // 2
    damaged[middle:middle + 40] = bytes(40)
    items = list(read_warc(_write(tmp_path, "damaged.warc.gz", bytes(damaged))))
    assert [item.url for item in items[:-1]] == ALL_PAGES[:2]
    assert isinstance(items[-1], Problem)
    assert "corrupt gzip" in items[-1].reason


def test_files_that_are_not_warcs(tmp_path):
    (missing,) = read_warc(tmp_path / "nowhere.warc.gz")
    assert "cannot read WARC file" in missing.reason
    (empty,) = read_warc(_write(tmp_path, "empty.warc", b""))
    assert empty.reason == "not a WARC file (it is empty)"
    (text,) = read_warc(_write(tmp_path, "notes.warc", b"These are my notes, not an archive.\n"))
    assert text.reason.startswith("not a WARC file")
    (zipped_text,) = read_warc(_write(tmp_path, "notes.warc.gz", gzip.compress(b"Just text.\n" * 10)))
    assert zipped_text.reason.startswith("not a WARC file")


def test_reading_is_streamed(tmp_path, warc_bytes):
    path = _write(tmp_path, "news.warc.gz", warc_bytes)
    pages = read_warc(path)
    first = next(pages)  # a generator: one record at a time
    assert first.url == ALL_PAGES[0]
    pages.close()


def test_language_option_reaches_the_warc_reader_from_the_command_line(tmp_path, warc_bytes):
    from chancery.cli import main

    path = _write(tmp_path, "news.warc.gz", warc_bytes)
    for language, expected in (("en", ALL_PAGES[:3]), ("de", ["https://ledger.example/recall",
                                                              "https://zeitung.example/gespraeche"])):
        out = tmp_path / f"{language}.json"
        assert main(["analyze", path, "--language", language, "-o", str(out)]) in (0, 2)  # 2: the fixture's non-pages
        assert sorted(a["url"] for a in json.loads(out.read_text())["articles"]) == sorted(expected)
