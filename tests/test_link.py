"""The link stage end to end (chancery.link): dates lent by stories, and the report's link fields,
on articles written here, then on the seeds when ../shared is present."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import chancery.link as link_module
from chancery.link import link, propagate_dates, story_anchor
from chancery.pipeline import Pipeline
from chancery.records import Article, Dateline
from chancery.report import build_report
from chancery.stories import Story

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = SHARED / "seeds"
SCORER = SHARED / "eval" / "score.py"

DATED = ("Chilean President Gabriel Boric held talks with Argentine President Javier Milei in Santiago on "
         "Tuesday. The two leaders signed an agreement on sharing the aquifers of the Andes.")
UNDATED = ("Gabriel Boric and Javier Milei met in Santiago on Tuesday, and the two presidents signed an aquifer "
           "agreement on Sept. 2. In 1978, Argentina attacked Chile over the Beagle Channel islands.")


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline()


def story(*ids: str) -> Story:
    return Story(id="s-test", title="t", articles=list(ids), start=None, end=None, actors=["CHL", "ARG"])


def test_the_story_date_is_the_publication_day_most_articles_share():
    assert story_anchor(["2025-09-03", "2025-09-04", "2025-09-04", None]) == "2025-09-04"
    assert story_anchor(["2025-09-03", "2025-09-04"]) == "2025-09-04"  # a tie: the later day
    assert story_anchor([None, None]) is None
    assert story_anchor(["2025-09-04", "2025-10-20"]) is None  # six weeks apart: too vague to lend


def test_an_undated_article_resolves_its_times_against_its_story(pipeline):
    dated = pipeline.process(Article(id="a", source="t", raw=DATED, published="2025-09-04"))
    undated = pipeline.process(Article(id="b", source="t", raw=UNDATED))
    assert all(e.date is None or e.date == "1978" for e in undated.events)
    out = propagate_dates([dated, undated], [story("a", "b")], pipeline.analyse)
    assert out[0] is dated  # an article with its own date is left alone
    lent = out[1]
    assert lent.published is None and lent.anchor == "2025-09-04" and lent.provenance["anchor"] == "story"
    talks = [e for e in lent.events if e.type == "CONSULT"]
    assert talks and all(e.date == "2025-09-02" and e.date_source == "story" for e in talks)  # "on Tuesday"
    signed = [e for e in lent.events if e.type == "AGREE"]
    assert signed and all(e.date == "2025-09-02" and e.date_source == "story" for e in signed)  # "Sept. 2", no year
    war = [e for e in lent.events if e.date == "1978"]
    assert war and all(e.date_source == "explicit" and e.status == "historical" for e in war)


def test_articles_with_a_dateline_date_or_an_undated_story_are_not_redone(pipeline):
    own = pipeline.process(Article(id="c", source="t", raw=UNDATED, dateline=Dateline(place="Santiago", date="2025-09-03")))
    alone = pipeline.process(Article(id="d", source="t", raw=UNDATED))
    calls = []

    def analyse(article: Article) -> Article:
        calls.append(article.id)
        return pipeline.analyse(article)

    out = propagate_dates([own, alone], [story("c"), story("d")], analyse)
    assert calls == [] and out[0] is own and out[1] is alone


def test_many_articles_are_redone_in_worker_processes(pipeline, monkeypatch):
    monkeypatch.setattr(link_module, "MIN_PARALLEL", 2)
    dated = pipeline.process(Article(id="a", source="t", raw=DATED, published="2025-09-04"))
    undated = [pipeline.process(Article(id=f"u{n}", source="t", raw=UNDATED)) for n in range(3)]
    out = propagate_dates([dated, *undated], [story("a", "u0", "u1", "u2")], pipeline.analyse, workers=2)
    assert [a.id for a in out] == ["a", "u0", "u1", "u2"]
    assert all(a.anchor == "2025-09-04" for a in out[1:])
    assert all(e.date_source == "story" for a in out[1:] for e in a.events if e.type == "CONSULT")


def test_the_report_carries_the_link_fields(pipeline):
    articles = [pipeline.process(Article(id="a", source="t", raw=DATED, published="2025-09-04", outlet="Andes Post")),
                pipeline.process(Article(id="b", source="t", raw=UNDATED, outlet="Pampa Daily"))]
    stories = [story("a", "b")]
    articles = propagate_dates(articles, stories, pipeline.analyse)
    report = build_report(articles, [], stories)
    assert report["articles"][1]["anchor"] == "2025-09-04" and "anchor" not in report["articles"][0]
    talks = [e for e in report["story_events"] if e["type"] == "CONSULT"]
    assert len(talks) == 1 and talks[0]["num_articles"] == 2 and talks[0]["num_outlets"] == 2
    assert [c["story"] for c in report["comparisons"]] == ["s-test"]
    assert [f["article"] for f in report["framing"]] == ["a", "b"]
    again = link(json.loads(json.dumps(report)))  # the same from the report alone, as read back from storage
    assert again["story_events"] == report["story_events"] and again["comparisons"] == report["comparisons"]


def test_two_reports_with_different_numbers_are_a_contradiction(pipeline):
    texts = {"x1": "Peruvian police detained 120 protesters in Lima on Monday after clashes near Congress. "
                   "Trade between Peru and Chile reached $8.2 billion in 2024.",
             "x2": "Police in Lima detained 150 protesters on Monday as clashes broke out near the Congress "
                   "building. Peru-Chile trade was about $8 billion in 2024."}
    articles = [pipeline.process(Article(id=k, source="t", raw=v, published="2025-03-11")) for k, v in texts.items()]
    report = build_report(articles, [], [story("x1", "x2")])
    verdicts = {it["key"].split(",")[0]: (it["verdict"], sorted(it["reported_by"]))
                for c in report["comparisons"] for it in c["items"] if it["kind"] == "fact"}
    assert verdicts["count of protesters detained"] == ("differ", ["x1", "x2"])
    assert verdicts["trade"] == ("agree", ["x1", "x2"])  # $8.2 billion is "about $8 billion"


# -- the seeds ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory) -> dict:
    if not (SEEDS / "articles").is_dir():
        pytest.skip(f"the shared seeds are not at {SEEDS}")
    out = tmp_path_factory.mktemp("seeds") / "report.json"
    subprocess.run([sys.executable, "-m", "chancery", "analyze", str(SEEDS / "articles"), "--manifest",
                    str(SEEDS / "manifest.json"), "-o", str(out)], check=True, capture_output=True)
    return json.loads(out.read_text(encoding="utf-8"))


def _stem(article_id: str) -> str:
    return article_id[:3]


def test_seeds_sector_lists_differ_as_the_answer_key_says(seeds_report):
    gold = json.loads((SEEDS / "gold.json").read_text(encoding="utf-8"))
    expected = [c for c in gold.get("comparisons", []) if c.get("story") and c.get("only_in")]
    assert expected, "the answer key names no list differences"
    lists = [it for c in seeds_report["comparisons"] if c["story"] for it in c["items"]
             if it["kind"] == "list" and len(it["reported_by"]) > 1]
    for want in expected:
        members = {_stem(a) for a in gold["stories"][want["story"]]["articles"]}
        [found] = [it for it in lists if it["key"] == want["what"] and {_stem(a) for a in it["reported_by"]} == members]
        assert found["verdict"] == "differ"
        assert ({_stem(a): items for a, items in found["only_in"].items()}
                == {_stem(a): items for a, items in want["only_in"].items()})


def test_seeds_yearly_trade_figures_agree_across_stories(seeds_report):
    [across] = [c for c in seeds_report["comparisons"] if c["story"] is None]
    [trade] = [it for it in across["items"] if it["key"].startswith("trade, USD, 2024")]
    assert trade["verdict"] == "agree" and {_stem(a) for a in trade["reported_by"]} == {"003", "004"}
    differ = [it for c in seeds_report["comparisons"] for it in c["items"] if it["verdict"] == "differ"]
    assert not any({"003", "004"} <= {_stem(a) for a in it["reported_by"]} for it in differ)


def test_seeds_scores_show_no_false_contradiction(seeds_report, tmp_path):
    if not SCORER.exists():
        pytest.skip(f"the shared scorer is not at {SCORER}")
    path = tmp_path / "report.json"
    path.write_text(json.dumps(seeds_report), encoding="utf-8")
    result = subprocess.run([sys.executable, str(SCORER), str(path), str(SEEDS / "gold.json"), "--json"],
                            check=True, capture_output=True, text=True)
    metrics = json.loads(result.stdout)
    assert metrics["contradictions"]["false_alarms"] == 0
    assert metrics["stories"]["f1"] == 1.0
