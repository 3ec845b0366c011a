"""RSS and Atom feeds read from files and from a real local HTTP server."""
from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from chancery.feeds import read_feed
from chancery.fetch import Fetcher
from chancery.records import Article, Problem

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Meridian Wire</title>
  <link>https://meridian.example/</link>
  <language>en-gb</language>
  <description>Diplomatic news from the Meridian Wire</description>
  <item>
    <title>Arland and Belmora agree to reopen the Osk crossing</title>
    <link>https://meridian.example/2025/03/04/osk-crossing</link>
    <guid isPermaLink="false">meridian-2025-0304-001</guid>
    <pubDate>Tue, 04 Mar 2025 23:30:00 -0500</pubDate>
    <description>The crossing closed last year will reopen.</description>
    <content:encoded><![CDATA[<p>The foreign ministers of Arland and Belmora agreed on Tuesday to reopen
      the Osk border crossing, closed since a dispute over customs fees.</p>
      <p>Trucks will be allowed through <b>from April</b>, the two ministries said in a joint
      statement.</p><script>track()</script>]]></content:encoded>
  </item>
  <item>
    <title>Valdora recalls its ambassador &amp; protests</title>
    <link>https://meridian.example/2025/03/05/valdora-recall</link>
    <pubDate>Wed, 05 Mar 2025 08:00:00 GMT</pubDate>
    <description>&lt;p&gt;Valdora recalled its ambassador to Arland on Wednesday.&lt;/p&gt;&lt;p&gt;A
      ministry spokesperson called the expulsion of two diplomats
      &amp;quot;unacceptable&amp;quot;.&lt;/p&gt;</description>
  </item>
  <item>
    <title>Summit dates announced</title>
    <link>https://meridian.example/2025/03/06/summit-dates</link>
  </item>
</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Northern Ledger</title>
  <id>tag:ledger.example,2025:feed</id>
  <updated>2025-05-10T10:00:00Z</updated>
  <entry>
    <title type="html">Talks &lt;em&gt;resume&lt;/em&gt; in Valdora</title>
    <id>tag:ledger.example,2025:talks-resume</id>
    <link rel="alternate" href="https://ledger.example/talks-resume"/>
    <published>2025-05-09T07:30:00+08:00</published>
    <updated>2025-05-09T09:00:00+08:00</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">
      <p>Negotiators from Arland and Belmora resumed talks in Valdora on Friday.</p>
      <p>The mediators expect a draft text by the end of the month.</p>
    </div></content>
  </entry>
  <entry>
    <title>Belmora offers grain aid</title>
    <id>tag:ledger.example,2025:grain-aid</id>
    <link href="https://ledger.example/grain-aid"/>
    <updated>2025-05-10T10:00:00Z</updated>
    <summary type="text">Belmora will send 20,000 tonnes of grain to flood-hit provinces of Arland.</summary>
  </entry>
</feed>
"""

EMPTY_RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet Desk</title>
<link>https://quiet.example/</link><description>Nothing yet</description></channel></rss>"""

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>Laughs</title>
<item><title>&lol9;</title><link>https://laughs.example/1</link><description>&lol9;</description></item>
</channel></rss>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>Leaky</title>
<item><title>Read this</title><link>https://leaky.example/1</link><description>&secret;</description></item>
</channel></rss>"""

# RSS 0.91 names an external DTD; that is not an entity declaration and must still be read
RSS_091 = """<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
  "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old Gazette</title><link>https://old.example/</link>
