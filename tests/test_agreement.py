"""Agreement figures on small hand-computed examples."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ls_support import DOC_ID, as_label_studio_export, constructed_document

from hmeimim.labelstudio.agreement import compute_agreement, krippendorff_alpha_nominal
from hmeimim.labelstudio.tasks import build_tasks


def test_alpha_on_a_hand_computed_example() -> None:
    # Coincidences: o_aa = 2, o_ab = o_ba = 1, o_bb = 2, o_cc = 2; n_a = 3, n_b = 3, n_c = 2,
    # n = 8. alpha = 1 - (n - 1) * 2 / (2 * (3*3 + 3*2 + 3*2)) = 1 - 14 / 42 = 2/3.
    units = [("a", "a"), ("a", "b"), ("b", "b"), ("c", "c")]
    assert krippendorff_alpha_nominal(units) == 0.6667


def test_alpha_with_three_values_in_a_unit() -> None:
    # Unit (a, a, b): each ordered pair weighs 1/2: o_aa = 1, o_ab = o_ba = 1; unit (b, b):
    # o_bb = 2. n_a = 2, n_b = 3, n = 5: alpha = 1 - 4 * 2 / (2 * 2 * 3) = 1/3.
    assert krippendorff_alpha_nominal([("a", "a", "b"), ("b", "b")]) == 0.3333


def test_alpha_with_missing_values() -> None:
    # Three coders; "." is a missing value. u1 = (a, a, .), u2 = (a, b, b), u3 = (b, ., .),
    # u4 = (c, c, a). u3 has one value: not pairable, it adds nothing.
    # u1 (m = 2, weight 1): o_aa += 2. u2 (m = 3, weight 1/2): ordered pairs ab, ab, ba, ba,
    # bb, bb: o_ab += 1, o_ba += 1, o_bb += 1. u4 (m = 3): cc, cc, ca, ca, ac, ac:
    # o_cc += 1, o_ca += 1, o_ac += 1.
    # n_a = 2 + 1 + 1 = 4, n_b = 1 + 1 = 2, n_c = 1 + 1 = 2, n = 8.
    # Observed: o_ab + o_ba + o_ac + o_ca = 4. Expected: 2 * (4*2 + 4*2 + 2*2) = 40.
    # alpha = 1 - (n - 1) * 4 / 40 = 1 - 28 / 40 = 0.3.
    units = [("a", "a"), ("a", "b", "b"), ("b",), ("c", "c", "a")]
    assert krippendorff_alpha_nominal(units) == 0.3
    assert krippendorff_alpha_nominal([u for u in units if len(u) > 1]) == 0.3


def test_alpha_of_krippendorffs_worked_example() -> None:
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four
    # observers, twelve units, missing values; nominal alpha = 0.743 there. By hand:
    # pairable values n = 40 (unit 12 has one value); n_1 = 9, n_2 = 13, n_3 = 10, n_4 = 5,
    # n_5 = 3. Disagreements: unit 2 (2, 2, 3, 2): o_23 = o_32 = 3 * 1/3 = 1; unit 6
    # (1, 2, 3, 4): 12 ordered pairs of different values, each 1/3, sum 4; unit 8
    # (1, 1, 2, 1): o_12 = o_21 = 1. Observed: 2 + 4 + 2 = 8.
    # Expected: n^2 - sum n_c^2 = 1600 - (81 + 169 + 100 + 25 + 9) = 1216.
    # alpha = 1 - 39 * 8 / 1216 = 1 - 312 / 1216 = 0.74342...
    columns = [
        "11.1", "2232", "3333", "3333", "2222", "1234",
        "4444", "1121", "2222", ".555", "..11", ".3..",
    ]  # fmt: skip
    units = [tuple(v for v in column if v != ".") for column in columns]
    assert krippendorff_alpha_nominal(units) == 0.7434


@pytest.mark.parametrize(
    "units",
    [
        [],
        [("a", "a"), ("a", "a")],
        [("a", "a", "a"), ("a", "a"), ("b",)],
        [("a",), ("b",)],
    ],
    ids=["none", "single-category", "single-category-paired", "unpaired"],
)
def test_alpha_is_undefined_without_variation(units: list[tuple[str, ...]]) -> None:
    # With one category among the pairable values, the expected disagreement is 0 and
    # alpha = 1 - D_o / D_e is 0 / 0; with no pairable unit there is nothing to compare.
    assert krippendorff_alpha_nominal(units) is None


def test_alpha_of_systematic_disagreement_is_negative() -> None:
    # o_ab = o_ba = 2, n_a = n_b = 2, n = 4: alpha = 1 - 3 * 4 / (2 * 2 * 2) = -0.5.
    assert krippendorff_alpha_nominal([("a", "b"), ("b", "a")]) == -0.5


def _span(span_id: str, label: str, start: int, end: int) -> dict[str, Any]:
    return {
        "span_id": span_id,
        "layer": "entity",
        "label": label,
        "start": start,
        "end": end,
        "text": "x" * (end - start),
        "entity_id": None,
    }


def test_span_f1_exact_and_greedy_overlap() -> None:
    a = {
        "spans": [_span("a1", "GPE", 0, 5), _span("a2", "GPE", 10, 20), _span("a3", "ORG", 30, 35)]
    }
    # b1 = a1 exactly; b2 and b3 both overlap a2 (by 8 and 3): greedy keeps b2;
    # b4 overlaps a3 but with another label.
    b = {
        "spans": [
            _span("b1", "GPE", 0, 5),
            _span("b2", "GPE", 12, 22),
            _span("b3", "GPE", 17, 25),
            _span("b4", "PER", 30, 35),
        ]
    }
    report = compute_agreement({"doc": {"x": a, "y": b}}).to_dict()
    gpe = report["spans"]["entity"]["labels"]["GPE"]
    assert gpe["exact"] == {"matched": 1, "a": 2, "b": 3, "f1": 0.4}
    assert gpe["overlap"] == {"matched": 2, "a": 2, "b": 3, "f1": 0.8}
    assert report["spans"]["entity"]["exact"] == {"matched": 1, "a": 3, "b": 4, "f1": 0.2857}
    assert report["spans"]["entity"]["overlap"] == {"matched": 2, "a": 3, "b": 4, "f1": 0.5714}
    assert report["pairs"] == 1


def test_frames_relations_and_alpha_of_one_edited_copy() -> None:
    doc = constructed_document()
    edited = {k: [dict(x) for x in doc[k]] for k in ("spans", "attributions", "stances")}
    edited["attributions"][0]["source_type"] = "analysts"  # a different source type
    edited["stances"][0].update(holder_kind="span", holder="k-e3")  # a new holder relation
    report = compute_agreement({DOC_ID: {"a": doc, "b": edited}}).to_dict()
    assert report["frames"] == {"matched": 1, "a": 1, "b": 1, "f1": 1.0}
    # a: source, content, target; b: the same plus holder.
    assert report["relations"]["all"] == {"matched": 3, "a": 3, "b": 4, "f1": 0.8571}
    # One unit (witnesses, analysts): o_wa = o_aw = 1, n_w = n_an = 1, n = 2:
    # alpha = 1 - 1 * 2 / 2 = 0.
    assert report["alpha"]["source_type"] == {"alpha": 0.0, "units": 1, "undefined": None}
    # The stance is (writer, k-e4, against) for a and (k-e3, k-e4, against) for b: the
    # holders differ, so no stance matches and no (holder, target) pair is a polarity unit.
    assert report["stances"] == {"matched": 0, "a": 1, "b": 1, "f1": 0.0}
    assert report["alpha"]["polarity"]["units"] == 0
    assert report["alpha"]["polarity"]["alpha"] is None
    assert report["alpha"]["polarity"]["undefined"].startswith("no unit")


def test_cli_agreement_text_and_json(tmp_path: Path) -> None:
    task = build_tasks([constructed_document()], version="1.0.0", as_="annotations")[0]
    task["data"].update(language="en", provenance="constructed", split="test")
    second = dict(task["annotations"][0], completed_by={"id": 8, "email": "b@example.com"})
    (exported,) = as_label_studio_export([task])
    exported["annotations"].append({**second, "id": 999})
    path = tmp_path / "export.json"
    path.write_text(json.dumps([exported], ensure_ascii=False))
    run = subprocess.run(
        [sys.executable, "-m", "hmeimim", "agreement", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout)
    assert figures["annotators"] == ["ann@example.com", "b@example.com"]
    assert figures["spans"]["entity"]["exact"]["f1"] == 1.0
    text = subprocess.run(
        [sys.executable, "-m", "hmeimim", "agreement", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert text.returncode == 0
    assert "alpha polarity" in text.stdout
    assert "entity/GPE" in text.stdout
