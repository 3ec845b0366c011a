"""The REST API over the demo corpus, on SQLite and on PostgreSQL: every endpoint, its CSV twin,
filters that narrow, paging that adds up, and bad parameters answered with a 400 that says why."""
from __future__ import annotations

import csv
import io
import uuid

import pytest
from fastapi.testclient import TestClient

from chancery.api import create_app, flatten
from chancery.relink import relink
from chancery.storage import open_store


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def client(request, demo_articles, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'demo.db'}"
    else:
        from conftest import _admin_execute
        server = request.getfixturevalue("pg_url").rpartition("/")[0]
        name = f"api_{uuid.uuid4().hex[:10]}"
        _admin_execute(f"{server}/postgres", f"CREATE DATABASE {name}")
        url = f"{server}/{name}"
    with open_store(url) as store:
        store.add(demo_articles)
        relink(store)
        yield TestClient(create_app(store=store))


def get(client, url: str, status: int = 200):
    answer = client.get(url)
    assert answer.status_code == status, (url, answer.text[:300])
    return answer


def test_index_and_openapi_list_the_endpoints(client):
    listed = get(client, "/api/").json()["endpoints"]
    paths = get(client, "/api/openapi.json").json()["paths"]
    for endpoint in ("/api/events", "/api/stories", "/api/quotes", "/api/facts", "/api/network"):
        assert endpoint in listed and endpoint in paths


def test_overview_counts_match_the_corpus(client, demo_articles):
    overview = get(client, "/api/overview").json()
    assert overview["counts"]["articles"] == len(demo_articles)
    assert overview["counts"]["events"] == sum(len(a.events) for a in demo_articles)
    assert sum(o["articles"] for o in overview["outlets"]) == len(demo_articles)
    assert overview["top_dyads"] and overview["timeline"]


def test_events_filters_narrow_and_agree_with_each_other(client):
    everything = get(client, "/api/events?limit=1000").json()
    assert everything["total"] == len(everything["events"]) > 20
    dyad = get(client, "/api/events?dyad=RUS-CHN&limit=1000").json()["events"]
    assert 0 < len(dyad) < everything["total"]
    assert all({e["source"]["country"], e["target"]["country"]} == {"CHN", "RUS"} for e in dyad)
    conflict = get(client, "/api/events?dyad=CHN-RUS&quad=verbal_cooperation&status=asserted&limit=1000").json()
    assert all(e["quad"] == "verbal_cooperation" and e["status"] == "asserted" for e in conflict["events"])
    assert len(conflict["events"]) <= len(dyad)
    one = dyad[0]
    by_story = get(client, f"/api/events?story={one['story']}&limit=1000").json()["events"]
    assert one["id"] in {e["id"] for e in by_story} and all(e["story"] == one["story"] for e in by_story)
    dated = [e for e in everything["events"] if e["date"] and len(e["date"]) == 10]
    day = dated[0]["date"]
    on_day = get(client, f"/api/events?start={day}&end={day}&limit=1000").json()["events"]
    assert on_day and all(e["date"].startswith(day) for e in on_day)
    outlet = one["outlet"]
    assert all(e["outlet"] == outlet for e in get(client, f"/api/events?outlet={outlet}").json()["events"])
    word = one["text"].split()[3].strip(".,;:")
    assert all(word.lower() in e["text"].lower() for e in get(client, f"/api/events?text={word}").json()["events"])
    actor = one["source"]["name"]
    acted = get(client, f"/api/events?actor={actor}&limit=1000").json()["events"]
    assert acted and all(actor in (e["source"]["name"], (e["target"] or {}).get("name")) for e in acted)


def test_events_paging_and_sorting(client):
    total = get(client, "/api/events?limit=1").json()["total"]
    first = get(client, "/api/events?limit=7&sort=-date").json()
    assert first["total"] == total and len(first["events"]) == 7 and "next" in first
    seen, url = [], "/api/events?limit=7&sort=-date"
    while url:
        page = get(client, url.replace("http://testserver", "")).json()
        seen += [e["id"] for e in page["events"]]
        url = page.get("next")
    assert len(seen) == len(set(seen)) == total
    dates = [e["date"] or "" for e in get(client, "/api/events?limit=1000&sort=-date").json()["events"]]
    assert dates == sorted(dates, reverse=True)


def test_csv_twin_has_the_same_rows_as_json(client):
    json_rows = get(client, "/api/events?dyad=CHN-RUS&limit=1000").json()["events"]
    answer = get(client, "/api/events.csv?dyad=CHN-RUS&limit=1000")
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["id"] for r in rows] == [e["id"] for e in json_rows]
    assert {"source_country", "target_country", "type", "text"} <= set(rows[0])
    assert get(client, "/api/events?dyad=CHN-RUS&format=csv").text.splitlines()[0] == answer.text.splitlines()[0]
    for listing in ("stories", "quotes", "facts", "comparisons", "articles"):
        assert get(client, f"/api/{listing}.csv").text.count("\n") >= 1


