"""Comparisons (chancery.compare): where the articles of a story agree, differ or stay silent.

Reports are plain dicts shaped like `build_report`'s entries, written here."""
from __future__ import annotations

import math

import pytest

from chancery.compare import compare, fact_interval, figures_agree, item_words, measure, same_item
from chancery.story_events import story_events


def fact(article: str, what: str, value: float, unit: str, qualifier: str = "exact", period: str | None = None,
         rule: str = "count", text: str = "", n: int = 0, span: list[int] | None = None, sentence: int = 0,
         until: float | None = None) -> dict:
    return {"id": f"{article}-f{n}", "article": article, "what": what, "value": value, "unit": unit,
            "qualifier": qualifier, "period": period, "text": text or f"{qualifier} {value} {unit}",
            "span": span or [0, 0], "sentence": sentence, "kind": "number", "items": [], "until": until,
            "rule": rule}


def listing(article: str, what: str, items: list[str], n: int = 9) -> dict:
    return {"id": f"{article}-f{n}", "article": article, "what": what, "value": None, "unit": "",
            "qualifier": "exact", "period": None, "text": ", ".join(items), "span": [0, 0], "sentence": 0,
            "kind": "list", "items": items, "until": None, "rule": "list"}


def quote(article: str, speaker: str | None, text: str, kind: str = "direct", n: int = 0) -> dict:
    who = {"name": speaker, "text": speaker, "country": "CHL"} if speaker else None
    return {"id": f"{article}-q{n}", "article": article, "speaker": who, "text": text, "kind": kind,
            "span": [0, len(text)], "cue": "said", "sentence": 0}


def report(stories: dict[str, list[str]], facts=(), quotes=(), events=(), texts: dict[str, str] | None = None,
           actors=("CHL", "ARG")) -> dict:
    texts = texts or {}
    articles = [{"id": a, "outlet": f"Outlet {a}", "text": texts.get(a, ""), "sentences": [[0, len(texts.get(a, ""))]],
                 "times": []} for members in stories.values() for a in members]
    return {"articles": articles, "facts": list(facts), "quotes": list(quotes), "events": list(events),
            "stories": [{"id": s, "title": s, "articles": members, "start": None, "end": None, "actors": list(actors)}
                        for s, members in stories.items()]}


def items(comparisons: list[dict], story: str | None, kind: str) -> list[dict]:
    return [it for c in comparisons if c["story"] == story for it in c["items"] if it["kind"] == kind]


# -- figures ----------------------------------------------------------------------------------------

def test_intervals_follow_the_qualifier():
    assert fact_interval(fact("a", "x", 250e9, "USD", "nearly")) == pytest.approx((225e9, 250e9))
    assert fact_interval(fact("a", "x", 100.0, "people", "about")) == pytest.approx((95.0, 105.0))
    assert fact_interval(fact("a", "x", 30.0, "countries", "more than")) == (30.0, math.inf)
    assert fact_interval(fact("a", "x", 40.0, "people", "less than")) == (0.0, 40.0)
    # an exact figure stands for what rounds to it: 244.8 billion is 244.75 to 244.85 billion
    assert fact_interval(fact("a", "x", 244.8e9, "USD")) == pytest.approx((244.75e9, 244.85e9))
    # ... and a round one at most 2 % either way ("120" may be rounded to tens: 117.6 to 122.4)
    assert fact_interval(fact("a", "x", 120.0, "people", until=150.0)) == pytest.approx((117.6, 153.0))
    assert fact_interval(fact("a", "x", 36.0, "countries")) == pytest.approx((35.5, 36.5))
    assert fact_interval(fact("a", "x", 8199999999.999999, "USD")) == pytest.approx((8.15e9, 8.25e9))


