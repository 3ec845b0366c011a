"""Property tests: clean, sentences, annotate and extract never raise, and every offset they give points
into the cleaned text at exactly the words the record quotes.

Texts are arbitrary Unicode (control characters included; hypothesis leaves out lone surrogates, which
no reader produces), runs of quotes, brackets, digits and line breaks, and texts assembled from
diplomatic news fragments so that the extractors actually fire. Run with
`pytest tests/test_fuzz.py --hypothesis-show-statistics` to see how many examples each property ran.
"""
from __future__ import annotations

import dataclasses
import datetime
import json
import tempfile
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import event as note
from hypothesis import strategies as st

from chancery.encoding import NotText, decode
from chancery.feeds import entity_refusal
from chancery.htmlpage import NoBody, article_from_html
from chancery.pipeline import Pipeline
from chancery.readers import read
from chancery.records import Article, Problem
from chancery.sentences import split_sentences

# Examples per property; the whole file stays under a minute on two cores.
FAST = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FRAGMENTS = [
    "Chinese President Xi Jinping", "Russian President Vladimir Putin", "Xi", "Putin", "Lavrov", "Wang Yi",
    "the Chinese president", "his Russian counterpart", "the two sides", "both leaders", "Beijing", "Moscow",
    "Ukraine", "the United States", "the European Union", "NATO", "the United Nations", "Iran", "Israel",
    "he", "she", "they", "it", "met", "held talks with", "signed", "agreed to", "did not sign", "will visit",
    "could impose sanctions on", "accused", "of attacking", "threatened to expel", "condemned", "urged",
    "rejected", "deployed troops to", "sent aid to", "released", "arrested", "protested against",
    "said", "told reporters", "according to", "the foreign ministry", "a spokesperson", "said on Monday",
    "on Monday", "in May", "next year", "last week", "on Sept. 2", "80 years ago", "in 2024", "2025-09-02",
    "the War of Resistance against Japanese Aggression", "20 agreements", "worth $2.5 billion",
    "more than 1,000 people", "about 40 percent", "nearly 3 million tonnes", "244.8 billion U.S. dollars",
    "between 120 and 150", "trade, energy and security", "BEIJING, Sept. 2 (Xinhua) --", "MOSCOW:",
    "- SOUTH CHINA MORNING POST", "(Photo: Reuters)", "Related articles", "GT", "date 2025-05-08",
    "“We will deepen cooperation,”", "“", "”", '"', "'", "‘", "’", "«", "»", "(", ")", "[", "]", "—", "–",
    "-", ",", ".", ";", ":", "!", "?", "…", "U.S.", "Mr.", "Dr.", "e.g.", "No.", "\n", "\n\n", "\t", "\r\n",
    "\u00a0", "\u2028", "\x0c", "\x00", "\ufffd", "١٢٣", "二〇二五年", "Владимир Путин",
]

SYMBOLS = "“”\"'‘’«»()[]{}<>0123456789\n\r\t .,;:!?-–—…$%€£¥/\\@#&*_=+"

arbitrary_text = st.text(max_size=400)
control_text = st.text(st.characters(max_codepoint=0x7F) | st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]),
                       max_size=300)
symbol_text = st.text(st.sampled_from(SYMBOLS) | st.characters(categories=["Lu", "Ll"], max_codepoint=0x17F),
                      max_size=300)
noise = st.text(max_size=6) | st.sampled_from(SYMBOLS)
fragment_text = st.lists(st.sampled_from(FRAGMENTS) | noise, max_size=60).flatmap(
    lambda parts: st.lists(st.sampled_from([" ", " ", " ", "", "\n", ". ", ", "]), min_size=len(parts),
                           max_size=len(parts)).map(lambda seps: "".join(p + s for p, s in zip(parts, seps, strict=True))))

ACTORS = ["Chinese President Xi Jinping", "Xi", "Putin", "Russian President Vladimir Putin", "Lavrov", "Wang Yi",
          "the Chinese president", "his Russian counterpart", "the two sides", "Beijing", "Moscow", "Ukraine",
          "the United States", "the European Union", "NATO", "Iran", "Israel", "Chinese officials",
          "Russian troops", "he", "they", "Indian Prime Minister Narendra Modi", "the foreign ministry",
          "Egyptian President Abdel Fattah el-Sisi", "Palestinians", "the UN Security Council"]
VERBS = ["met", "held talks with", "signed an agreement with", "agreed to cooperate with", "did not sign a deal with",
         "will visit", "could impose sanctions on", "accused", "threatened to expel diplomats from", "condemned",
         "urged", "rejected the proposal of", "deployed troops to", "sent aid to", "attacked", "protested against",
         "called", "hosted", "is expected to meet", "praised", "arrested two citizens of", "withdrew from"]
