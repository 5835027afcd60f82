"""The span, attribution and stance views, checked against the seed's gold.yaml by hand.

The tests pin release v1.0.0, which holds the seed alone. There the seed has 97 spans
(55 entity, 31 attribution, 11 stance), 10 attribution frames (d001-a09 with two content
spans, so 10 sources and 11 contents) and 12 stances.
"""

from __future__ import annotations

import pytest

import hmeimim
from hmeimim.views.stances import mark

V1 = "1.0.0"  # the release whose content the tests spell out


def test_span_view_keeps_all_layers_and_overlaps() -> None:
    view = hmeimim.span_examples(V1)
    assert [view[s].num_rows for s in ("train", "validation", "test")] == [1, 0, 0]
    example = view["train"][0]
    spans = {s["span_id"]: s for s in example["spans"]}
    assert len(spans) == 97
    label = view["train"].features["spans"].feature["label"]
    # Class-id order: a label added later takes the next id.
    assert label.names == [
        "PER", "ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT",
        "CUE", "SOURCE", "CONTENT", "STANCE",
        "DATE", "TIME", "CARDINAL", "QUANTITY", "MONEY", "PERCENT",
    ]  # fmt: skip
    # SOURCE "The Russian Ministry of Foreign Affairs" (0..39) contains the ORG (4..39).
    source, org = spans["d001-s01"], spans["d001-e01"]
    assert (source["start"], source["end"], label.int2str(source["label"])) == (0, 39, "SOURCE")
    assert (org["start"], org["end"], label.int2str(org["label"])) == (4, 39, "ORG")
    assert (source["token_start"], source["token_end"]) == (0, 6)
    assert (org["token_start"], org["token_end"]) == (1, 6)
    assert org["entity_id"] == "russian-mfa"
    # CUE "believe" and STANCE "believe" share 2207..2214 on two layers.
    assert spans["d001-c07"]["start"] == spans["d001-v08"]["start"] == 2207
    assert all(s["aligned"] for s in spans.values())
    only = hmeimim.span_examples(V1, layers=["stance"])["train"][0]["spans"]
    assert len(only) == 11


def test_attribution_view_one_example_per_frame() -> None:
    view = hmeimim.attribution_examples(V1)
    train = view["train"]
    assert train.num_rows == 10
    assert view["validation"].num_rows == 0
    first = train[0]
    assert first["id"] == "d001-a01"
    assert first["cue"] == {"span_id": "d001-c01", "start": 44, "end": 53, "text": "announced"}
    assert first["sources"] == [
        {
            "span_id": "d001-s01",
            "start": 0,
            "end": 39,
            "text": "The Russian Ministry of Foreign Affairs",
        }
    ]
    assert (first["source_kind"], first["source_type"]) == ("explicit", "named_organization")
    ninth = train[8]
    assert [c["text"] for c in ninth["contents"]] == ["the recent Russian maneuvers", "ambiguous"]
    assert ninth["source_type"] == "named_person"
    for example in train:
        for ref in [example["cue"], *example["sources"], *example["contents"]]:
            assert example["text"][ref["start"] : ref["end"]] == ref["text"]


def test_attribution_pairs_positive_only() -> None:
    pairs = hmeimim.attribution_pairs(V1, negatives=0)["train"]
    assert pairs.num_rows == 21  # 10 cue-source + 11 cue-content links
    assert set(pairs["label"]) == {1}
    assert pairs.features["label"].names == ["unlinked", "linked"]


def test_attribution_pairs_with_negatives() -> None:
    pairs = hmeimim.attribution_pairs(V1, negatives=2, seed=7)["train"]
    # 2 negatives per link: every frame has >= 9 other SOURCE and CONTENT candidates.
    assert pairs.num_rows == 21 * 3
    assert pairs["label"].count(0) == 42
    links = {
        (f["id"], role, ref["span_id"])
        for f in hmeimim.attribution_examples(V1)["train"]
        for role in ("sources", "contents")
        for ref in f[role]
    }
    for pair in pairs:
        key = (pair["frame_id"], f"{pair['role']}s", pair["candidate"]["span_id"])
        assert (key in links) == (pair["label"] == 1)
        wanted = "SOURCE" if pair["role"] == "source" else "CONTENT"
        assert pair["candidate"]["span_id"].startswith("d001-s" if wanted == "SOURCE" else "d001-t")
    again = hmeimim.attribution_pairs(V1, negatives=2, seed=7)["train"]
    assert again["id"] == pairs["id"]


def test_negative_option_is_checked() -> None:
    with pytest.raises(hmeimim.HmeimimError) as caught:
        hmeimim.attribution_pairs(negatives=-1)
    assert caught.value.code == "E503"


def test_stance_view_resolves_targets() -> None:
    view = hmeimim.stance_examples(V1)
    train = view["train"]
    assert train.num_rows == 12
    assert train.features["polarity"].names == ["favor", "against", "uncertain"]
    by_id = {row["id"]: row for row in train}
    st01 = by_id["d001-st01"]  # writer against the mention "Polisario"
    assert st01["holder_kind"] == "writer"
    assert st01["holder"] is None
    assert st01["target_text"] == "Polisario"
    assert st01["target_span"]["start"] == 544
    assert st01["target_entity_id"] == "polisario-front"
    assert train.features["polarity"].int2str(st01["polarity"]) == "against"
    assert [e["text"] for e in st01["evidence"]] == ["terrorists"]
    st02 = by_id["d001-st02"]  # entity-id target: name from the registry
    assert st02["target_span"] is None
    assert st02["target_text"] == "Government of Bashar al-Assad"
    st09 = by_id["d001-st09"]  # claim target: the CONTENT span's text
    assert st09["holder"]["text"] == "Western analysts and intelligence services"
    assert st09["target_text"] == "Russia is conducting a large-scale withdrawal from Syria"
    assert train.features["polarity"].int2str(st09["polarity"]) == "favor"


def test_stance_markers() -> None:
    train = hmeimim.stance_examples(V1, markers=True)["train"]
    by_id = {row["id"]: row for row in train}
    st10 = by_id["d001-st10"]
    assert st10["marked_offset"] == 2164  # the paragraph "Western analysts ..."
    assert st10["marked_text"] == (
        "Western analysts and intelligence services believe that "
        "<t>Russia is conducting a large-scale withdrawal from Syria</t>, although "
        "<h>Moscow</h> <e>has yet to confirm</e> this information."
    )
    st05 = by_id["d001-st05"]
    assert (
        "high-ranking Syrian and <t>Algerian</t> officers involved in the <e>repression</e>"
        in (st05["marked_text"])
    )
    assert "marked_text" not in hmeimim.stance_examples(V1)["train"].column_names


def test_markers_nest() -> None:
    text = "Moscow denies it."
    # holder 0..6 inside evidence 0..13 ("Moscow denies"); both open at 0.
    assert mark(text, [(0, 6, "holder"), (0, 13, "evidence")]) == (
        0,
        "<e><h>Moscow</h> denies</e> it.",
    )


def test_relation_views_are_deterministic() -> None:
    assert list(hmeimim.iter_stance_examples(markers=True)) == list(
        hmeimim.iter_stance_examples(markers=True)
    )
    assert list(hmeimim.iter_attribution_pairs(negatives=3)) == list(
        hmeimim.iter_attribution_pairs(negatives=3)
    )
    assert list(hmeimim.iter_span_examples()) == list(hmeimim.iter_span_examples())
