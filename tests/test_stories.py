"""Story clustering (chancery.stories): unit tests on articles written here, then the demo corpus,
the seeds and ECB+ scored with the shared scorer."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import pytest

from chancery.events import Event
from chancery.records import Actor, Article, Dateline, Mention, TimeExpr
from chancery.stories import Story, StoryClusterer, StorySettings, cluster, jaccard_estimate, signature

SHARED = Path(__file__).resolve().parents[2] / "shared"
SCORER = SHARED / "eval" / "score.py"
DEMO = Path(str(resources.files("chancery") / "demo"))

CHL = Actor("Chile", "CHL", "GOV", kind="country")
ARG = Actor("Argentina", "ARG", "GOV", kind="country")
PER = Actor("Peru", "PER", "GOV", kind="country")
MENDOZA = Actor("Mendoza", "ARG", kind="place")


def event(kind: str, day: str | None, source: Actor, target: Actor, place: str | None = "Mendoza",
          how: str = "relative") -> Event:
    return Event(article="", sentence=0, text="", span=None, type=kind, mode=None, cameo="040",
                 quad="verbal_cooperation", intensity=1.0, source={"country": source.country, "name": source.name},
                 target={"country": target.country, "name": target.name}, date=day,
                 date_precision="day" if day else None, date_source=how if day else "none",
                 location={"name": place, "country": "ARG"} if place else None, status="asserted",
                 confidence=0.9, rule="test")


def article(id: str, text: str, *, title: str | None = None, published: str | None = None, day: str | None = None,
            pair: tuple[Actor, Actor] = (CHL, ARG), weekday: str | None = None, outlet: str | None = None,
            dateline: str | None = None) -> Article:
    """An analysed article as the pipeline would hand it over: mentions of the two countries and of
    Mendoza, and (when `day` is given) two asserted events on that day between them."""
    a, b = pair
    mentions = [Mention(0, 1, a.name, a, "dictionary"), Mention(0, 1, b.name, b, "dictionary"),
                Mention(0, 1, a.name, a, "dictionary"), Mention(0, 1, "Mendoza", MENDOZA, "place")]
    times = [TimeExpr(0, 1, f"on {weekday}", None, None, "relative")] if weekday else []
    events = [event("CONSULT", day, a, b), event("AGREE", day, a, b)] if day else []
    return Article(id=id, source="test", raw=text, text=text, title=title, published=published, outlet=outlet,
                   dateline=Dateline(place=dateline) if dateline else None, mentions=mentions, times=times,
                   events=events)


TREATY_A = ("Chile and Argentina signed a treaty on sharing the Maipo and Mendoza river aquifers on Tuesday, "
            "ending a dispute over glacier meltwater that had soured relations for a decade. The accord creates "
            "a joint basin commission in Mendoza with engineers from both sides. Presidents Gabriel Boric and "
            "Javier Milei attended the signing ceremony at the Mendoza government house.")
TREATY_B = ("At a ceremony in Mendoza, Argentine President Javier Milei and his Chilean counterpart Gabriel Boric "
            "put their names on an agreement to share the aquifers under the Maipo and Mendoza rivers. A new "
            "binational basin commission will manage glacier meltwater, the cause of a ten-year quarrel.")
TREATY_UNDATED = ("The glacier meltwater accord that Boric and Milei signed in Mendoza sets up a binational basin "
                  "commission for the Maipo and Mendoza aquifers, officials of both governments said.")
FOLLOW_UP = ("Chile and Argentina met again in Mendoza on the aquifer treaty: presidents Gabriel Boric and "
             "Javier Milei reviewed the work of the joint basin commission on the Maipo and Mendoza river "
             "aquifers and glacier meltwater, six months after the signing ceremony ended their decade-long "
             "dispute.")


def partition(stories: list[Story]) -> set[frozenset[str]]:
    return {frozenset(s.articles) for s in stories}


# -- unit tests -------------------------------------------------------------------------------------

def test_the_same_happening_worded_by_two_outlets_joins():
    a = article("a", TREATY_A, title="Chile, Argentina sign aquifer treaty", published="2025-03-11", day="2025-03-11",
                outlet="Andes Wire")
    b = article("b", TREATY_B, title="Milei and Boric seal river water deal in Mendoza", published="2025-03-12",
                day="2025-03-11", outlet="Pampa Post")
    other = article("c", "Peru and Chile agreed on a fishing quota for anchovy off Arica, the ministers said in "
                         "Lima after three days of talks about the Humboldt current stocks.",
                    published="2025-03-11", day="2025-03-11", pair=(PER, CHL))
    stories = cluster([a, b, other])
    assert partition(stories) == {frozenset({"a", "b"}), frozenset({"c"})}
    story = next(s for s in stories if "a" in s.articles)
    assert story.start == story.end == "2025-03-11"
    assert story.actors[:2] == ["ARG", "CHL"] or story.actors[:2] == ["CHL", "ARG"]


def test_same_leaders_same_city_months_apart_stay_apart():
    first = article("first", TREATY_A, published="2025-03-11", day="2025-03-11")
    later = article("later", FOLLOW_UP, published="2025-09-16", day="2025-09-16")
    assert len(cluster([first, later])) == 2
    # the date gate is what keeps them apart: on the same day the two texts would join
    same_day = article("same-day", FOLLOW_UP, published="2025-03-11", day="2025-03-11")
    assert len(cluster([first, same_day])) == 1


def test_the_gate_is_on_happening_days_not_publication_days():
    # reported on the day and analysed a week later: both say the talks were on 11 March
    a = article("a", TREATY_A, published="2025-03-11", day="2025-03-11")
    b = article("b", TREATY_B, published="2025-03-14", day="2025-03-11")
    assert len(cluster([a, b])) == 1
    assert cluster([a, b])[0].end == "2025-03-11"


def test_an_undated_article_joins_by_content():
    a = article("a", TREATY_A, published="2025-03-11", day="2025-03-11")
    b = article("b", TREATY_B, published="2025-03-11", day="2025-03-11")
    undated = article("undated", TREATY_UNDATED)
    unrelated = article("unrelated", "Peru's congress debated a pension reform bill for the third week; lawmakers "
                                     "from Lima and Cusco disagreed over the retirement age.", pair=(PER, PER))
    sig = signature(undated)
    assert sig.day is None
    stories = cluster([a, b, undated, unrelated])
    assert partition(stories) == {frozenset({"a", "b", "undated"}), frozenset({"unrelated"})}


def test_an_undated_report_of_a_different_weekday_stays_apart():
    a = article("a", TREATY_A, published="2025-03-11", day="2025-03-11")  # a Tuesday
    b = article("b", TREATY_B, published="2025-03-11", day="2025-03-11")
    friday = article("friday", FOLLOW_UP, weekday="Friday")
    tuesday = article("tuesday", FOLLOW_UP, weekday="Tuesday")
    assert len(cluster([a, b, friday])) == 2
    assert len(cluster([a, b, tuesday])) == 1


def test_two_meetings_in_one_city_on_one_day_stay_apart_by_their_parties():
    summit = " Both met on the sidelines of the Andean summit in Mendoza on Tuesday, before its opening session."
    a1 = article("chl-arg-1", "Boric and Milei agreed to speed up the aquifer commission and the glacier "
                              "meltwater monitoring network." + summit, published="2025-03-11", day="2025-03-11")
    a2 = article("chl-arg-2", "The Chilean and Argentine presidents discussed the aquifer commission and glacier "
                              "meltwater data sharing." + summit, published="2025-03-11", day="2025-03-11")
    p1 = article("per-arg-1", "Boluarte and Milei signed a lithium export protocol and revived plans for the "
                              "Andean railway to the Pacific port of Ilo." + summit, published="2025-03-11",
                 day="2025-03-11", pair=(PER, ARG))
    p2 = article("per-arg-2", "Peru and Argentina will cooperate on lithium exports through Ilo and study a "
                              "railway across the Andes, their presidents said." + summit, published="2025-03-11",
                 day="2025-03-11", pair=(PER, ARG))
    stories = cluster([a1, p1, a2, p2])
    assert partition(stories) == {frozenset({"chl-arg-1", "chl-arg-2"}), frozenset({"per-arg-1", "per-arg-2"})}


def test_incremental_add_gives_the_batch_result():
    items = [article("a", TREATY_A, published="2025-03-11", day="2025-03-11", title="Aquifer treaty signed"),
             article("later", "Chilean and Argentine trade ministers opened a lithium investment fair in Santiago, "
                              "where mining firms from both countries pitched brine projects to Asian buyers.",
                     published="2025-09-16", day="2025-09-16", title="Lithium fair opens"),
             article("b", TREATY_B, published="2025-03-12", day="2025-03-11", title="Boric, Milei share rivers"),
             article("undated", TREATY_UNDATED, title="What the aquifer accord sets up"),
             article("c", "Peru and Chile agreed on a fishing quota for anchovy off Arica.", published="2025-03-11",
                     day="2025-03-11", pair=(PER, CHL), title="Anchovy quota agreed")]
    batch = StoryClusterer.cluster(items)  # in the given order, as `add` sees them
    assert partition(batch) == {frozenset({"a", "b", "undated"}), frozenset({"later"}), frozenset({"c"})}
    assert partition(cluster(items)) == partition(batch)  # `cluster` sorts them by date first
    clusterer = StoryClusterer()
    returned = [clusterer.add(a) for a in items]
    assert [s.to_dict() for s in clusterer.stories()] == [s.to_dict() for s in batch]
    assert returned[2] == clusterer.story_of("a")  # "b" joined the story "a" started
    # adding in two batches lands in the same place too
    halves = StoryClusterer()
    halves.add_many(items[:2])
    halves.add_many(items[2:])
    assert partition(halves.stories()) == partition(batch)
    # an article added again stays where it is
    assert clusterer.add(items[0]) == clusterer.story_of("a")
    assert sum(len(s.articles) for s in clusterer.stories()) == len(items)


def test_wire_copies_join_as_near_duplicates():
    wire = TREATY_A + " The treaty must still be ratified by both congresses, which is expected before winter."
    copy = wire.replace("Tuesday", "Tuesday, March 11").replace("both congresses", "the two congresses")
    a = article("wire", wire, published="2025-03-11")
    b = article("copy", copy, published="2025-03-12")
    a.mentions, b.mentions = [], []  # nothing but the text and the publication date
    assert jaccard_estimate(signature(a).sketch, signature(b).sketch) >= StorySettings().near_duplicate
    assert len(cluster([a, b])) == 1
    unrelated = article("other", "Peru's congress debated a pension reform bill for the third week.",
                        published="2025-03-11")
    assert jaccard_estimate(signature(a).sketch, signature(unrelated).sketch) < 0.2


def test_ids_are_stable_and_deterministic():
    items = [article("a", TREATY_A, published="2025-03-11", day="2025-03-11"),
             article("b", TREATY_B, published="2025-03-11", day="2025-03-11"),
             article("later", FOLLOW_UP, published="2025-09-16", day="2025-09-16")]
    first, second = cluster(items), cluster([dataclasses.replace(a) for a in items])
    assert [s.id for s in first] == [s.id for s in second]
    by_first_article = {s.articles[0]: s.id for s in first}
    assert by_first_article["a"] == "s-" + hashlib.sha1(b"a").hexdigest()[:12]
    # later articles do not change the id of the story they join
    clusterer = StoryClusterer()
    sid = clusterer.add(items[0])
    assert clusterer.add(items[1]) == sid
    # and the same in another process (no salted hash anywhere)
    code = ("import sys, pickle; from chancery.stories import cluster; "
            "print([s.id for s in cluster(pickle.loads(sys.stdin.buffer.read()))])")
    import pickle

    out = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(items), capture_output=True, check=True)
    assert out.stdout.decode().strip() == str([s.id for s in first])


def test_story_entry_matches_the_report_contract():
    a = article("a", TREATY_A, title="Chile, Argentina sign aquifer treaty", published="2025-03-12", day="2025-03-11")
    b = article("b", TREATY_B, title="Milei and Boric seal river water deal", published="2025-03-11", day="2025-03-11")
    (story,) = cluster([a, b])
    entry = story.to_dict()
    assert list(entry) == ["id", "title", "articles", "start", "end", "actors"]
    assert entry["title"] == "Milei and Boric seal river water deal"  # the earliest published titled article
    assert entry["articles"] == ["a", "b"]
    assert (entry["start"], entry["end"]) == ("2025-03-11", "2025-03-11")
    assert set(entry["actors"][:2]) == {"CHL", "ARG"} and len(entry["actors"]) <= 4
    json.dumps(entry)


def test_without_titles_the_title_is_made_of_actors_and_words():
    a = article("a", TREATY_A, published="2025-03-11", day="2025-03-11")
    (story,) = cluster([a])
    assert story.title.startswith(("ARG–CHL:", "CHL–ARG:"))
    assert "aquifer" in story.title or "mendoza" in story.title


def test_lookups_stay_bounded_as_stories_accumulate():
    settings = StorySettings()
    clusterer = StoryClusterer(settings)
    for i in range(400):  # many stories that share the same common words
        clusterer.add(Article(id=f"n{i}", source="t", raw="", text=f"The council discussed budget item {i} and "
                                                                      f"the city zoning plan number z{i}x.",
                              published="2025-01-01"))
    probe = clusterer._single(signature(Article(id="p", source="t", raw="", text="The council discussed budget "
                                                                                "and the city zoning plan.")))
    assert len(clusterer._candidates(probe)) <= settings.max_candidates
    assert all(len(v) for v in clusterer._index.values())


def test_stories_far_behind_the_stream_retire_but_stay_listed():
    settings = StorySettings(retire_after_days=30, retire_idle_articles=0)
    clusterer = StoryClusterer(settings)
    clusterer.add(article("march", TREATY_A, published="2025-03-11", day="2025-03-11", title="Aquifer treaty"))
    for i in range(12):  # the stream moves on to the autumn
        clusterer.add(article(f"autumn-{i}", f"Peru and Chile talks, round {i}, on anchovy quota number q{i}z.",
                              published="2025-10-01", day="2025-10-01", pair=(PER, CHL)))
    old = next(s for s in clusterer.stories() if s.articles == ["march"])
    assert (old.title, old.start) == ("Aquifer treaty", "2025-03-11")
    # a late report of the March signing no longer reopens the retired story
    sid = clusterer.add(article("late", TREATY_B, published="2025-03-12", day="2025-03-11"))
    assert sid != old.id
    assert clusterer.story_of("march") == old.id
    # by default an archive read out of order is left alone
    archive = StoryClusterer(StorySettings(retire_after_days=30))
    archive.add(article("march", TREATY_A, published="2025-03-11", day="2025-03-11"))
    for i in range(12):
        archive.add(article(f"autumn-{i}", f"Peru and Chile talks, round {i}, on anchovy quota number q{i}z.",
                            published="2025-10-01", day="2025-10-01", pair=(PER, CHL)))
    assert archive.add(article("late", TREATY_B, published="2025-03-12", day="2025-03-11")) == \
        archive.story_of("march")


def _stream(n: int, seed: int = 3) -> list[Article]:
    """n articles about n // 4 made-up happenings, a few a day, over many months."""
    import random

    rng = random.Random(seed)
    words = sorted({"".join(rng.choice("bdgklmnprstvz") + rng.choice("aeiou") for _ in range(4))
                    for _ in range(8 * n)})
    rng.shuffle(words)
    out = []
    for i in range(n):
        story = rng.randrange(n // 4)
        own, common = words[6 * story:6 * story + 6], words[-50:]
        text = " ".join(rng.choice(own) if rng.random() < 0.7 else rng.choice(common) for _ in range(60)) + "."
        day = (dt.date(2024, 1, 1) + dt.timedelta(days=story // 2 + rng.randint(0, 1))).isoformat()
        out.append(Article(id=f"a{i}", source="t", raw=text, text=text, published=day))
    return sorted(out, key=lambda a: (a.published, a.id))


def test_retired_stories_leave_the_index_and_merged_ones_their_sums(monkeypatch):
    settings = StorySettings(retire_after_days=20, retire_idle_articles=0, batch_size=40)
    articles = _stream(400)
    clusterer = StoryClusterer(settings)
    for k in range(0, len(articles), settings.batch_size):
        clusterer.add_many(articles[k:k + settings.batch_size])
    retired = clusterer._retired
    assert any(retired)
    assert all(not all(retired[clusterer._find(n)] for n in postings) for postings in clusterer._index.values())
    assert all(not c.terms and not c.sketches for c in clusterer._clusters if not c.alive)
    # the same stories as when every key stays
    monkeypatch.setattr(StoryClusterer, "_unpost", lambda self, keys: None)
    keeping = StoryClusterer(settings)
    for k in range(0, len(articles), settings.batch_size):
        keeping.add_many(articles[k:k + settings.batch_size])
    assert len(keeping._index) > len(clusterer._index)
    assert [s.to_dict() for s in keeping.stories()] == [s.to_dict() for s in clusterer.stories()]


def test_articles_without_text_or_metadata_do_not_break_anything():
    empty = Article(id="empty", source="t", raw="")
    bare = Article(id="bare", source="t", raw="Short.", text="Short.")
    stories = cluster([empty, bare])
    assert sorted(a for s in stories for a in s.articles) == ["bare", "empty"]
    assert all(s.start is None and s.end is None for s in stories)


# -- the demo corpus ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_articles() -> list[Article]:
    from chancery.manifest import Manifest
    from chancery.pipeline import Pipeline, run

    pipeline = Pipeline(outlet_files=(str(DEMO / "outlets.toml"),))
    return [a for a in run([DEMO / "articles"], pipeline=pipeline, manifest=Manifest.load(DEMO / "manifest.csv"))
            if isinstance(a, Article)]


def test_demo_corpus_happenings_are_recovered_exactly(demo_articles):
    expected = json.loads((DEMO / "expected.json").read_text(encoding="utf-8"))
    key = {a.id: expected[a.url if a.url in expected else a.id]["story"] for a in demo_articles}
    want = {}
    for article_id, story in key.items():
        want.setdefault(story, set()).add(article_id)
    stories = cluster(demo_articles)
    assert partition(stories) == {frozenset(v) for v in want.values()}
    assert len(stories) == 5
    # one by one, in input order, gives the same stories
    clusterer = StoryClusterer()
    for a in demo_articles:
        clusterer.add(a)
    assert partition(clusterer.stories()) == partition(stories)
    kazan = next(s for s in stories if "xi-putin-kazan-eastern-wire" in s.articles)
    assert set(kazan.actors[:2]) == {"CHN", "RUS"} and kazan.start == kazan.end == "2024-10-22"


# -- shared evaluation data ------------------------------------------------------------------------

def shared_score(tmp_path: Path, articles: list[Article], stories: list[Story], gold: Path) -> dict:
    report = {"schema": "chancery.report/1", "articles": [{"id": a.id} for a in articles],
              "stories": [s.to_dict() for s in stories]}
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    out = subprocess.run([sys.executable, str(SCORER), str(path), str(gold), "--json"], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)["stories"]


@pytest.mark.skipif(not (SHARED / "seeds" / "gold.json").exists() or not SCORER.exists(),
                    reason="../shared/seeds (and its scorer) is not present next to this checkout")
def test_seeds_stories_score_one(tmp_path: Path):
    from chancery.manifest import Manifest
    from chancery.pipeline import run

    seeds = SHARED / "seeds"
    articles = [a for a in run([seeds / "articles"], manifest=Manifest.load(seeds / "manifest.json"))
                if isinstance(a, Article)]
    stories = cluster(articles)
    assert shared_score(tmp_path, articles, stories, seeds / "gold.json")["f1"] == 1.0
    one_by_one = StoryClusterer()
    for a in articles:
        one_by_one.add(a)
    assert partition(one_by_one.stories()) == partition(stories)
    beijing = next(s for s in stories if any(a.startswith("003") for a in s.articles))
    assert (beijing.start, beijing.end) == ("2025-09-02", "2025-09-02")


@pytest.mark.skipif(not (SHARED / "peer" / "ecbplus" / "gold.json").exists() or not SCORER.exists(),
                    reason="../shared/peer/ecbplus (and its scorer) is not present next to this checkout")
def test_ecbplus_stories_score_at_least_090(tmp_path: Path):
    from chancery.pipeline import run

    ecb = SHARED / "peer" / "ecbplus"
    start = time.perf_counter()
    articles = [a for a in run([ecb / "articles.jsonl"]) if isinstance(a, Article)]
    stories = cluster(articles)
    score = shared_score(tmp_path, articles, stories, ecb / "gold.json")
    assert len(articles) == 982
    assert score["f1"] >= 0.90, score
    assert time.perf_counter() - start < 300
