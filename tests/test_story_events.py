"""Story events (chancery.story_events): per-article events of one happening become one record.

Reports are built here as plain dicts, shaped like `build_report`'s entries."""
from __future__ import annotations

import datetime as dt

from chancery.story_events import date_interval, story_events

CHL = {"text": "Chile", "name": "Chile", "country": "CHL", "sector": "GOV"}
ARG = {"text": "Argentina", "name": "Argentina", "country": "ARG", "sector": "GOV"}
PER = {"text": "Peru", "name": "Peru", "country": "PER", "sector": "GOV"}
XI = {"text": "Xi", "name": "Xi Jinping", "country": "CHN", "sector": "GOV"}
WANG = {"text": "Wang", "name": "Wang Yi", "country": "CHN", "sector": "GOV"}
LAVROV = {"text": "Lavrov", "name": "Sergey Lavrov", "country": "RUS", "sector": "GOV"}


def event(id: str, article: str, type: str, source: dict | None, target: dict | None, date: str | None,
          source_of_date: str = "explicit", status: str = "asserted", precision: str = "day",
          text: str = "A sentence.", span: list[int] | None = None) -> dict:
    return {"id": id, "article": article, "story": "s1", "sentence": 0, "text": text, "span": span or [0, len(text)],
            "type": type, "mode": None, "cameo": "040", "quad": "verbal_cooperation", "intensity": 1.0,
            "source": source, "target": target, "date": date, "date_precision": precision if date else None,
            "date_source": source_of_date if date else "none", "location": None, "status": status,
            "confidence": 0.9, "rule": "test", "mentions": 1, "evidence": [], "section": "body"}


def report(events: list[dict], outlets: dict[str, str | None], times: dict[str, list[dict]] | None = None) -> dict:
    articles = [{"id": a, "outlet": o, "published": None, "text": "", "times": (times or {}).get(a, [])}
                for a, o in outlets.items()]
    return {"articles": articles, "events": events,
            "stories": [{"id": "s1", "title": "t", "articles": list(outlets), "start": None, "end": None,
                         "actors": ["CHL", "ARG"]}]}


def test_two_reports_of_one_meeting_become_one_event_with_both_mentions():
    r = report([event("e1", "a", "CONSULT", CHL, ARG, "2025-03-11"),
                event("e2", "b", "CONSULT", ARG, CHL, "2025-03-11")],  # a symmetric type: order does not matter
               {"a": "Andes Post", "b": "Pampa Daily"})
    [merged] = story_events(r)
    assert merged["num_articles"] == 2 and merged["num_outlets"] == 2
    assert merged["events"] == ["e1", "e2"]
    assert [(m["article"], m["outlet"], m["event"]) for m in merged["mentions"]] == [
        ("a", "Andes Post", "e1"), ("b", "Pampa Daily", "e2")]
    assert merged["story"] == "s1" and merged["date"] == "2025-03-11"


def test_outlets_are_counted_once_and_unknown_outlets_each_on_their_own():
    r = report([event(f"e{n}", a, "AGREE", CHL, ARG, "2025-03-11") for n, a in enumerate("abcd")],
               {"a": "Andes Post", "b": "Andes Post", "c": None, "d": None})
    [merged] = story_events(r)
    assert merged["num_articles"] == 4
    assert merged["num_outlets"] == 3  # Andes Post once, and two articles of unknown outlets


def test_different_days_named_in_the_text_stay_two_happenings():
    r = report([event("e1", "a", "CONSULT", CHL, ARG, "2025-03-10"),
                event("e2", "b", "CONSULT", CHL, ARG, "2025-03-11")], {"a": "A", "b": "B"})
    assert sorted(e["date"] for e in story_events(r)) == ["2025-03-10", "2025-03-11"]


def test_a_publication_date_stands_for_the_days_before_it():
    r = report([event("e1", "a", "CONSULT", CHL, ARG, "2025-03-11"),
                event("e2", "b", "CONSULT", CHL, ARG, "2025-03-13", source_of_date="published")],
               {"a": "A", "b": "B"})
    [merged] = story_events(r)
    assert merged["date"] == "2025-03-11" and merged["date_source"] == "explicit"  # the day the text names wins
    assert merged["num_articles"] == 2