TAILS = ["", " in Moscow", " in Beijing", " on Monday", " on Sept. 2", " last week", " next year", " in May",
         " 80 years ago", ", officials said", ", according to Xinhua", " to discuss trade worth $2.5 billion",
         " and signed 20 agreements", " after more than 1,000 people were killed", " with about 40 percent",
         " with between 120 and 150 troops", " on trade, energy and security", " in 2024 and 2025"]
QUOTED = ["“We will deepen cooperation,” Xi said.", "Lavrov said the two sides would meet again next year.",
          '"China is ready to work with Russia," Wang told reporters on Tuesday.',
          "According to the foreign ministry, the talks were constructive and productive for both.",
          "“The sanctions are illegal,” he said, adding that Moscow “will respond”.", "Putin told reporters that"]
HEADS = ["", "BEIJING, Sept. 2 (Xinhua) -- ", "MOSCOW: ", "Xi and Putin meet in Moscow\n", "date 2025-05-08\n",
         "date 2025-13-40\n", "September 31, 2025\n"]
ENDS = ["", "\n- SOUTH CHINA MORNING POST", " GT", "\nRelated articles\nXi visits Kazakhstan",
        "\n(Photo: Reuters) Xi and Putin shake hands in Moscow.", "\nXi and Putin meet in Moscow. (Photo: Reuters)"]

sentence = st.one_of(
    st.builds("{} {} {}{}{}".format, st.sampled_from(ACTORS), st.sampled_from(VERBS), st.sampled_from(ACTORS),
              st.sampled_from(TAILS), st.sampled_from([".", ".", "!", "?", ";", "", "…"])),
    st.sampled_from(QUOTED),
)
paragraph = st.lists(sentence, min_size=1, max_size=6).map(" ".join)


@st.composite
def news_text(draw) -> str:
    """An article built from diplomatic news sentences, with a few random insertions to jostle the rules."""
    text = draw(st.sampled_from(HEADS)) + "\n\n".join(draw(st.lists(paragraph, min_size=1, max_size=4)))
    text += draw(st.sampled_from(ENDS))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(noise) + text[at:]
    return text


any_text = arbitrary_text | control_text | symbol_text | fragment_text | news_text() | news_text()
dates = st.none() | st.sampled_from(["2025-09-02", "2024-02-29", "1999-12-31", "2025-05", "2025"])


@cache
def _pipeline() -> Pipeline:
    return Pipeline()


def _article(text: str, published: str | None) -> Article:
    return Article(id="fuzz", source="fuzz", raw=text, published=published)


def _cleaned(text: str, published: str | None = None) -> Article:
    article = _pipeline().cleaner(_article(text, published))
    return dataclasses.replace(article, sentences=split_sentences(article.text))


def _inside(text: str, start: int, end: int) -> None:
    assert isinstance(start, int) and isinstance(end, int)
    assert 0 <= start <= end <= len(text), (start, end, len(text))


def _check_sentences(text: str, spans: list[tuple[int, int]]) -> None:
    previous_end = 0
    for start, end in spans:
        _inside(text, start, end)
        assert start < end and start >= previous_end  # in order, not overlapping, never empty
        assert text[start:end] == text[start:end].strip()
        previous_end = end
    covered = {i for start, end in spans for i in range(start, end)}
    assert all(ch.isspace() for i, ch in enumerate(text) if i not in covered)  # nothing but space is left out


def _check_annotations(article: Article) -> None:
    text = article.text
    n = len(article.sentences)
    for item in (*article.mentions, *article.times):
        _inside(text, item.start, item.end)
        assert text[item.start:item.end] == item.text, item
        assert -1 <= item.sentence < n


def _check_extractions(article: Article) -> None:
    text = article.text
    captions = [part.text for part in article.removed if part.kind == "caption"]
    for event in article.events:
        if event.section == "caption":
            assert event.span is None and any(event.text in caption for caption in captions)  # its sentence
        else:
            _inside(text, *event.span)
            assert text[event.span[0]:event.span[1]] == event.text, event
        for evidence in event.evidence:
            start, end = evidence["span"]
            if evidence.get("section") == "caption":  # a span into one of the captions
                assert any(0 <= start <= end <= len(c) and c[start:end] == evidence["text"] for c in captions)
            else:
                _inside(text, start, end)
                assert text[start:end] == evidence["text"], (evidence, event)
    for quote in article.quotes:
        _inside(text, *quote.span)
        assert text[quote.span[0]:quote.span[1]] == quote.text, quote
    for fact in article.facts:
        _inside(text, *fact.span)
        assert text[fact.span[0]:fact.span[1]] == fact.text, fact


@FAST
@given(any_text)
def test_sentences(text):
    _check_sentences(text, split_sentences(text))


