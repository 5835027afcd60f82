"""Agreement over records (raw annotator layers): every figure computed by hand here.

Each metric has a fixture-free unit test on small constructed layers; then the inputs
(records, a release written in a throwaway copy, an authoring folder) and the CLI with
its coded errors.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
import pytest
import yaml
from release_support import SEED, copy_repo, hmeimim, rehash

from conftest import ROOT
from hmeimim.agreement.inputs import agreement_from_records, schema_labels
from hmeimim.agreement.metrics import (
    Counts,
    compute_agreement,
    exact_matching,
    krippendorff_alpha_nominal,
    overlap_matching,
    render_agreement,
)
from hmeimim.errors import HmeimimError
from hmeimim.storage.parquet import table_from_records, write_parquet
from hmeimim.storage.releases import release_schema

# -- builders -------------------------------------------------------------------------------


def _span(span_id: str, layer: str, label: str, start: int, end: int) -> dict[str, Any]:
    return {
        "span_id": span_id,
        "layer": layer,
        "label": label,
        "start": start,
        "end": end,
        "text": "x" * (end - start),
        "entity_id": None,
    }


def ent(span_id: str, label: str, start: int, end: int) -> dict[str, Any]:
    return _span(span_id, "entity", label, start, end)


def att(span_id: str, label: str, start: int, end: int) -> dict[str, Any]:
    return _span(span_id, "attribution", label, start, end)


def frame(
    frame_id: str, cue: str, sources: list[str], contents: list[str], source_type: str | None
) -> dict[str, Any]:
    return {
        "frame_id": frame_id,
        "cue": cue,
        "sources": sources,
        "contents": contents,
        "source_kind": "explicit" if sources else "writer",
        "source_type": source_type,
        "parent": None,
    }


def stance(
    stance_id: str, holder: str | None, kind: str, target: str, polarity: str, evidence: str
) -> dict[str, Any]:
    return {
        "stance_id": stance_id,
        "holder_kind": "writer" if holder is None else "span",
        "holder": holder,
        "target_kind": kind,
        "target": target,
        "polarity": polarity,
        "evidence": [evidence],
    }


def layer(spans: list[dict[str, Any]], frames: Any = (), stances: Any = ()) -> dict[str, Any]:
    return {"spans": spans, "attributions": list(frames), "stances": list(stances)}


def _figures(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    return compute_agreement({"doc": {"a": a, "b": b}}).to_dict()


# -- spans ----------------------------------------------------------------------------------


def test_span_f1_exact_versus_overlap() -> None:
    a = layer([ent("a1", "GPE", 0, 5), ent("a2", "GPE", 10, 20), ent("a3", "ORG", 30, 40)])
    # b1 = a1; b2 shares 8 code points with a2 but starts later; b3 has a3's offsets but
    # another label, so it matches nothing.
    b = layer([ent("b1", "GPE", 0, 5), ent("b2", "GPE", 12, 20), ent("b3", "PER", 30, 40)])
    figures = _figures(a, b)["spans"]["entity"]
    assert figures["labels"]["GPE"]["exact"] == {"matched": 1, "a": 2, "b": 2, "f1": 0.5}
    assert figures["labels"]["GPE"]["overlap"] == {"matched": 2, "a": 2, "b": 2, "f1": 1.0}
    assert figures["labels"]["ORG"]["overlap"] == {"matched": 0, "a": 1, "b": 0, "f1": 0.0}
    assert figures["labels"]["PER"]["overlap"] == {"matched": 0, "a": 0, "b": 1, "f1": 0.0}
    # Layer, exact: TP 1 of 3 and 3: F1 = 2 * 1 / 6; overlap: 2 * 2 / 6.
    assert figures["exact"] == {"matched": 1, "a": 3, "b": 3, "f1": 0.3333}
    assert figures["overlap"] == {"matched": 2, "a": 3, "b": 3, "f1": 0.6667}
    # A label given (as from the schema) that no one used is reported with zeros, no F1;
    # the labels seen follow the given ones.
    report = compute_agreement({"doc": {"a": a, "b": b}}, [("entity", "LOC")])
    assert report.labels[0] == ("entity", "LOC")
    loc = report.to_dict()["spans"]["entity"]["labels"]["LOC"]["exact"]
    assert loc == {"matched": 0, "a": 0, "b": 0, "f1": None}


def test_counts_tp_fp_fn_precision_recall() -> None:
    # A (reference) has 4 units, B 5, 3 matched: FN = 1, FP = 2, P = 3/5, R = 3/4,
    # F1 = 2 * 3 / 9.
    counts = Counts(matched=3, a=4, b=5)
    assert (counts.tp, counts.fp, counts.fn) == (3, 2, 1)
    assert (counts.precision, counts.recall, counts.f1) == (0.6, 0.75, 0.6667)
    assert (Counts().precision, Counts().recall, Counts().f1) == (None, None, None)


def test_overlap_matching_is_one_to_one_and_greedy_by_largest_overlap() -> None:
    # a1 overlaps b1 by 4 and b2 by 7: it takes b2, and b1 stays unmatched.
    a, b = [ent("a1", "GPE", 0, 10)], [ent("b1", "GPE", 0, 4), ent("b2", "GPE", 3, 10)]
    assert overlap_matching(a, b) == {"a1": "b2"}
    assert _figures(layer(a), layer(b))["spans"]["entity"]["overlap"] == {
        "matched": 1, "a": 1, "b": 2, "f1": 0.6667
    }  # fmt: skip
    # Two spans of A inside one of B: only the larger overlap (10 against 4) is a match.
    a = [ent("a1", "GPE", 0, 10), ent("a2", "GPE", 8, 12)]
    assert overlap_matching(a, [ent("b1", "GPE", 0, 12)]) == {"a1": "b1"}
    # Equal overlaps: the smaller union wins, so the exact partner is taken.
    b = [ent("b1", "GPE", 0, 12), ent("b2", "GPE", 0, 10)]
    assert overlap_matching([ent("a1", "GPE", 0, 10)], b) == {"a1": "b2"}
    # Touching half-open spans share no code point.
    assert overlap_matching([ent("a1", "GPE", 0, 5)], [ent("b1", "GPE", 5, 9)]) == {}


def test_exact_matching_pairs_equal_spans_off_one_to_one() -> None:
    a = [ent("a1", "GPE", 0, 5), ent("a2", "GPE", 0, 5)]
    assert exact_matching(a, [ent("b1", "GPE", 0, 5)]) == {"a1": "b1"}


# -- frames ---------------------------------------------------------------------------------


def _frame_layers() -> tuple[dict[str, Any], dict[str, Any]]:
    a = layer(
        [
            att("s1", "SOURCE", 0, 9),
            att("c1", "CUE", 10, 14),
            att("t1", "CONTENT", 20, 40),
            att("s2", "SOURCE", 45, 49),
            att("c2", "CUE", 50, 54),
            att("t2", "CONTENT", 60, 70),
            att("c3", "CUE", 80, 84),
            att("t3", "CONTENT", 90, 99),
        ],
        [
            frame("f1", "c1", ["s1"], ["t1"], "named_person"),
            frame("f2", "c2", ["s2"], ["t2"], "named_organization"),
            frame("f3", "c3", [], ["t3"], None),
        ],
    )
    b = layer(
        [
            att("S1", "SOURCE", 0, 7),
            att("C1", "CUE", 10, 14),
            att("T1", "CONTENT", 22, 40),
            att("S2", "SOURCE", 45, 49),
            att("C2", "CUE", 50, 54),
            att("T2", "CONTENT", 60, 70),
            att("X2", "CONTENT", 72, 78),
            att("S3", "SOURCE", 75, 79),
            att("C3", "CUE", 80, 84),
            att("T3", "CONTENT", 90, 99),
            att("C4", "CUE", 100, 104),
            att("T4", "CONTENT", 105, 110),
        ],
        [
            # Same frame, source and content boundaries moved: matched by overlap.
            frame("F1", "C1", ["S1"], ["T1"], "named_person"),
            # A second content span A lacks: cue and source match, contents do not.
            frame("F2", "C2", ["S2"], ["T2", "X2"], "media"),
            # A source A did not see: only the cue matches.
            frame("F3", "C3", ["S3"], ["T3"], "witnesses"),
            # A frame A does not have at all.
            frame("F4", "C4", [], ["T4"], None),
        ],
    )
    return a, b


def test_frame_f1_full_cue_source_and_cue() -> None:
    figures = _figures(*_frame_layers())
    # A has 3 frames, B 4. Full: F1 only (2 * 1 / 7); cue+source: F1, F2 (4 / 7);
    # cue: F1, F2, F3 (6 / 7).
    assert figures["frames"] == {"matched": 1, "a": 3, "b": 4, "f1": 0.2857}
    assert figures["frames_cue_source"] == {"matched": 2, "a": 3, "b": 4, "f1": 0.5714}
    assert figures["frames_cue"] == {"matched": 3, "a": 3, "b": 4, "f1": 0.8571}


def test_source_type_alpha_on_frames_matched_by_cue_and_source() -> None:
    figures = _figures(*_frame_layers())
    # Units: F1 (named_person, named_person), F2 (named_organization, media); F3's
    # sources differ, so it is no unit. n = 4, n_np = 2, n_no = n_me = 1.
    # Observed: o_no,me = o_me,no = 1, sum 2. Expected: n^2 - sum n_c^2 = 16 - 6 = 10.
    # alpha = 1 - (n - 1) * 2 / 10 = 1 - 6 / 10 = 0.4.
    assert figures["alpha"]["source_type"] == {"alpha": 0.4, "units": 2, "undefined": None}


# -- stances --------------------------------------------------------------------------------


def _stance_layers() -> tuple[dict[str, Any], dict[str, Any]]:
    def spans(holder_end: int, claim_start: int, prefix: str) -> list[dict[str, Any]]:
        return [
            ent(f"{prefix}e1", "PER", 0, holder_end),
            ent(f"{prefix}e2", "GPE", 10, 16),
            _span(f"{prefix}v1", "stance", "STANCE", 20, 25),
            _span(f"{prefix}v2", "stance", "STANCE", 30, 35),
            att(f"{prefix}t1", "CONTENT", claim_start, 60),
            _span(f"{prefix}v3", "stance", "STANCE", 62, 66),
        ]

    a = layer(
        spans(5, 40, "a"),
        stances=[
            stance("s1", "ae1", "mention", "ae2", "favor", "av1"),
            stance("s2", None, "entity", "russia", "against", "av2"),
            stance("s3", None, "claim", "at1", "uncertain", "av3"),
            stance("s4", None, "registered_claim", "claim-x", "against", "av3"),
        ],
    )
    b = layer(
        spans(6, 41, "b"),  # the holder and the claim differ in boundary only
        stances=[
            stance("S1", "be1", "mention", "be2", "favor", "bv1"),  # = s1 through overlap
            stance("S2", None, "entity", "russia", "favor", "bv2"),  # s2, other polarity
            stance("S3", "be1", "claim", "bt1", "uncertain", "bv3"),  # s3, other holder
            stance("S4", None, "registered_claim", "claim-x", "against", "bv3"),  # = s4
            stance("S5", None, "entity", "syria", "against", "bv2"),  # not in A
        ],
    )
    return a, b


def test_stance_f1_on_holder_target_polarity() -> None:
    figures = _figures(*_stance_layers())
    # A 4 stances, B 5. Full: s1, s4 (2 * 2 / 9); holder+target: s1, s2, s4 (6 / 9).
    assert figures["stances"] == {"matched": 2, "a": 4, "b": 5, "f1": 0.4444}
    assert figures["stances_holder_target"] == {"matched": 3, "a": 4, "b": 5, "f1": 0.6667}


def test_polarity_alpha_by_hand_and_by_the_krippendorff_package() -> None:
    figures = _figures(*_stance_layers())
    # Units (same holder and target): (favor, favor), (against, favor), (against, against).
    # n = 6, n_f = n_a = 3; observed o_af + o_fa = 2; expected 36 - 9 - 9 = 18.
    # alpha = 1 - 5 * 2 / 18 = 4/9.
    assert figures["alpha"]["polarity"] == {"alpha": 0.4444, "units": 3, "undefined": None}
    # The same reliability matrix (coders x units; favor = 0, against = 1), built by hand.
    matrix = np.array([[0, 1, 1], [0, 0, 1]], dtype=float)
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    assert round(float(expected), 4) == 0.4444
    assert krippendorff_alpha_nominal([("f", "f"), ("a", "f"), ("a", "a")]) == 0.4444


def test_alpha_is_reported_undefined_with_its_reason() -> None:
    a = layer([], stances=[stance("s1", None, "entity", "russia", "favor", "v")])
    b = layer([], stances=[stance("S1", None, "entity", "russia", "favor", "v")])
    figures = _figures(a, b)["alpha"]
    assert figures["polarity"]["alpha"] is None
    assert figures["polarity"]["units"] == 1
    assert figures["polarity"]["undefined"].startswith("one category only")
    assert figures["source_type"]["units"] == 0
    assert figures["source_type"]["undefined"].startswith("no unit")


# -- pairs and averages ---------------------------------------------------------------------


def test_pairs_and_the_micro_average_over_pairs_and_documents() -> None:
    layers = {
        "d1": {
            "x": layer([ent("x1", "GPE", 0, 5)]),
            "y": layer([ent("y1", "GPE", 0, 5)]),
            "z": layer([ent("z1", "GPE", 0, 6)]),
        },
        "d2": {
            "x": layer([ent("x2", "GPE", 0, 5), ent("x3", "ORG", 10, 15)]),
            "y": layer([ent("y2", "GPE", 0, 5)]),
        },
        "d3": {"z": layer([ent("z3", "GPE", 0, 5)])},  # one annotator: no pair
    }
    report = compute_agreement(layers)
    figures = report.to_dict()
    assert (figures["documents"], figures["pairs"]) == (2, 4)
    assert (figures["documents_read"], figures["layers_read"]) == (3, 6)
    by_pair = {tuple(p["annotators"]): p for p in figures["by_pair"]}
    # x-y: d1 1 of 1/1, d2 1 of 2/1: 2 of 3 and 2: F1 = 4 / 5.
    assert by_pair[("x", "y")]["documents"] == 2
    assert by_pair[("x", "y")]["spans"]["entity"]["exact"] == {
        "matched": 2, "a": 3, "b": 2, "f1": 0.8
    }  # fmt: skip
    # x-z and y-z: d1 only, the spans overlap but are not equal.
    for pair in (("x", "z"), ("y", "z")):
        spans = by_pair[pair]["spans"]["entity"]
        assert spans["exact"] == {"matched": 0, "a": 1, "b": 1, "f1": 0.0}
        assert spans["overlap"] == {"matched": 1, "a": 1, "b": 1, "f1": 1.0}
    # Micro average: counts summed, then F1. Exact 2 of 5 and 4: 4 / 9; overlap 4 / 9 -> 8 / 9.
    assert figures["spans"]["entity"]["exact"] == {"matched": 2, "a": 5, "b": 4, "f1": 0.4444}
    assert figures["spans"]["entity"]["overlap"] == {"matched": 4, "a": 5, "b": 4, "f1": 0.8889}
    text = render_agreement(report)
    assert "x vs z: 1 document(s)" in text
    assert "TP" in text
    assert "entity/GPE" in text


# -- records, errors ------------------------------------------------------------------------


def _rows(*names: str, doc_id: str = "doc-one") -> list[dict[str, Any]]:
    return [{"doc_id": doc_id, "annotator": n, **layer([ent(n, "GPE", 0, 5)])} for n in names]


DOCS = [{"doc_id": "doc-one", "text": "Syria and more"}, {"doc_id": "doc-two", "text": "x"}]


def test_records_with_the_labels_of_a_release_schema() -> None:
    schema = release_schema(ROOT / "corpus" / "v1.0.0")
    report = agreement_from_records(documents=DOCS, layers=_rows("x", "y"), schema=schema)
    # The labels are those of 1.0.0's kept declaration, in its order, read here by hand.
    raw = yaml.safe_load((ROOT / "corpus/inputs/v1.0.0/hmeimim.yaml").read_text("utf-8"))
    declared = [(name, label) for name, body in raw["layers"].items() for label in body["labels"]]
    assert schema_labels(schema) == declared
    assert report.labels == declared
    assert report.to_dict()["spans"]["entity"]["labels"]["GPE"]["exact"]["f1"] == 1.0


def test_records_errors() -> None:
    with pytest.raises(HmeimimError) as one:
        agreement_from_records(documents=DOCS, layers=_rows("x"), where="here")
    assert (one.value.code, one.value.location) == ("E740", "here")
    assert "none of its 2 document(s)" in one.value.message
    with pytest.raises(HmeimimError) as unknown:
        agreement_from_records(documents=DOCS, layers=_rows("x", "y"), doc_ids=["nope"])
    assert unknown.value.code == "E741"
    assert "nope" in unknown.value.message
    with pytest.raises(HmeimimError) as chosen:
        # Two annotators, but not on the document asked for.
        agreement_from_records(documents=DOCS, layers=_rows("x", "y"), doc_ids=["doc-two"])
    assert chosen.value.code == "E740"
    with pytest.raises(HmeimimError) as orphan:
        agreement_from_records(documents=DOCS, layers=_rows("x", doc_id="doc-three"))
    assert orphan.value.code == "E743"
    assert "doc-three" in orphan.value.message


# -- CLI ------------------------------------------------------------------------------------


def _seed_layer(name: str, quotes: list[tuple[str, str]]) -> dict[str, Any]:
    text = (ROOT / "corpus/sources/documents" / SEED / "text.txt").read_text("utf-8")
    spans = []
    for n, (label, quote) in enumerate(quotes):
        start = text.index(quote)
        spans.append({**ent(f"{name}-{n}", label, start, start + len(quote)), "text": quote})
    return {"doc_id": SEED, "annotator": name, **layer(spans)}


def test_cli_on_a_release_with_raw_layers(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    folder = repo / "corpus" / "v1.0.0"
    rows = [
        _seed_layer("ann-x", [("GPE", "Damascus")]),
        _seed_layer("ann-y", [("GPE", "Damascus"), ("NORP", "Russian")]),
    ]
    table = table_from_records(rows, release_schema(folder), "annotator_layers")
    write_parquet(table, folder / "annotators.parquet")
    rehash(folder, "annotators.parquet", rows=2)

    run = hmeimim(repo, "agreement", "--release", "1.0.0", "--format", "json")
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout)
    assert figures["annotators"] == ["ann-x", "ann-y"]
    # GPE: 1 of 1 and 1; NORP: 0 of 0 and 1; entity layer: 2 * 1 / 3.
    entity = figures["spans"]["entity"]
    assert entity["exact"] == {"matched": 1, "a": 1, "b": 2, "f1": 0.6667}
    assert entity["labels"]["NORP"]["exact"] == {"matched": 0, "a": 0, "b": 1, "f1": 0.0}
    assert figures["alpha"]["polarity"]["units"] == 0

    text = hmeimim(repo, "agreement", "--release", "1.0.0", "--doc", SEED)
    assert text.returncode == 0, text.stderr
    assert "entity/NORP" in text.stdout
    assert "entity/PER" not in text.stdout
    assert "alpha polarity" in text.stdout
    assert "undefined: no unit" in text.stdout
    # "latest" is the newest release (v1.2.0, with its own raw layers), not the one above.
    latest = hmeimim(repo, "agreement", "--release", "latest", "--doc", SEED)
    newest = hmeimim(repo, "agreement", "--release", "1.2.0", "--doc", SEED)
    assert latest.returncode == newest.returncode == 0, latest.stderr + newest.stderr
    assert latest.stdout == newest.stdout != text.stdout

    unknown = hmeimim(repo, "agreement", "--release", "1.0.0", "--doc", "no-such-doc")
    assert unknown.returncode == 2
    assert "E741" in unknown.stderr
    missing = hmeimim(repo, "agreement", "--release", "9.9.9")
    assert missing.returncode == 2
    assert "E012" in missing.stderr
    assert "Traceback" not in missing.stderr + unknown.stderr


def test_cli_release_without_raw_layers_is_e740() -> None:
    # Release 1.0.0 of the repository holds no raw annotator layer.
    run = hmeimim(ROOT, "agreement", "--release", "1.0.0")
    assert run.returncode == 2
    assert "E740" in run.stderr
    assert "annotators.parquet" in run.stderr
    assert "fix:" in run.stderr


def _authoring_folder(root: Path) -> Path:
    text = "Witnesses said the base was emptied."
    doc = root / "documents" / "doc-one"
    doc.mkdir(parents=True)
    (doc / "text.txt").write_text(text, encoding="utf-8")
    meta = {
        "doc_id": "doc-one",
        "title": None,
        "published": None,
        "language": "en",
        "outlet": None,
        "url": None,
        "author": None,
        "provenance": "constructed",
        "license": None,
        "split": "train",
    }
    (doc / "meta.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    empty = {"spans": [], "attributions": [], "stances": []}
    (doc / "gold.yaml").write_text(yaml.safe_dump(empty), encoding="utf-8")
    (root / "entities.yaml").write_text("[]\n", encoding="utf-8")

    def quoted(span_id: str, label: str, quote: str) -> dict[str, Any]:
        start = text.index(quote)
        return {**att(span_id, label, start, start + len(quote)), "text": quote}

    for name, content, source_type in (
        ("ann-x", "the base was emptied", "witnesses"),
        ("ann-y", "base was emptied", "anonymous_sources"),
    ):
        spans = [
            quoted(f"{name}-s", "SOURCE", "Witnesses"),
            quoted(f"{name}-c", "CUE", "said"),
            quoted(f"{name}-t", "CONTENT", content),
        ]
        frames = [frame(f"{name}-f", f"{name}-c", [f"{name}-s"], [f"{name}-t"], source_type)]
        folder = root / "annotators" / "doc-one"
        folder.mkdir(parents=True, exist_ok=True)
        body = layer(spans, frames)
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(body, sort_keys=False), "utf-8")
    return root


def test_cli_on_an_authoring_folder(tmp_path: Path) -> None:
    sources = _authoring_folder(tmp_path / "sources")
    run = hmeimim(ROOT, "agreement", "--sources", str(sources), "--format", "json")
    assert run.returncode == 0, run.stdout + run.stderr
    figures = json.loads(run.stdout)
    # Source and cue equal, the content shorter by "the ": exact 2 of 3, overlap 3 of 3.
    assert figures["spans"]["attribution"]["exact"] == {"matched": 2, "a": 3, "b": 3, "f1": 0.6667}
    assert figures["spans"]["attribution"]["overlap"]["f1"] == 1.0
    assert figures["frames"] == {"matched": 1, "a": 1, "b": 1, "f1": 1.0}
    # One unit (witnesses, anonymous_sources): alpha = 1 - 1 * 2 / 2 = 0.
    assert figures["alpha"]["source_type"] == {"alpha": 0.0, "units": 1, "undefined": None}


def test_cli_input_errors(tmp_path: Path) -> None:
    none = hmeimim(ROOT, "agreement")
    assert none.returncode == 2
    assert "E742" in none.stderr
    assert "got none" in none.stderr
    both = hmeimim(ROOT, "agreement", "x.json", "--release", "1.0.0")
    assert both.returncode == 2
    assert "E742" in both.stderr
    gone = hmeimim(ROOT, "agreement", "--sources", str(tmp_path / "nowhere"))
    assert gone.returncode == 2
    assert "E002" in gone.stderr
    export = hmeimim(ROOT, "agreement", str(tmp_path / "missing.json"))
    assert export.returncode == 2
    assert "E002" in export.stderr
    unreadable = tmp_path / "broken.json"
    unreadable.write_text("{not json", encoding="utf-8")
    broken = hmeimim(ROOT, "agreement", str(unreadable))
    assert broken.returncode == 2
    assert "E701" in broken.stderr
    for run in (none, both, gone, export, broken):
        assert "Traceback" not in run.stderr