def test_single_records(client):
    event = get(client, "/api/events?limit=1").json()["events"][0]
    found = get(client, f"/api/events/{event['id']}").json()
    assert found["context"]["evidence"] == event["text"]
    article = get(client, f"/api/articles/{event['article']}").json()
    assert event["id"] in {e["id"] for e in article["events"]} and article["mentions"]
    assert article["text"][event["span"][0]:event["span"][1]] == event["text"]
    story = get(client, "/api/stories").json()["stories"][0]
    full = get(client, f"/api/stories/{story['id']}").json()
    assert sorted(a["id"] for a in full["article_records"]) == sorted(story["articles"])
    assert story["num_articles"] == len(story["articles"])


def test_quotes_facts_comparisons_network_dyads_search(client):
    quotes = get(client, "/api/quotes?limit=1000").json()["quotes"]
    speaker = next(q["speaker"]["name"] for q in quotes if q["speaker"])
    assert all(q["speaker"]["name"] == speaker for q in get(client, f"/api/quotes?speaker={speaker}").json()["quotes"])
    word = quotes[0]["text"].split()[2].strip(".,;:\"'“”")
    assert get(client, f"/api/quotes?text={word}").json()["quotes"]
    facts = get(client, "/api/facts?kind=number&limit=1000").json()["facts"]
    assert facts and all(f["kind"] == "number" for f in facts)
    get(client, "/api/comparisons?verdict=differ")
    network = get(client, "/api/network").json()
    assert network["nodes"] and all(e["events"] >= 1 for e in network["edges"])
    assert {"CHN", "RUS"} <= {n["id"] for n in network["nodes"]}
    series = get(client, "/api/dyads/CHN/RUS?freq=M").json()["series"]
    assert series and all(len(p["period"]) == 7 and p["events"] for p in series)
    weekly = get(client, "/api/dyads/chn/rus?freq=W").json()["series"]
    assert sum(len(p["events"]) for p in weekly) <= sum(len(p["events"]) for p in series)
    assert get(client, "/api/dyads/CHN/RUS.csv").text.startswith("period,")
    found = get(client, "/api/search?q=summit").json()
    assert found["articles"]


@pytest.mark.parametrize("url, mentions", [
    ("/api/events?limit=0", "limit"), ("/api/events?limit=5000", "limit"), ("/api/events?offset=-1", "offset"),
    ("/api/events?offset=99999999999999999999", "offset"), ("/api/quotes?text=a%00", "NUL"),
    ("/api/events?quad=friendly", "quad"), ("/api/events?status=maybe", "status"),
    ("/api/events?start=2024-02-30", "start"), ("/api/events?start=2025&end=2024", "after"),
    ("/api/events?country=China", "country"), ("/api/events?dyad=CHN", "dyad"), ("/api/events?sort=colour", "sort"),
    ("/api/events.xml", "format"), ("/api/events?format=pdf", "format"), ("/api/dyads/CHN/RUS?freq=Q", "freq"),
    ("/api/search?q=%22open", "quote"), ("/api/search?q=", "q"), ("/api/quotes?text=OR", "text"),
    ("/api/articles?search=-only", "search"), ("/api/facts?kind=table", "kind"),
    ("/api/comparisons?verdict=maybe", "verdict"), ("/api/quotes?country=12", "country"),
])
def test_bad_parameters_get_a_400_that_says_why(client, url, mentions):
    answer = get(client, url, 400)
    assert mentions in answer.json()["error"]


@pytest.mark.parametrize("url", ["/api/events/nope", "/api/stories/nope", "/api/articles/nope"])
def test_unknown_records_are_404(client, url):
    assert "nope" in get(client, url, 404).json()["error"]


def test_the_api_is_read_only(client):
    for method in ("post", "put", "delete", "patch"):
        assert getattr(client, method)("/api/events").status_code == 405


def test_token_is_required_when_set(demo_articles, tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'tok.db'}") as store:
        store.add(demo_articles[:2])
        guarded = TestClient(create_app(store=store, token="s3cret"))
        assert guarded.get("/api/events").status_code == 401
        assert guarded.get("/api/events", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert guarded.get("/api/events", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_a_browser_given_the_token_once_keeps_it_for_the_dashboard_links(demo_articles, tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'tok.db'}") as store:
        store.add(demo_articles[:2])
        browser = TestClient(create_app(store=store, token="s3cret"))
        assert browser.get("/events").status_code == 401
        assert browser.get("/?token=wrong").status_code == 401
        assert "chancery_token" not in browser.cookies
        assert browser.get("/?token=s3cret").status_code == 200
        assert browser.get("/events").status_code == 200  # a plain link, carried by the cookie
        other = TestClient(create_app(store=store, token="s3cret"))
        other.cookies.set("chancery_token", "forged")
        assert other.get("/events").status_code == 401


def test_flatten_makes_one_level_of_columns():
    assert flatten({"a": 1, "source": {"name": "X", "members": [{"n": 1}]}, "span": [1, 2]}) == {
        "a": 1, "source_name": "X", "source_members": '[{"n": 1}]', "span": "[1, 2]"}


def test_serve_refuses_another_address_without_token_or_public(capsys, tmp_path):
    from chancery.cli import main
    assert main(["serve", "--db", str(tmp_path / "x.db"), "--host", "0.0.0.0"]) == 1
    assert "--token" in capsys.readouterr().err