@FAST
@given(any_text, dates)
def test_clean(text, published):
    article = _pipeline().cleaner(_article(text, published))
    assert isinstance(article.text, str)
    assert article.raw == text  # the input is left as it was
    for part in article.removed:
        assert part.kind in {"caption", "signature", "comments", "stamp", "title", "boilerplate", "dateline", "byline"}
        assert isinstance(part.text, str)
    if article.published is not None:  # a real date, whatever the text claimed
        assert article.published == published or _real_date(article.published), article.published
    _check_sentences(article.text, split_sentences(article.text))
    # what cleaning takes out is kept in `removed`, never silently lost (control and format characters
    # and spacing aside, which cleaning normalises)
    kept = Counter(_visible(article.text + " ".join(part.text for part in article.removed)))
    assert Counter(_visible(text)) - kept == Counter()


def _real_date(value: str) -> bool:
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _visible(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "CZ")


@SLOW
@given(any_text, dates)
def test_annotate(text, published):
    article = _pipeline().annotator(_cleaned(text, published))
    _check_sentences(article.text, article.sentences)
    _check_annotations(article)


@SLOW
@given(any_text, dates)
def test_extract(text, published):
    article = _pipeline().process(_article(text, published))
    _check_sentences(article.text, article.sentences)
    _check_annotations(article)
    _check_extractions(article)
    # shown by --hypothesis-show-statistics: how often each extractor had something to check
    for name in ("mentions", "times", "events", "quotes", "facts"):
        note(f"{name}: {'some' if getattr(article, name) else 'none'}")


# -- the readers' own parsing, on arbitrary bytes ---------------------------------------------------

html_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(["<html>", "<body>", "<article>", "<p>", "</p>", "<div>", "</div>", "<figure>",
                              "<figcaption>", "</figcaption>", "<script>", "</script>", "<!--", "-->", "<![CDATA[",
                              "]]>", "<meta charset='utf-16'>", "<title>", "</title>", "&amp;", "&#0;", "&#xD800;",
                              "&nbsp;", "<br>", "<", ">", "\"", "'", "=", "\x00"]) | sentence | noise,
             max_size=40).map("".join),
)


@SLOW
@given(html_text)
def test_html_pages(html):
    try:
        article = article_from_html(html, id="fuzz", source="fuzz")
    except NoBody:
        return
    assert article.raw.strip()


@FAST
@given(st.binary(max_size=2000) | any_text.map(lambda text: text.encode("utf-8", "surrogatepass")))
def test_decode(data):
    try:
        text, name = decode(data)
    except NotText:
        return
    assert isinstance(text, str) and name


@FAST
@given(st.binary(max_size=2000) | st.lists(st.sampled_from([
    b'<?xml version="1.0"?>', b"<!DOCTYPE rss [", b"<!ENTITY a 'b'>", b'<!ENTITY % p SYSTEM "file:///etc/passwd">',
    b"%p;", b"]>", b"<rss>", b"<!--", b"-->", b"<?pi?>", b"\x00", b"\xff\xfe", b"&a;", b"<!ELEMENT x ANY>",
    b"<!ATTLIST x y CDATA #IMPLIED>", b"<!NOTATION n SYSTEM 'x'>"]), max_size=12).map(b"".join))
def test_entity_check(data):
    refusal = entity_refusal(data)
    assert refusal is None or refusal.startswith("feed declares")


surrogates = st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, categories=["Cs"]), min_size=1, max_size=3)
json_value = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30) | surrogates
record = st.fixed_dictionaries(
    {},
    optional={"id": json_value | st.text(max_size=20), "text": any_text | json_value | st.builds(str.__add__, any_text, surrogates),
              "html": html_text | json_value, "title": json_value | st.lists(json_value, max_size=3),
              "outlet": json_value, "published": json_value | dates | st.sampled_from(["2025-13-40", "2025-02-29"]),
              "url": json_value, "language": json_value},
)
jsonl_line = st.one_of(record.map(json.dumps).map(str.encode), st.binary(max_size=200),
                       st.lists(json_value, max_size=4).map(json.dumps).map(str.encode))


@SLOW
@given(st.lists(jsonl_line, max_size=6).map(b"\n".join))
def test_jsonl(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "wire.jsonl"
        path.write_bytes(data)
        for item in read([path]):
            if isinstance(item, Problem):
                assert item.source.startswith(str(path)) and item.reason
                continue
            for value in (item.id, item.source, item.raw, item.title, item.outlet, item.published, item.url):
                assert value is None or isinstance(value, str)
                if value:
                    value.encode("utf-8")  # no lone surrogates left
            assert item.published is None or _real_date(item.published) or len(item.published) in (4, 7)