@pytest.mark.parametrize(("one", "other", "agree"), [
    (("nearly", 250e9), ("exact", 244.8e9), True),     # "nearly $250 billion" and "244.8 billion dollars"
    (("exact", 120.0), ("exact", 150.0), False),      # 120 detainees against 150
    (("exact", 100.0), ("exact", 120.0), False),      # a round number is not a range of twenty
    (("about", 8.8e6), ("nearly", 9e6), True),
    (("about", 240e9), ("exact", 227.8e9), False),     # 5.1 % below "about": too far
    (("more than", 30.0), ("exact", 36.0), True),
    (("more than", 240e9), ("exact", 227.8e9), False),
    (("less than", 50.0), ("exact", 60.0), False),
    (("exact", 26.3), ("exact", 26.28), True),        # the same figure, rounded
])
def test_figures_agree_when_their_intervals_overlap(one, other, agree):
    a, b = fact("a", "x", one[1], "u", one[0]), fact("b", "x", other[1], "u", other[0])
    assert figures_agree(a, b) is agree and figures_agree(b, a) is agree


def test_what_is_measured_comes_from_the_what_or_the_sentence():
    assert measure(fact("a", "two-way trade", 1e9, "USD", rule="money")) == "trade"
    assert measure(fact("a", "trade turnover", 1e9, "USD", rule="money")) == "trade"
    assert measure(fact("a", "count of nations", 5, "nations")) == "count of country"
    text = "Exports to Peru grew, but the deficit with Chile was $3 billion."
    article = {"text": text, "sentences": [[0, len(text)]]}
    start = text.index("$3")
    found = fact("a", "Chile", 3e9, "USD", rule="money", span=[start, start + 10])
    assert measure(found, article) == "trade deficit"  # the nearest measure before the number
    assert measure(fact("a", "amount", 3e9, "USD", rule="money")) == "amount"  # nothing to go by


# -- numbers in a story -----------------------------------------------------------------------------

def test_compatible_figures_agree_and_a_silent_article_is_missing():
    r = report({"s": ["a", "b", "c"]}, facts=[
        fact("a", "bilateral trade", 250e9, "USD", "nearly", "2024", "money", "nearly $250 billion"),
        fact("b", "two-way trade", 244.8e9, "USD", "exact", "2024", "money", "244.8 billion U.S. dollars")])
    [item] = items(compare(r), "s", "fact")
    assert item["verdict"] == "agree" and item["key"] == "trade, USD, 2024"
    assert item["reported_by"] == {"a": "nearly $250 billion (2024)", "b": "244.8 billion U.S. dollars (2024)"}
    assert item["missing_from"] == ["c"]


def test_incompatible_figures_differ_and_name_both_articles():
    r = report({"s": ["a", "b"]}, facts=[fact("a", "count of detainees", 120, "detainees", text="120 detainees"),
                                          fact("b", "count of detainees", 150, "detainees", text="150 detainees")])
    [item] = items(compare(r), "s", "fact")
    assert item["verdict"] == "differ" and set(item["reported_by"]) == {"a", "b"}
    assert item["conflicts"] == [["a", "b"]]


def test_a_figure_only_one_article_gives_is_unique():
    r = report({"s": ["a", "b"]}, facts=[fact("a", "count of ships", 4, "ships")])
    [item] = items(compare(r), "s", "fact")
    assert item["verdict"] == "unique" and item["missing_from"] == ["b"]


def test_other_periods_or_currencies_are_other_figures():
    r = report({"s": ["a", "b", "c"]}, facts=[fact("a", "trade", 10e9, "USD", period="2023", rule="money"),
                                               fact("b", "trade", 12e9, "USD", period="2024", rule="money"),
                                               fact("c", "trade", 12e9, "EUR", period="2024", rule="money")])
    assert [it["verdict"] for it in items(compare(r), "s", "fact")] == ["unique"] * 3


def test_a_figure_without_period_is_the_figure_of_the_one_period_given():
    r = report({"s": ["a", "b"]}, facts=[fact("a", "trade", 10e9, "USD", period="2023", rule="money"),
                                          fact("b", "trade", 14e9, "USD", rule="money")])
    [item] = items(compare(r), "s", "fact")
    assert item["verdict"] == "differ"