<description>old</description><language>en-us</language>
<item><title>Treaty signed</title><link>https://old.example/treaty</link>
<description>Arland and Belmora signed a fisheries treaty.</description></item>
</channel></rss>"""


def _write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _articles(items) -> list[Article]:
    return [item for item in items if isinstance(item, Article)]


def _problems(items) -> list[Problem]:
    return [item for item in items if isinstance(item, Problem)]


def test_rss_entries_become_articles(tmp_path):
    path = _write(tmp_path, "meridian.xml", RSS)
    items = list(read_feed(path))
    first, second = _articles(items)

    assert re.fullmatch(r"meridian-wire-[0-9a-f]{12}", first.id)
    assert first.id != second.id
    assert first.source == f"{path}#meridian-2025-0304-001"
    assert first.url == "https://meridian.example/2025/03/04/osk-crossing"
    assert first.title == "Arland and Belmora agree to reopen the Osk crossing"
    assert first.published == "2025-03-04"  # the date the feed states, not the UTC date (5 March)
    assert first.outlet == "Meridian Wire"
    assert first.language == "en"
    assert first.provenance["outlet"] == "feed"
    assert first.provenance["published"] == "feed"
    # content:encoded is preferred to the description, tags are gone, paragraphs are lines
    assert first.raw.splitlines() == [
        ("The foreign ministers of Arland and Belmora agreed on Tuesday to reopen the Osk border crossing,"
        " closed since a dispute over customs fees."),
        "Trucks will be allowed through from April, the two ministries said in a joint statement.",
    ]

    assert second.title == "Valdora recalls its ambassador & protests"
    assert second.published == "2025-03-05"
    assert second.raw == (
        "Valdora recalled its ambassador to Arland on Wednesday.\n"
        'A ministry spokesperson called the expulsion of two diplomats "unacceptable".'
    )
    assert second.source == f"{path}#1"

    (problem,) = _problems(items)
    assert problem.source == f"{path}#2"
    assert "entry has no content" in problem.reason


def test_ids_are_stable_across_runs(tmp_path):
    path = _write(tmp_path, "meridian.xml", RSS)
    first_run = [article.id for article in _articles(read_feed(path))]
    copy = _write(tmp_path, "copy-of-meridian.xml", RSS)
    second_run = [article.id for article in _articles(read_feed(copy))]
    assert first_run == second_run
    assert len(set(first_run)) == 2


def test_atom_entries_become_articles(tmp_path):
    path = _write(tmp_path, "ledger.atom", ATOM)
    talks, aid = _articles(read_feed(path))
    assert talks.title == "Talks resume in Valdora"
    assert talks.url == "https://ledger.example/talks-resume"
    assert talks.published == "2025-05-09"
    assert talks.outlet == "Northern Ledger"
    assert talks.raw.splitlines() == [
        "Negotiators from Arland and Belmora resumed talks in Valdora on Friday.",
        "The mediators expect a draft text by the end of the month.",
    ]
    assert re.fullmatch(r"northern-ledger-[0-9a-f]{12}", talks.id)
    assert aid.published == "2025-05-10"  # no published date: the updated date
    assert aid.raw == "Belmora will send 20,000 tonnes of grain to flood-hit provinces of Arland."


ENTITIES = """<?xml version="1.0"?><rss version="2.0"><channel><title>Trade &amp; Aid Weekly</title>
<link>https://trade.example/</link><description>d</description>
<item><title>Tariffs &amp; quotas</title><link>https://trade.example/1</link>
<description>Tariff talks &amp;amp; quota talks last &lt; 5 days &#8220;at most&#8221;</description></item>
</channel></rss>"""


def test_escaped_text_is_unescaped_once(tmp_path):
    (article,) = _articles(read_feed(_write(tmp_path, "trade.xml", ENTITIES)))
    assert article.outlet == "Trade & Aid Weekly"
    assert article.title == "Tariffs & quotas"
    assert article.raw == "Tariff talks & quota talks last < 5 days \u201cat most\u201d"
    assert re.fullmatch(r"trade-aid-weekly-[0-9a-f]{12}", article.id)


def test_feed_with_external_dtd_is_read(tmp_path):
    (article,) = _articles(read_feed(_write(tmp_path, "old.xml", RSS_091)))
    assert article.title == "Treaty signed"
    assert article.outlet == "Old Gazette"


def test_feed_without_entries(tmp_path):
    assert list(read_feed(_write(tmp_path, "quiet.xml", EMPTY_RSS))) == [
        Problem(str(tmp_path / "quiet.xml"), "feed has no entries")
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [(BILLION_LAUGHS, "feed declares XML entity 'lol'; refused for safety (entity expansion)"),
     (EXTERNAL_ENTITY, "feed declares external XML entity 'secret' (file:///etc/passwd); refused, never read")],
)
def test_entity_declarations_are_refused(tmp_path, text, reason):
    path = _write(tmp_path, "evil.xml", text)
    assert list(read_feed(path)) == [Problem(path, reason)]


@pytest.mark.parametrize(
    ("doctype", "reason"),
    [('<!DOCTYPE rss [<!ENTITY % pe SYSTEM "file:///etc/passwd"> %pe;]>', "external XML entity '%pe'"),
     ('<!DOCTYPE rss [<!ENTITY logo SYSTEM "file:///etc/passwd" NDATA gif>]>', "external XML entity 'logo'"),
     # not well-formed before the first element, so expat stops early: any declaration is refused
     ('<!DOCTYPE rss [<!BROKEN> <!ENTITY a "x">]>', "XML entities; refused")],
)
def test_other_entity_declarations_are_refused(tmp_path, doctype, reason):
    text = EXTERNAL_ENTITY.replace('<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>', doctype)
    path = _write(tmp_path, "evil.xml", text)
    (problem,) = list(read_feed(path))
    assert isinstance(problem, Problem) and reason in problem.reason


def test_an_external_dtd_is_never_read(tmp_path):
    # the DTD defines an entity; were the DTD read, the entry would show the secret
    dtd = tmp_path / "defs.dtd"
    dtd.write_text('<!ENTITY secret "SECRET FROM THE DTD">')
    text = EXTERNAL_ENTITY.replace('<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',
                                   f'<!DOCTYPE rss SYSTEM "{dtd.as_uri()}">')
    items = list(read_feed(_write(tmp_path, "dtd.xml", text)))
    assert not any("SECRET" in (getattr(item, "raw", "") + (getattr(item, "title", "") or "")) for item in items)


def test_feed_file_over_the_size_limit_is_not_read(tmp_path, monkeypatch):
    from chancery import settings
    monkeypatch.setattr(settings, "MAX_FILE_BYTES", 1000)
    path = _write(tmp_path, "big.xml", RSS)
    (problem,) = list(read_feed(path))
    size = Path(path).stat().st_size
    assert problem == Problem(path, f"file is {size:,} bytes, larger than the limit of 1,000 bytes; not read")


@pytest.mark.parametrize(
    ("text", "reason"),
    [("this is not a feed at all\n", "not a readable feed"),
     ("<html><body><p>A web page</p></body></html>", "not an RSS or Atom feed"),
     ("", "feed is empty")],
)
def test_unreadable_feeds(tmp_path, text, reason):
    (problem,) = list(read_feed(_write(tmp_path, "bad.xml", text)))
    assert isinstance(problem, Problem)
    assert problem.reason.startswith(reason)


def test_bytes_already_read(tmp_path):
    # a caller that fetched the feed itself passes its bytes; the location only names it
    items = list(read_feed("https://meridian.example/rss", body=RSS.encode()))
    assert [article.title for article in _articles(items)] == [
        "Arland and Belmora agree to reopen the Osk crossing", "Valdora recalls its ambassador & protests"
    ]
    assert _articles(items)[0].source == "https://meridian.example/rss#meridian-2025-0304-001"


def test_missing_file_and_unsupported_scheme(tmp_path):
    (missing,) = list(read_feed(tmp_path / "nowhere.xml"))
    assert "cannot read feed file" in missing.reason
    (ftp,) = list(read_feed("ftp://feeds.example/wire.xml"))
    assert "unsupported URL scheme" in ftp.reason


# -- over HTTP ----------------------------------------------------------------------------------------

PAGE = """<html lang="en"><head><title>Osk crossing to reopen | Meridian</title>
<meta property="og:site_name" content="The Meridian">
<meta property="og:title" content="Osk crossing to reopen in April">
<meta property="article:published_time" content="2025-03-04T20:00:00-05:00">
</head><body><nav><a href="/">Home</a></nav><article><h1>Osk crossing to reopen in April</h1>
<p>The foreign ministers of Arland and Belmora agreed on Tuesday to reopen the Osk border crossing, which
has been closed for eleven months because of a dispute over customs fees.</p>
<p>Trucks will be allowed through from April, the two ministries said in a joint statement released after
a meeting in the Belmoran capital.</p>
<p>Traders on both sides of the border welcomed the decision, saying the closure had cost them millions.</p>
</article><footer>Copyright The Meridian</footer></body></html>"""


def _site_feed(base: str) -> str:
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Meridian Wire</title>
<link>{base}/</link><description>x</description>
<item><title>Arland and Belmora agree to reopen the Osk crossing</title><link>{base}/news/osk</link>
<guid>{base}/news/osk</guid><pubDate>Tue, 04 Mar 2025 23:30:00 -0500</pubDate>
<description>The crossing will reopen.</description></item>
<item><title>Valdora recalls its ambassador</title><link>{base}/news/gone</link>
<pubDate>Wed, 05 Mar 2025 08:00:00 GMT</pubDate>
<description>Valdora recalled its ambassador to Arland on Wednesday.</description></item>
<item><title>Map of the region</title><link>{base}/news/map.png</link></item>
</channel></rss>"""


