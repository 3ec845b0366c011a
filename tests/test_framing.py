"""Framing signals (chancery.framing): voices, evaluative words, hedges, what an article adds."""
from __future__ import annotations

from chancery.compare import compare
from chancery.framing import Phrases, framing, own_voice
from chancery.outlets import Outlet, OutletTable

OUTLETS = OutletTable([Outlet(name="Andes Post", country="CHL", state_owned=False),
                       Outlet(name="Pampa Daily", country="ARG", state_owned=True)])

TEXT_A = ("Chile and Argentina signed a historic water treaty, officials reportedly said. "
          "“It is a remarkable day,” Boric said. According to the Great Hall staff, talks ran late.")
TEXT_B = "Argentina and Chile signed a treaty on the aquifers. Milei called it fair."


def q(article: str, name: str | None, country: str | None, text: str, kind: str = "direct",
      sector: str | None = "GOV", span: list[int] | None = None) -> dict:
    return {"id": f"{article}-{name}", "article": article, "speaker": {"name": name, "country": country, "sector": sector}
            if name else None, "text": text, "kind": kind, "span": span or [0, 0], "cue": "said", "sentence": 0}


def report() -> dict:
    start = TEXT_A.index("It is")
    quotes = [q("a", "Gabriel Boric", "CHL", "It is a remarkable day,", span=[start, start + len("It is a remarkable day,")]),
              q("a", "Javier Milei", "ARG", "the treaty is fair", kind="indirect"),
              q("a", "Dina Boluarte", "PER", "Peru welcomes it", kind="indirect"),
              q("a", "United Nations", None, "a model for the region", kind="indirect", sector="IGO"),
              q("a", None, None, "talks ran late", kind="indirect")]
    facts = [{"id": "a-f0", "article": "a", "what": "count of engineers", "value": 40.0, "unit": "engineers",
              "qualifier": "exact", "period": None, "text": "40 engineers", "span": [0, 0], "sentence": 0,
              "kind": "number", "items": [], "until": None, "rule": "count"}]
    return {"articles": [{"id": "a", "outlet": "Andes Post", "text": TEXT_A, "sentences": [], "times": []},
                         {"id": "b", "outlet": "Pampa Daily", "text": TEXT_B, "sentences": [], "times": []},
                         {"id": "c", "outlet": None, "text": "", "sentences": [], "times": []}],
            "stories": [{"id": "s", "title": "t", "articles": ["a", "b"], "start": None, "end": None,
                         "actors": ["CHL", "ARG"]},
                        {"id": "s2", "title": "u", "articles": ["c"], "start": None, "end": None, "actors": []}],
            "quotes": quotes, "facts": facts, "events": []}


def by_article(entries: list[dict]) -> dict[str, dict]:
    return {e["article"]: e for e in entries}


def test_voices_are_counted_by_country_and_by_side_of_the_outlet():
    a = by_article(framing(report(), outlets=OUTLETS))["a"]
    assert a["outlet_country"] == "CHL" and a["state_owned"] is False
    voices = a["voices"]
    assert voices["quotes"] == 5 and voices["by_kind"] == {"direct": 1, "indirect": 4}
    assert voices["by_country"] == {"CHL": 1, "ARG": 1, "PER": 1, "international": 1, "unknown": 1}
    assert voices["by_side"] == {"own": 1, "counterpart": 1, "third": 1, "international": 1, "unknown": 1}


def test_sides_need_the_outlets_country():
    entries = by_article(framing(report(), outlets=OUTLETS))
    assert entries["c"]["outlet_country"] is None and entries["c"]["voices"]["by_side"] is None


def test_evaluative_words_and_hedges_are_counted_in_the_articles_own_voice():
    a = by_article(framing(report(), outlets=OUTLETS))["a"]
    # "historic" counts, "remarkable" is Boric's (inside his direct quote), "Great" is part of a name
    assert a["evaluative"]["positive"] == 1 and a["evaluative"]["top"] == ["historic"]
    assert a["evaluative"]["share"] == round(1 / a["words"], 4)
    assert a["hedges"]["cues"] == {"reportedly": 1, "according to": 1}
    b = by_article(framing(report(), outlets=OUTLETS))["b"]
    assert b["evaluative"]["top"] == ["fair"] and b["hedges"]["count"] == 0


def test_an_article_adds_what_the_others_of_its_story_omit():
    r = report()
    entries = by_article(framing(r, compare(r), outlets=OUTLETS))
    assert [f["key"] for f in entries["a"]["adds"]["facts"]] == ["count of engineers"]
    assert entries["b"]["adds"]["facts"] == [] and entries["a"]["compared_with"] == 1
    assert entries["c"]["compared_with"] == 0


def test_own_voice_blanks_direct_quotes_only():
    text = "He said “we won” and that they would stay."
    start = text.index("we won")
    quotes = [{"kind": "direct", "span": [start, start + 6]}, {"kind": "indirect", "span": [0, len(text)]}]
    blanked = own_voice(text, quotes)
    assert len(blanked) == len(text) and "we won" not in blanked and "would stay" in blanked


def test_phrases_match_whole_words_phrases_and_prefixes():
    lists = Phrases({"neg": ["hegemon*", "so-called"], "hedge": ["according to", "reportedly"]})
    found, n_words = lists.find("The so-called hegemonic order, according to critics, is reportedly waning; hegemony.")
    assert found == [("neg", "so-called"), ("neg", "hegemonic"), ("hedge", "according to"),
                     ("hedge", "reportedly"), ("neg", "hegemony")]
    assert n_words == 11
    assert lists.find("Accordingly, the Reportedly Group met.")[0] == []  # a part of a word, a name