def test_an_article_giving_two_figures_under_one_name_makes_the_name_ambiguous():
    r = report({"s": ["a", "b"]}, facts=[fact("a", "count of boats", 5, "boats", text="five boats"),
                                          fact("a", "count of boats", 2, "boats", n=1, text="two speed boats"),
                                          fact("b", "count of boats", 3, "boats", text="three boats")])
    found = items(compare(r), "s", "fact")
    assert sorted(it["key"] for it in found) == ["count of boats: five boats", "count of boats: three boats",
                                                 "count of boats: two speed boats"]
    assert {it["verdict"] for it in found} == {"unique"}


def test_vague_counts_and_unknown_measures_never_differ():
    r = report({"s": ["a", "b"]}, facts=[fact("a", "count of people", 70, "people", "more than"),
                                          fact("b", "count of people", 12, "people"),
                                          fact("a", "amount", 5e6, "USD", rule="money", n=1),
                                          fact("b", "amount", 5e6, "USD", rule="money", n=1)])
    found = {it["key"]: it["verdict"] for it in items(compare(r), "s", "fact")}
    assert "differ" not in found.values()
    assert found["amount, USD: exact 5000000.0 USD"] == "agree"  # the same figure, whatever it measures


def test_spans_of_years_are_not_compared():
    r = report({"s": ["a", "b"]}, facts=[fact("a", "count of years", 15, "years"),
                                          fact("b", "count of years", 10, "years")])
    assert items(compare(r), "s", "fact") == []


def test_a_story_of_one_article_has_nothing_to_compare():
    r = report({"s": ["a"]}, facts=[fact("a", "count of ships", 4, "ships")])
    assert compare(r) == []


# -- lists ----------------------------------------------------------------------------------------

def test_items_match_through_synonyms_and_generic_words():
    assert same_item(item_words("aerospace"), item_words("space"))
    assert same_item(item_words("AI"), item_words("artificial intelligence"))
    assert same_item(item_words("cultural cooperation"), item_words("culture"))
    assert same_item(item_words("the energy sector"), item_words("energy"))
    assert not same_item(item_words("cultural cooperation"), item_words("film cooperation"))
    assert not same_item(item_words("investment"), item_words("education"))


def test_lists_differ_by_the_items_only_one_article_names():
    r = report({"s": ["a", "b", "c"]}, facts=[
        listing("a", "sectors of the agreements", ["energy", "aerospace", "ai", "tourism"]),
        listing("b", "sectors of the agreements", ["energy", "space", "artificial intelligence", "customs", "media"])])
    [item] = items(compare(r), "s", "list")
    assert item["verdict"] == "differ"
    assert item["only_in"] == {"a": ["tourism"], "b": ["customs", "media"]}
    assert item["common"] == ["energy", "aerospace", "ai"]
    assert item["reported_by"]["a"] == "energy, aerospace, ai, tourism"
    assert item["missing_from"] == ["c"]


def test_one_word_synonyms_count_inside_longer_items():
    assert same_item(item_words("healthcare"), item_words("manufacturing and healthcare"))
    assert same_item(item_words("a rocket-propelled grenade launcher"), item_words("rocket propelled grenade launcher"))


def test_lists_under_one_name_with_nothing_in_common_are_not_compared():
    r = report({"s": ["a", "b"]}, facts=[listing("a", "items", ["ladders", "ropes", "gloves"]),
                                          listing("b", "items", ["rifles", "grenades", "magazines"])])
    found = items(compare(r), "s", "list")
    assert [(it["verdict"], list(it["reported_by"])) for it in found] == [("unique", ["a"]), ("unique", ["b"])]


def test_lists_that_name_the_same_things_agree():
    r = report({"s": ["a", "b"]}, facts=[listing("a", "areas", ["scientific research", "health", "AI"]),
                                          listing("b", "areas", ["science", "public health", "artificial intelligence"])])
    [item] = items(compare(r), "s", "list")
    assert item["verdict"] == "agree" and item["only_in"] == {}


# -- events and quotes ------------------------------------------------------------------------------