@pytest.fixture
def news_site():
    routes: dict[str, tuple[int, str, bytes]] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, content_type, body = routes.get(self.path, (404, "text/plain", b"not found"))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    routes["/robots.txt"] = (200, "text/plain", b"User-agent: *\nDisallow: /admin/\n")
    routes["/feed.xml"] = (200, "application/rss+xml; charset=utf-8", _site_feed(base).encode())
    routes["/news/osk"] = (200, "text/html; charset=utf-8", PAGE.encode())
    routes["/news/map.png"] = (200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


def test_feed_over_http(news_site):
    with Fetcher(allow_private=True, delay=0) as fetcher:
        items = list(read_feed(news_site + "/feed.xml", fetcher=fetcher))
    first, second = _articles(items)
    assert first.source == f"{news_site}/feed.xml#{news_site}/news/osk"
    assert first.raw == "The crossing will reopen."
    assert second.title == "Valdora recalls its ambassador"


def test_fetch_pages(news_site):
    with Fetcher(allow_private=True, delay=0) as fetcher:
        items = list(read_feed(news_site + "/feed.xml", fetch_pages=True, fetcher=fetcher))
    articles, problems = _articles(items), _problems(items)

    page, fallback = articles
    assert "closed for eleven months" in page.raw
    assert "Home" not in page.raw and "Copyright" not in page.raw
    assert page.url == f"{news_site}/news/osk"
    assert page.html is not None
    assert page.outlet == "The Meridian"  # what the page says about itself comes first
    assert page.provenance["outlet"] == "html"
    assert page.published == "2025-03-04"

    # the failed page is reported, and the entry's own text is still used
    assert fallback.title == "Valdora recalls its ambassador"
    assert fallback.raw == "Valdora recalled its ambassador to Arland on Wednesday."
    assert fallback.outlet == "Meridian Wire"

    gone, image = problems
    assert gone.source == f"{news_site}/news/gone"
    assert "HTTP 404" in gone.reason
    assert image.source == f"{news_site}/news/map.png"
    assert "not HTML" in image.reason
    # ids do not depend on whether pages were fetched
    with Fetcher(allow_private=True, delay=0) as fetcher:
        plain = _articles(read_feed(news_site + "/feed.xml", fetcher=fetcher))
    assert [article.id for article in plain] == [article.id for article in articles]


def test_default_fetcher_refuses_the_local_feed(news_site):
    (problem,) = list(read_feed(news_site + "/feed.xml"))
    assert problem.source == news_site + "/feed.xml"
    assert problem.reason.startswith("could not fetch feed: refused")
