"""The web dashboard: every route over HTTP, and the pages in Debian's Chromium driven by Playwright.

One demo database serves the whole module (`chancery demo`, then an article whose text, title and
outlet carry markup and a `javascript:` URL). Browser tests start a real uvicorn server on a free
port and are marked `browser`; they skip when /usr/bin/chromium is missing. Screenshots of every
page go to $CHANCERY_SCREENSHOTS, else tests/screenshots/ (git-ignored); the folder is printed at
the end of the run.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from chancery import queries
from chancery.api import create_app
from chancery.dashboard import segments
from chancery.queries import EventFilter, QueryError
from chancery.storage import open_store

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("CHANCERY_SCREENSHOTS") or Path(__file__).with_name("screenshots"))
MARKUP_ID = "markup-test"
MARKUP_ARTICLE = {
    "id": MARKUP_ID, "url": "javascript:alert('url')", "published": "2024-05-18",
    "title": "Test <b>bold</b> title <script>alert('title')</script>",
    "outlet": "Evil <i>Outlet</i>",
    "text": ("Chinese President Xi Jinping met Russian President Vladimir Putin in Beijing on Friday. "
             "<script>alert(1)</script> The two leaders signed an agreement. <img src=x onerror=alert(2)> "
             "Putin said \"we trust <b>China</b>\" and \"the partnership is strong\".\n\n"
             "Trade reached 240 billion U.S. dollars in 2023."),
}


def chancery(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chancery", *args], capture_output=True, text=True, check=False)


# --- the demo database -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> str:
    """`chancery demo`, the article with markup, and (when the link stage stored none) one story event
    and two compared items, so that the side-by-side view has something of each kind to show."""
    folder = tmp_path_factory.mktemp("dashboard")
    db = str(folder / "demo.db")
    for args in (("demo", "--db", db), ("ingest", str(_write_markup_article(folder)), "--db", db)):
        done = chancery(*args)
        assert done.returncode == 0, done.stderr
    _add_link_results(db)
    return db


def _write_markup_article(folder: Path) -> Path:
    path = folder / "markup.jsonl"
    path.write_text(json.dumps(MARKUP_ARTICLE) + "\n", encoding="utf-8")
    return path


def _add_link_results(db: str) -> None:
    with open_store(db) as store:
        story_id = queries.article(store, MARKUP_ID)["story"]
        assert story_id, "the markup article should join the Xi–Putin story of May 2024"
        report = store.report(story=story_id)
        if report["comparisons"] or report.get("story_events"):
            return
        articles = report["stories"][0]["articles"]
        outlet = {a["id"]: a.get("outlet") for a in report["articles"]}
        consults = {}
        for e in report["events"]:
            if e["type"] == "CONSULT" and e["status"] == "asserted":
                consults.setdefault(e["article"], e)
        reports = list(consults.values())[:2]
        story_event = {
            "id": "se-test", "story": story_id, "type": "CONSULT", "mode": reports[0].get("mode"),
            "quad": "verbal_cooperation", "status": "asserted", "source": reports[0]["source"],
            "target": reports[0]["target"], "date": reports[0]["date"], "num_articles": len(reports),
            "articles": [e["article"] for e in reports], "outlets": sorted({outlet[e["article"]] for e in reports}),
            "events": [e["id"] for e in reports],
            "mentions": [{"article": e["article"], "outlet": outlet[e["article"]], "event": e["id"], "text": e["text"],
                          "span": e["span"]} for e in reports]}
        trade = [f for f in report["facts"] if f["unit"] == "USD" and f["value"] >= 1e11][:2]
        items = [
            {"kind": "event", "key": "CONSULT: Xi Jinping (CHN) – Vladimir Putin (RUS)", "event": "se-test",
             "reported_by": {e["article"]: e["text"] for e in reports},
             "missing_from": [a for a in articles if a not in consults], "verdict": "agree"},
            {"kind": "fact", "key": "bilateral trade (USD)", "reported_by": {f["article"]: f["text"] for f in trade},
             "missing_from": [a for a in articles if a not in {f["article"] for f in trade}], "verdict": "differ",
             "conflicts": [[f["article"] for f in trade]], "facts": [f["id"] for f in trade]},
        ]
        store.replace_links(store.stories(), {"comparison": [{"story": story_id, "items": items}],
                                              "story_events": [story_event]})


@pytest.fixture(scope="module")
def client(demo_db):
    from fastapi.testclient import TestClient

    with TestClient(create_app(demo_db)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def known(demo_db) -> dict:
    """Ids and names that exist in the demo database."""
    with open_store(demo_db) as store:
        markup = queries.article(store, MARKUP_ID)
        stories = queries.stories(store, limit=50).rows
        other = next(s for s in stories if s["id"] != markup["story"])
        event = queries.events(store, EventFilter(dyad="CHN-RUS", status="asserted"), limit=1).rows[0]
        return {"story": markup["story"], "plain_story": other["id"], "event": event["id"], "article": event["article"],
                "markup_event": markup["events"][0]["id"]}


def pages(known: dict) -> dict[str, str]:
    return {
        "overview": "/", "stories": "/stories", "story": f"/stories/{known['story']}",
        "story-without-comparisons": f"/stories/{known['plain_story']}", "events": "/events",
        "events-filtered": "/events?quad=verbal_conflict&sort=date", "event": f"/events/{known['event']}",
        "actor-country": "/actors/CHN", "actor-person": "/actors/Xi%20Jinping", "dyad": "/dyads/CHN/RUS",
        "dyad-weekly": "/dyads/CHN/RUS?freq=W", "dyad-period": "/dyads/CHN/RUS?period=2024-05#events",
        "articles": "/articles", "article": f"/articles/{known['article']}",
        "article-with-markup": f"/articles/{MARKUP_ID}", "search": "/search?q=Putin", "search-empty": "/search",
    }


PAGE_NAMES = ["overview", "stories", "story", "story-without-comparisons", "events", "events-filtered", "event",
              "actor-country", "actor-person", "dyad", "dyad-weekly", "dyad-period", "articles", "article",
              "article-with-markup", "search", "search-empty"]


# --- HTTP: status codes, JSON twins, headers ------------------------------------------------------------

@pytest.mark.parametrize("name", PAGE_NAMES)
def test_every_page_answers_in_html_and_json(client, known, name):
    path = pages(known)[name]
    page = client.get(path)
    assert page.status_code == 200, page.text[:500]
    assert page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for src in re.findall(r'<script[^>]*\ssrc="([^"]+)"', page.text) + re.findall(r'<link[^>]*href="([^"]+)"', page.text):
        assert src.startswith("/static/"), f"{name} loads {src} from elsewhere"
    assert re.search(r'<script(?![^>]*\b(src|type="application/json"))[^>]*>', page.text) is None, "inline script"
    twin = client.get(path.split("#")[0] + ("&" if "?" in path else "?") + "format=json")
    assert twin.status_code == 200
    assert isinstance(twin.json(), dict)


@pytest.mark.parametrize("path, status", [
    ("/stories/no-such-story", 404), ("/events/no-such-event", 404), ("/articles/no-such-article", 404),
    ("/actors/Nobody%20Atall", 404), ("/actors/ZZZ?offset=x", 400),
    ("/events?quad=nope", 400), ("/events?type=DANCE", 400), ("/events?status=maybe", 400),
    ("/events?start=2024-13-01", 400), ("/events?start=2025&end=2024", 400), ("/events?dyad=CHINA", 400),
    ("/events?country=china", 400), ("/events?sort=colour", 400), ("/events?offset=-1", 400),
    ("/events?limit=0", 400), ("/events?limit=5000", 400), ("/events?offset=ten", 400), ("/events?format=xml", 400),
    ("/stories?limit=x", 400), ("/dyads/CHN/RUS?freq=Q", 400), ("/dyads/CH/RUS", 400),
    ("/dyads/CHN/RUS?period=May", 400), ("/dyads/CHN/RUS?start=yesterday", 400),
    ('/search?q="unclosed', 400), ("/search?q=OR", 400), ("/articles?q=(x", 400),
])
def test_errors_are_pages_with_their_status(client, path, status):
    page = client.get(path)
    assert page.status_code == status
    assert page.headers["content-type"].startswith("text/html")
    assert 'class="error"' in page.text
    if "format=" not in path:
        twin = client.get(path + ("&" if "?" in path else "?") + "format=json")
        assert twin.status_code == status
        assert twin.json()["error"]


def test_links_between_pages_lead_somewhere(client, known):
    """Every link on every page (one step from each page of the module's list) answers 200."""
    seen: dict[str, str] = {}
    for name, path in pages(known).items():
        html = client.get(path).text
        for href in re.findall(r'href="(/[^"#]*)', html):
            seen.setdefault(href.replace("&amp;", "&"), name)
    assert len(seen) > 100
    status = {href: client.get(href).status_code for href in sorted(seen)}
    assert not {href: f"{code} (linked from {seen[href]})" for href, code in status.items() if code != 200}


def test_the_error_names_the_parameter(client):
    assert "quad: expected one of" in client.get("/events?quad=nope").text
    assert "q:" in client.get('/search?q="unclosed').text


def test_plotly_is_served_from_the_installed_package(client):
    from importlib import resources

    script = client.get("/static/plotly.min.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.content == (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()
    again = client.get("/static/plotly.min.js", headers={"if-none-match": script.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/static/chancery.css").headers["content-type"].startswith("text/css")
    assert client.get("/static/chancery.js").status_code == 200
    assert client.get("/static/favicon.svg").status_code == 200
    assert client.get("/static/secrets.txt").status_code == 404
    assert client.get("/static/..%2Fdashboard.py").status_code == 404


def test_markup_in_stored_strings_is_escaped(client, known):
    for path in (f"/articles/{MARKUP_ID}", f"/stories/{known['story']}", "/search?q=trust",
                 f"/events?article={MARKUP_ID}", f"/events/{known['markup_event']}", "/"):
        html = client.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>China</b>" not in html, path
        assert "<i>Outlet</i>" not in html, path
    article = client.get(f"/articles/{MARKUP_ID}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article
    assert "&lt;img src=x onerror=alert(2)&gt;" in article
    assert 'href="javascript' not in article


def test_segments_cut_overlapping_notes_and_keep_anchors():
    text = "Xi met Putin in Beijing."
    pieces = segments(text, [{"kind": "event", "span": [0, 24], "label": "event", "anchor": "event-1"},
                             {"kind": "mention", "span": [0, 2], "label": "Xi"},
                             {"kind": "trigger", "span": [3, 6], "label": "met"},
                             {"kind": "fact", "span": [30, 40], "label": "outside"},
                             {"kind": "time", "span": None, "label": "no span"}])
    assert "".join(p["text"] for p in pieces) == text
    assert pieces[0] == {"text": "Xi", "kinds": ["event", "mention"], "title": "event; Xi", "anchors": ["event-1"]}
    assert pieces[2]["text"] == "met" and pieces[2]["kinds"] == ["event", "trigger"]
    assert all("fact" not in p["kinds"] for p in pieces)
    assert segments("", []) == []


def test_events_page_keeps_filters_in_links(client):
    html = client.get("/events?quad=verbal_conflict&sort=date").text
    export = re.search(r'class="export-csv" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(export).query)
    assert urlsplit(export).path == "/api/events.csv"
    assert query["quad"] == ["verbal_conflict"] and query["sort"] == ["date"]
    data = client.get("/events?quad=verbal_conflict&format=json").json()
    assert data["filter"] == {"quad": "verbal_conflict"}
    assert {e["quad"] for e in data["events"]} == {"verbal_conflict"}
    assert sum(v["events"] for v in data["facets"]["quad"]["values"]) == data["total"]
    assert data["facets"]["quad"]["values"][0]["active"]


def test_events_page_pages(client):
    first = client.get("/events?limit=10&format=json").json()
    second = client.get(first["next"] + "&format=json").json()
    assert first["total"] == second["total"] > 10
    assert not {e["id"] for e in first["events"]} & {e["id"] for e in second["events"]}
    assert second["previous"]


def test_story_page_side_by_side(client, known):
    data = client.get(f"/stories/{known['story']}?format=json").json()
    assert not data["provisional"]
    verdicts = {item["verdict"] for item in data["compared"]}
    assert "differ" in verdicts
    assert any(cell["missing"] for item in data["compared"] for cell in item["cells"])
    assert data["story_events"][0]["reports"][0]["segments"]
    html = client.get(f"/stories/{known['story']}").text
    assert "not reported" in html and 'class="verdict v-differ"' in html
    only_facts = client.get(f"/stories/{known['story']}?kind=fact&format=json").json()
    assert {item["kind"] for item in only_facts["compared"]} == {"fact"}


def test_story_without_comparisons_groups_what_each_article_says(demo_db, known, tmp_path):
    from fastapi.testclient import TestClient

    copy = tmp_path / "no-comparisons.db"
    with open_store(demo_db) as store, open_store(str(copy)) as bare:
        bare.add(store.current_articles())  # the same articles, rebuilt, with stories but no comparisons
        bare.replace_links(store.stories(), {})
    with TestClient(create_app(str(copy))) as bare_client:
        data = bare_client.get(f"/stories/{known['plain_story']}?format=json").json()
        assert data["provisional"]
        assert {item["kind"] for item in data["compared"]} >= {"event"}
        assert "stored no comparison" in bare_client.get(f"/stories/{known['plain_story']}").text


def test_dyad_page_lists_the_events_of_a_period(client):
    data = client.get("/dyads/CHN/RUS?format=json").json()
    point = next(p for p in data["series"] if p["count"])
    period = client.get(f"/dyads/CHN/RUS?period={point['period']}&format=json").json()
    api = client.get(f"/api/events?dyad=CHN-RUS&status=asserted&start={point['period']}&end={point['period']}").json()
    assert period["total"] == api["total"] > 0
    assert all(e["date"].startswith(point["period"]) for e in period["events"])
    weekly = client.get("/dyads/chn/rus?freq=W&format=json").json()
    assert sum(p["count"] for p in weekly["series"]) <= sum(p["count"] for p in data["series"])


def test_a_point_and_its_listing_count_the_same_events(client):
    data = client.get("/dyads/CHN/RUS?format=json").json()
    for point in (p for p in data["series"] if p["count"]):
        assert client.get(f"/dyads/CHN/RUS?period={point['period']}&format=json").json()["total"] == point["count"]


def test_actor_pages(client):
    person = client.get("/actors/Xi%20Jinping?format=json").json()
    assert person["profile"]["country"] == "CHN"
    assert person["did"] and person["quotes"]
    country = client.get("/actors/RUS?format=json").json()
    assert country["is_country"] and country["total"] > 0
    assert any(r["other"] == "CHN" for r in country["did"] + country["received"])


def test_event_counts_matches_the_events_total(demo_db):
    with open_store(demo_db) as store:
        f = EventFilter(dyad="CHN-RUS")
        counts = queries.event_counts(store, f, ("type",))
        assert sum(r["events"] for r in counts) == queries.events(store, f).total
        assert sum(r["events"] for r in queries.event_counts(store, None, ("quad", "status"), within=10)) == 10
        with pytest.raises(QueryError, match="by:"):
            queries.event_counts(store, None, ("payload",))


@pytest.mark.slow
def test_aggregates_follow_an_ingest(demo_db, tmp_path):
    """The overview is cached; an ingest into the same database must show at once."""
    from fastapi.testclient import TestClient

    db = tmp_path / "copy.db"
    with sqlite3.connect(demo_db) as source, sqlite3.connect(db) as target:
        source.backup(target)
    with TestClient(create_app(str(db))) as copy:
        before = copy.get("/?format=json").json()["counts"]["articles"]
        article = {**MARKUP_ARTICLE, "id": "another", "url": None, "text": "Xi Jinping met Vladimir Putin in Kazan."}
        (tmp_path / "more.jsonl").write_text(json.dumps(article) + "\n", encoding="utf-8")
        assert chancery("ingest", str(tmp_path / "more.jsonl"), "--db", str(db)).returncode == 0
        assert copy.get("/?format=json").json()["counts"]["articles"] == before + 1


@pytest.mark.parametrize("store_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_pages_on_postgresql(store_url):
    from fastapi.testclient import TestClient

    done = chancery("demo", "--db", store_url)
    assert done.returncode == 0, done.stderr
    with open_store(store_url) as store:
        story = queries.stories(store, limit=1).rows[0]["id"]
        event = queries.events(store, EventFilter(dyad="CHN-RUS"), limit=1).rows[0]
    with TestClient(create_app(store_url)) as on_postgres:
        for path in ("/", "/stories", f"/stories/{story}", "/events?quad=verbal_cooperation", f"/events/{event['id']}",
                     "/actors/CHN", "/actors/Xi%20Jinping", "/dyads/CHN/RUS?freq=W", "/dyads/CHN/RUS?period=2024-05",
                     "/articles?q=Putin", f"/articles/{event['article']}", "/search?q=Putin"):
            assert on_postgres.get(path).status_code == 200, path
        data = on_postgres.get("/events?format=json").json()
        assert sum(v["events"] for v in data["facets"]["status"]["values"]) == data["total"]
        assert on_postgres.get('/search?q="unclosed').status_code == 400


# --- the browser ---------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_db):
    """A real uvicorn server over the demo database, in a thread, on a free port."""
    import uvicorn

    config = uvicorn.Config(create_app(demo_db), host="127.0.0.1", port=_free_port(), log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not running.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{config.port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(request):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\ndashboard screenshots: {SCREENSHOTS}")


class Watched:
    """A page whose console errors, uncaught errors, dialogs and requests to other hosts are recorded."""

    def __init__(self, page, base: str):
        self.page, self.base = page, base
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        self.foreign: list[str] = []
        page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("dialog", self._dialog)
        page.on("request", lambda r: None if r.url.startswith((base, "data:")) else self.foreign.append(r.url))

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: str, status: int = 200):
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == status, f"{path}: {response and response.status}"
        self.page.wait_for_load_state("networkidle")
        return response

    def shoot(self, name: str) -> None:
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def check(self) -> None:
        assert not self.problems, self.problems
        assert not self.dialogs, f"a dialog fired: {self.dialogs}"
        assert not self.foreign, f"requests left the app: {self.foreign}"


@pytest.fixture
def tab(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    watched = Watched(context.new_page(), server)
    yield watched
    context.close()
    watched.check()


@pytest.mark.browser
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_in_the_browser(tab, known, name):
    tab.open(pages(known)[name])
    assert tab.page.locator("h1").first.is_visible()
    for chart in tab.page.locator("[data-chart]").all():
        chart.locator(".main-svg").first.wait_for()
        assert "drawn" in (chart.get_attribute("class") or "")
    tab.shoot(name)


@pytest.mark.browser
@pytest.mark.parametrize("path, status", [("/events/no-such-event", 404), ("/events?quad=nope", 400),
                                          ('/search?q="unclosed', 400)])
def test_error_page_in_the_browser(tab, path, status):
    tab.open(path, status)
    assert tab.page.locator(".error").is_visible()
    tab.shoot(f"error-{status}")
    # Chromium reports the document's own status as a failed resource; nothing else may fail.
    tab.problems = [p for p in tab.problems if f"status of {status}" not in p]


@pytest.mark.browser
def test_from_a_story_to_an_event_to_its_evidence(tab, known):
    tab.open(f"/stories/{known['story']}")
    link = tab.page.locator("#events a.event-link").first
    event_id = link.get_attribute("href").rsplit("/", 1)[1]
    link.click()
    tab.page.wait_for_url(f"**/events/{event_id}")
    event = tab.page.request.get(f"{tab.base}/api/events/{event_id}").json()
    evidence = tab.page.locator("blockquote.context .k-evidence")
    assert evidence.first.is_visible()
    assert "".join(evidence.all_text_contents()) == event["text"]
    triggers = tab.page.locator("blockquote.context .k-trigger").all_text_contents()
    assert triggers == [part["text"] for part in event["evidence"]]
    tab.shoot("story-event-evidence")
    tab.page.locator("a.article-link").click()
    tab.page.wait_for_url(f"**/articles/*#event-{event_id}")
    assert tab.page.locator(f"#event-{event_id}").count() == 1


@pytest.mark.browser
def test_filter_in_the_events_explorer(tab):
    tab.open("/events")
    before = tab.page.locator("table.events tbody tr").count()
    total_before = tab.page.locator(".pager .count").first.inner_text()
    tab.page.select_option("select[name=quad]", "verbal_conflict")
    tab.page.locator("#event-filters button[type=submit]").click()
    tab.page.wait_for_url(re.compile(r"quad=verbal_conflict"))
    query = parse_qs(urlsplit(tab.page.url).query)
    assert query["quad"] == ["verbal_conflict"]
    assert "actor" not in query and "text" not in query, "empty fields stay out of the URL"
    rows = tab.page.locator("table.events tbody tr")
    assert 0 < rows.count() < before or tab.page.locator(".pager .count").first.inner_text() != total_before
    assert set(tab.page.locator("table.events tbody .quad").all_text_contents()) == {"verbal conflict"}
    # a facet value narrows further and says so in the URL
    facet = tab.page.locator(".facet[data-facet=type] li a").first
    chosen = facet.inner_text()
    facet.click()
    tab.page.wait_for_url(re.compile(rf"type={chosen}"))
    assert {t.split("/")[0] for t in tab.page.locator("table.events a.event-link").all_text_contents()} == {chosen}
    assert parse_qs(urlsplit(tab.page.url).query)["quad"] == ["verbal_conflict"]
    tab.shoot("events-filter")


@pytest.mark.browser
def test_export_csv_follows_the_filter(tab):
    tab.open("/events?quad=verbal_conflict")
    shown = {row.get_attribute("data-id") for row in tab.page.locator("table.events tbody tr").all()}
    with tab.page.expect_download() as download:
        tab.page.locator("a.export-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    header = text.splitlines()[0].split(",")
    assert {"id", "article", "type", "quad", "status", "source_country", "target_country"} <= set(header)
    assert rows and {r["quad"] for r in rows} == {"verbal_conflict"}
    assert {r["id"] for r in rows} == shown


@pytest.mark.browser
def test_dyad_chart_is_drawn_and_its_points_open_their_events(tab):
    tab.open("/dyads/CHN/RUS")
    chart = tab.page.locator("#dyad-chart")
    chart.locator(".main-svg").first.wait_for()
    points = chart.locator(".scatterlayer .trace .point")
    assert points.count() > 0
    figure = json.loads(tab.page.locator("#dyad-data").text_content())
    values = figure["data"][0]["y"]  # verbal cooperation, the busiest series of the demo
    index = next(i for i, v in enumerate(values) if v)
    box = chart.locator(".scatterlayer .trace").nth(0).locator(".point").nth(index).bounding_box()
    tab.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    period = figure["data"][0]["x"][index]
    tab.page.wait_for_url(re.compile(rf"period={period}"))
    rows = tab.page.locator("#events table.events tbody tr")
    listed = tab.page.request.get(f"{tab.base}/api/events?dyad=CHN-RUS&status=asserted&quad=verbal_cooperation"
                                  f"&start={period}&end={period}").json()
    assert rows.count() == listed["total"] > 0  # see test_a_point_and_its_listing_count_the_same_events
    assert all(d.startswith(period) for d in tab.page.locator("#events td.date").all_text_contents())
    tab.shoot("dyad-point-clicked")


@pytest.mark.browser
def test_overview_timeline_has_bars(tab):
    tab.open("/")
    bars = tab.page.locator("#timeline-chart .barlayer .point")
    bars.first.wait_for()
    assert bars.count() > 0


@pytest.mark.browser
def test_markup_in_an_article_stays_text(tab, known):
    tab.open(f"/articles/{MARKUP_ID}")
    text = tab.page.locator("#article-text").inner_text()
    assert "<script>alert(1)</script>" in text
    assert "<img src=x onerror=alert(2)>" in text
    assert tab.page.locator("#article-text img, #article-text script, #article-text b").count() == 0
    assert "<b>bold</b>" in tab.page.locator("h1").inner_text()
    assert tab.page.locator("a[href^='javascript']").count() == 0
    assert not tab.page.evaluate("() => [...document.scripts].some(s => s.textContent.includes('alert('))")
    tab.shoot("markup-inert")
    for path in (f"/stories/{known['story']}", f"/events?article={MARKUP_ID}", "/search?q=trust",
                 f"/events/{known['markup_event']}"):
        tab.open(path)
        assert tab.page.locator("main img, main b").count() == 0, path
    assert "Evil <i>Outlet</i>" in tab.page.locator("main").inner_text()


@pytest.mark.browser
def test_highlight_layers_can_be_turned_off(tab):
    tab.open(f"/articles/{MARKUP_ID}")
    mention = tab.page.locator("#article-text .k-mention").first

    def border() -> str:
        return mention.evaluate("e => getComputedStyle(e).borderBottomStyle")

    assert border() == "solid"
    tab.page.locator("#layer-mention").uncheck()
    assert border() == "none"