def test_a_publication_date_is_the_day_its_article_names_when_it_names_one():
    # article b names Monday 10 March elsewhere: its undated report of talks is about that day,
    # not about the Tuesday meeting of article a
    times = {"b": [{"text": "on Monday", "span": [100, 109], "date": "2025-03-10", "precision": "day",
                    "tense": "past", "source": "relative"}]}
    r = report([event("e1", "a", "CONSULT", CHL, ARG, "2025-03-11"),
                event("e2", "b", "CONSULT", CHL, ARG, "2025-03-13", source_of_date="published", span=[0, 50])],
               {"a": "A", "b": "B"}, times)
    assert len(story_events(r)) == 2


def test_undated_reports_join_a_day_but_not_a_bare_year():
    r = report([event("e1", "a", "PROTEST", CHL, CHL, "1985", precision="year"),
                event("e2", "b", "PROTEST", CHL, CHL, None),
                event("e3", "c", "PROTEST", CHL, CHL, None)], {"a": "A", "b": "B", "c": "C"})
    found = sorted((e["date"] or "", e["num_articles"]) for e in story_events(r))
    assert found == [("", 2), ("1985", 1)]  # "since 1985" is background to the undated reports
    r = report([event("e1", "a", "PROTEST", CHL, CHL, "2025-03-11"),
                event("e2", "b", "PROTEST", CHL, CHL, None)], {"a": "A", "b": "B"})
    [merged] = story_events(r)
    assert merged["date"] == "2025-03-11" and merged["num_articles"] == 2


def test_other_countries_type_or_status_keep_events_apart():
    r = report([event("e1", "a", "CONSULT", CHL, ARG, "2025-03-11"),
                event("e2", "b", "CONSULT", CHL, PER, "2025-03-11"),
                event("e3", "c", "AGREE", CHL, ARG, "2025-03-11"),
                event("e4", "d", "CONSULT", CHL, ARG, "2025-03-11", status="future")],
               {"a": "A", "b": "B", "c": "C", "d": "D"})
    assert len(story_events(r)) == 4


def test_accusations_keep_their_direction():
    r = report([event("e1", "a", "ACCUSE", CHL, ARG, "2025-03-11"),
                event("e2", "b", "ACCUSE", ARG, CHL, "2025-03-11")], {"a": "A", "b": "B"})
    assert len(story_events(r)) == 2


def test_two_office_holders_of_one_country_are_two_people():
    r = report([event("e1", "a", "CONSULT", XI, LAVROV, "2025-03-11"),
                event("e2", "b", "CONSULT", WANG, LAVROV, "2025-03-11"),
                event("e3", "c", "CONSULT", {"name": "China", "country": "CHN"}, LAVROV, "2025-03-11")],
               {"a": "A", "b": "B", "c": "C"})
    found = story_events(r)
    assert len(found) == 2  # Xi's and Wang's meetings; "China" fits the first one it is compared with
    assert sorted(e["num_articles"] for e in found) == [1, 2]


def test_a_report_without_a_target_joins_the_one_with_it():
    r = report([event("e1", "a", "AGREE", CHL, ARG, "2025-03-11"),
                event("e2", "b", "AGREE", CHL, None, "2025-03-11")], {"a": "A", "b": "B"})
    [merged] = story_events(r)
    assert merged["target"]["country"] == "ARG" and merged["num_articles"] == 2


def test_date_intervals():
    day = dt.date(2025, 3, 11).toordinal()
    month = event("e", "a", "AGREE", CHL, ARG, "2025-03", precision="month")
    assert date_interval(month) == (dt.date(2025, 3, 1).toordinal(), dt.date(2025, 3, 31).toordinal())
    assert date_interval(event("e", "a", "AGREE", CHL, ARG, "2025-03-11")) == (day, day)
    lent = event("e", "a", "AGREE", CHL, ARG, "2025-03-11", source_of_date="story")
    assert date_interval(lent) == (day - 7, day + 1)  # the story's date: a week before it up to the day after
    assert date_interval(event("e", "a", "AGREE", CHL, ARG, None)) is None


def test_events_without_a_story_are_left_out():
    r = report([event("e1", "a", "AGREE", CHL, ARG, "2025-03-11")], {"a": "A"})
    r["events"][0]["story"] = None
    assert story_events(r) == []
