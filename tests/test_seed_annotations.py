"""The gold annotations of the seed report: complete and consistent by the guidelines.

Expected values are written here by hand from the text and schema/GUIDELINES.md.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from typing import Any

import pytest

from conftest import SEED_DOC
from hmeimim.storage.records import read_documents


@pytest.fixture(scope="module")
def seed() -> dict[str, Any]:
    (document,) = [d for d in read_documents("1.0.0") if d["doc_id"] == SEED_DOC]
    return document


def _spans(doc: dict[str, Any], layer: str) -> list[dict[str, Any]]:
    return [s for s in doc["spans"] if s["layer"] == layer]


def _by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["span_id"]: s for s in doc["spans"]}


# Capitalized words that are not (part of) an entity mention, by the guidelines:
# sentence-initial function words, months (dates are not annotated), common nouns.
NOT_ENTITIES = {
    "The",
    "On",
    "According",
    "Meanwhile",
    "Since",
    "September",
    "However",
    "December",
    "Satellite",
    "Recent",
    "He",
}


def test_every_capitalized_name_is_inside_an_entity_mention(seed: dict[str, Any]) -> None:
    covered = set()
    for span in _spans(seed, "entity"):
        covered.update(range(span["start"], span["end"]))
    missed = []
    for match in re.finditer(r"[A-Z][\w-]*", seed["text"]):
        if match.group() in NOT_ENTITIES:
            continue
        if not set(range(match.start(), match.end())) <= covered:
            missed.append((match.start(), match.group()))
    assert missed == []


def test_entity_counts_per_label(seed: dict[str, Any]) -> None:
    counts = Counter(s["label"] for s in _spans(seed, "entity"))
    # Counted by hand, paragraph by paragraph (see GUIDELINES.md, "Worked examples").
    assert counts == {
        "GPE": 22,
        "NORP": 13,
        "FAC": 6,
        "ORG": 6,
        "LOC": 4,
        "PER": 3,
        "PRODUCT": 1,
    }
    assert all(s["entity_id"] for s in _spans(seed, "entity"))


def test_metonymy_links_to_the_state(seed: dict[str, Any]) -> None:
    for span in _spans(seed, "entity"):
        if span["text"] in ("Moscow", "Kremlin"):
            assert (span["label"], span["entity_id"]) == ("GPE", "russia"), span
        if span["text"] == "Tehran":
            assert (span["label"], span["entity_id"]) == ("GPE", "iran"), span


def _frames(doc: dict[str, Any]) -> list[tuple[str, tuple[str, ...], tuple[str, ...], str]]:
    spans = _by_id(doc)
    return [
        (
            spans[f["cue"]]["text"],
            tuple(spans[s]["text"] for s in f["sources"]),
            tuple(" ".join(spans[c]["text"].split()[:4]) for c in f["contents"]),
            f["source_type"],
        )
        for f in doc["attributions"]
    ]


def test_attribution_frames_named_in_the_issue(seed: dict[str, Any]) -> None:
    assert sorted(_frames(seed)) == sorted(
        [
            (
                "announced",
                ("The Russian Ministry of Foreign Affairs",),
                ("the beginning of the",),
                "named_organization",
            ),
            (
                "According to",
                ("military and security sources",),
                ("Moscow is also continuing",),
                "anonymous_sources",
            ),
            ("According to", ("witnesses",), ("this evacuation was carried",), "witnesses"),
            (
                "showed",
                ("Satellite images taken on December 9",),
                ("three ships from Russia’s",),
                "imagery_document",
            ),
            (
                "revealed",
                ("Recent satellite images",),
                ("the presence of two",),
                "imagery_document",
            ),
            (
                "According to",
                ("a Syrian security official",),
                ("the plane was carrying",),
                "anonymous_official",
            ),
            (
                "believe",
                ("Western analysts and intelligence services",),
                ("Russia is conducting a",),
                "analysts",
            ),
            ("confirm", ("Moscow",), ("this information",), "named_organization"),
            (
                "described",
                ("Obeida Arnaout, spokesperson for the Hayat Tahrir al-Sham (HTS) rebel group",),
                ("the recent Russian maneuvers", "ambiguous"),
                "named_person",
            ),
            ("emphasized", ("He",), ("the withdrawal of Russian",), "named_person"),
        ]
    )


def test_content_spans_have_no_final_punctuation_or_complementizer(seed: dict[str, Any]) -> None:
    for span in seed["spans"]:
        if span["label"] == "CONTENT":
            assert not span["text"].endswith((".", ",")), span
            assert not span["text"].startswith("that "), span


def _stances(doc: dict[str, Any]) -> list[tuple[str, str, str, tuple[str, ...]]]:
    spans = _by_id(doc)
    out = []
    for s in doc["stances"]:
        holder = "writer" if s["holder_kind"] == "writer" else spans[s["holder"]]["text"]
        target = spans[s["target"]]["text"][:20] if s["target_kind"] != "entity" else s["target"]
        evidence = tuple(spans[e]["text"] for e in s["evidence"])
        out.append((holder[:20], target, s["polarity"], evidence))
    return out


def test_stances_including_the_writers_loaded_wording(seed: dict[str, Any]) -> None:
    assert sorted(_stances(seed)) == sorted(
        [
            ("writer", "Polisario", "against", ("terrorists",)),
            ("writer", "Polisario", "against", ("mercenaries",)),
            ("writer", "assad-regime", "against", ("regime",)),
            ("writer", "assad-regime", "against", ("regime",)),
            ("writer", "assad-regime", "against", ("repression",)),
            ("writer", "Algerian", "against", ("repression",)),
            ("Russia", "assad-regime", "favor", ("support",)),
            ("Polisario", "assad-regime", "favor", ("supporting",)),
            ("Western analysts and", "Russia is conducting", "favor", ("believe",)),
            ("Moscow", "Russia is conducting", "uncertain", ("has yet to confirm",)),
            ("Obeida Arnaout, spok", "Russia is conducting", "uncertain", ("ambiguous",)),
            ("He", "Russia is conducting", "uncertain", ("do not definitively indicate",)),
        ]
    )


def test_spans_of_one_label_never_overlap(seed: dict[str, Any]) -> None:
    by_label: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for span in seed["spans"]:
        by_label.setdefault((span["layer"], span["label"]), []).append((span["start"], span["end"]))
    for key, ranges in by_label.items():
        ranges.sort()
        for (_, end), (start, _) in itertools.pairwise(ranges):
            assert end <= start, key