def test_event_items_say_who_reports_a_happening_and_who_omits_it():
    def ev(id, article, target):
        return {"id": id, "article": article, "story": "s", "text": f"Sentence of {article}.", "span": [0, 10],
                "type": "CONSULT", "mode": "meet", "cameo": "040", "quad": "verbal_cooperation",
                "source": {"name": "Chile", "country": "CHL"}, "target": target, "date": "2025-03-11",
                "date_precision": "day", "date_source": "explicit", "status": "asserted", "confidence": 0.9,
                "location": None, "section": "body"}
    r = report({"s": ["a", "b", "c"]}, events=[ev("e1", "a", {"name": "Argentina", "country": "ARG"}),
                                                ev("e2", "b", {"name": "Argentina", "country": "ARG"}),
                                                ev("e3", "c", {"name": "Peru", "country": "PER"})])
    found = items(compare(r, story_events(r)), "s", "event")
    verdicts = {it["key"]: (it["verdict"], sorted(it["reported_by"]), it["missing_from"]) for it in found}
    assert verdicts == {
        "CONSULT/meet: Chile (CHL) – Argentina (ARG), 2025-03-11": ("agree", ["a", "b"], ["c"]),
        "CONSULT/meet: Chile (CHL) – Peru (PER), 2025-03-11": ("unique", ["c"], ["a", "b"]),
    }


def test_quotes_of_one_speaker_with_shared_words_are_one_remark():
    r = report({"s": ["a", "b", "c"]}, quotes=[
        quote("a", "Gabriel Boric", "The aquifer treaty ends a decade of quarrels over glacier water"),
        quote("b", "Gabriel Boric", "the treaty on the aquifers ended ten years of quarrels about water from the glaciers",
              kind="indirect"),
        quote("c", "Javier Milei", "The aquifer treaty ends a decade of quarrels over glacier water")])
    found = items(compare(r), "s", "quote")
    boric = [it for it in found if it["key"].startswith("Gabriel Boric")]
    assert len(boric) == 1 and boric[0]["verdict"] == "agree"
    assert sorted(boric[0]["reported_by"]) == ["a", "b"] and boric[0]["missing_from"] == ["c"]
    assert boric[0]["quote_kinds"] == {"a": ["direct"], "b": ["indirect"]}
    milei = [it for it in found if it["key"].startswith("Javier Milei")]
    assert [it["verdict"] for it in milei] == ["unique"]  # the same words from another speaker


def test_quotes_on_other_subjects_stay_apart():
    r = report({"s": ["a", "b"]}, quotes=[quote("a", "Gabriel Boric", "The aquifer treaty ends a decade of quarrels"),
                                           quote("b", "Gabriel Boric", "Tariffs on copper will rise in the spring")])
    assert [it["verdict"] for it in items(compare(r), "s", "quote")] == ["unique", "unique"]


# -- across stories -------------------------------------------------------------------------------

def test_yearly_figures_are_compared_across_stories_of_the_same_countries():
    r = report({"s1": ["a"], "s2": ["b"], "s3": ["c"]}, facts=[
        fact("a", "bilateral trade", 250e9, "USD", "nearly", "2024", "money", "nearly $250 billion"),
        fact("b", "trade volume", 244.8e9, "USD", "exact", "2024", "money", "244.8 billion dollars"),
        fact("c", "bilateral trade", 200e9, "USD", "exact", "2023", "money")])
    [item] = items(compare(r), None, "fact")
    assert item["verdict"] == "agree" and sorted(item["reported_by"]) == ["a", "b"]
    assert item["stories"] == {"a": "s1", "b": "s2"} and item["missing_from"] == []


def test_different_yearly_figures_across_stories_differ():
    r = report({"s1": ["a"], "s2": ["b"]}, facts=[fact("a", "trade", 180e9, "USD", period="2024", rule="money"),
                                                   fact("b", "trade", 240e9, "USD", period="2024", rule="money")])
    [item] = items(compare(r), None, "fact")
    assert item["verdict"] == "differ"


def test_counts_are_not_compared_across_stories():
    r = report({"s1": ["a"], "s2": ["b"]}, facts=[fact("a", "count of ships", 4, "ships", period="2024"),
                                                   fact("b", "count of ships", 9, "ships", period="2024")])
    assert compare(r) == []
