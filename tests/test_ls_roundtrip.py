"""The Label Studio mapping without a server: config, export, import, lossless round trip."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from label_studio_sdk.label_interface import LabelInterface
from ls_support import (
    DOC_ID,
    LATEST,
    TEXT,
    as_label_studio_export,
    constructed_document,
    constructed_task,
    latest_documents,
)

from conftest import ROOT, SEED_DOC
from hmeimim.actions import validate_paths
from hmeimim.authoring.sources import read_sources
from hmeimim.errors import HmeimimError
from hmeimim.labelstudio.importer import import_export, write_import
from hmeimim.labelstudio.mapping import label_config, ls_mapping
from hmeimim.labelstudio.parse import read_export
from hmeimim.labelstudio.tasks import build_tasks, export_tasks
from hmeimim.schema.declaration import load_schema, parse_schema
from hmeimim.storage.records import read_documents

ANNOTATION_KEYS = ("spans", "attributions", "stances")


def _write(tmp_path: Path, tasks: list[dict[str, Any]], name: str = "export.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(tasks, ensure_ascii=False))
    return path


def _schema_with_label(label: str) -> Any:
    raw = yaml.safe_load((ROOT / "schema" / "hmeimim.yaml").read_text())
    raw["layers"]["entity"]["labels"][label] = {"definition": "x", "example": "x"}
    return parse_schema(raw)


# -- config -------------------------------------------------------------------------------


def test_config_passes_label_interface_and_lists_every_schema_label() -> None:
    xml = label_config()
    interface = LabelInterface(xml)
    interface.validate()
    schema = load_schema()
    for layer in schema.layers.values():
        assert interface.get_control(layer.name).labels == list(layer.label_names)
    names = sorted(c.name for c in interface.controls)
    assert names == sorted(
        [
            *schema.layers,
            "entity_id",
            "frame_id",
            "polarity",
            "source_kind",
            "source_type",
            "stance_id",
            "target_entity",
            # schema 1.1.0: the metonymy flag, claim links and registered-claim targets
            "metonymy",
            "claim_id",
            "target_claim",
        ]
    )
    assert interface.get_control("polarity").labels == ["favor", "against", "uncertain"]
    assert interface.get_control("metonymy").labels == ["true", "false"]
    assert '<Text name="text" value="$text" granularity="symbol" />' in xml
    relations = ["source", "content", "parent", "holder", "target", "evidence"]
    assert all(f'<Relation value="{r}" />' in xml for r in relations)


def test_label_values_are_escaped() -> None:
    label = 'A&B "<x>"'
    xml = label_config(_schema_with_label(label))
    assert 'value="A&amp;B &quot;&lt;x&gt;&quot;"' in xml
    interface = LabelInterface(xml)
    interface.validate()
    assert label in interface.get_control("entity").labels


@pytest.mark.parametrize("label", ["BAD\x07", "TAB\tBED", " PAD", "LINE\u2028SEP", ""])
def test_a_label_that_would_break_the_xml_is_an_error(label: str) -> None:
    with pytest.raises(HmeimimError) as caught:
        label_config(_schema_with_label(label))
    assert caught.value.code == "E718"


def test_mapping_takes_hub_labels_from_the_schema() -> None:
    mapping = ls_mapping()
    assert mapping.cue_labels == {("attribution", "CUE")}
    assert mapping.hub_labels == {("stance", "STANCE")}
    assert mapping.claim_labels == {("attribution", "CONTENT")}
    assert ("attribution", "SOURCE") in mapping.relations["holder"].targets


# -- export -------------------------------------------------------------------------------


def test_export_makes_one_task_per_document_with_region_ids_equal_span_ids() -> None:
    tasks = export_tasks("1.0.0")
    (doc,) = read_documents("1.0.0")
    assert len(tasks) == 1
    task = tasks[0]
    assert task["data"] == {"text": doc["text"], "doc_id": SEED_DOC}
    assert task["meta"]["hmeimim_version"] == "1.0.0"
    assert task["meta"]["document"]["split"] == "train"
    (prediction,) = task["predictions"]
    assert prediction["model_version"] == "hmeimim-1.0.0"
    labels = [r for r in prediction["result"] if r["type"] == "labels"]
    assert [r["id"] for r in labels] == [s["span_id"] for s in doc["spans"]]
    # "repression" is the hub of two stances: one line per stance pairs ids and targets.
    lines = next(
        r["value"]["text"]
        for r in prediction["result"]
        if r["id"] == "d001-v04" and r["from_name"] == "stance_id"
    )
    assert lines == ["d001-st04 entity:assad-regime", "d001-st05 d001-e12"]
    entity_line = next(
        r["value"]["text"]
        for r in prediction["result"]
        if r["id"] == "d001-v02" and r["from_name"] == "target_entity"
    )
    assert entity_line == ["assad-regime"]


def test_export_as_annotations_sets_ground_truth_false() -> None:
    (task,) = export_tasks("1.0.0", as_="annotations")
    (annotation,) = task["annotations"]
    assert annotation["ground_truth"] is False
    assert "predictions" not in task


def test_stances_sharing_a_hub_with_different_polarity_are_not_exported() -> None:
    doc = constructed_document()
    second = {**doc["stances"][0], "stance_id": "k-st2", "target": "k-e1", "polarity": "favor"}
    doc["stances"].append(second)
    with pytest.raises(HmeimimError) as caught:
        build_tasks([doc], version="1.0.0")
    assert caught.value.code == "E715"


# -- import -------------------------------------------------------------------------------


def _round_trip(tmp_path: Path, tasks: list[dict[str, Any]]) -> Any:
    result = import_export(_write(tmp_path, as_label_studio_export(tasks)))
    assert result.findings == []
    return result


def test_v1_round_trips_losslessly_with_the_constructed_document(tmp_path: Path) -> None:
    # The latest release: the base the import defaults to (schema 1.1.0, metonymy flags).
    docs = latest_documents()
    assert docs[0]["doc_id"] == SEED_DOC
    tasks = build_tasks([*docs, constructed_document()], version=LATEST, as_="annotations")
    tasks[-1]["data"].update(language="en", provenance="constructed", split="test")
    result = _round_trip(tmp_path, tasks)
    by_id = {d["doc_id"]: d for d in result.records.documents}
    for expected in [*docs, constructed_document()]:
        got = by_id[expected["doc_id"]]
        for key in ANNOTATION_KEYS:
            assert got[key] == expected[key], key
        assert got["text"] == expected["text"]
    layers = {(r["doc_id"], r["annotator"]): r for r in result.records.annotator_layers}
    seed_layer = layers[(SEED_DOC, "ann@example.com")]
    assert all(seed_layer[k] == docs[0][k] for k in ANNOTATION_KEYS)
    assert result.counts["new_documents"] == 1


def test_crlf_text_of_a_new_document_is_normalized_and_offsets_remapped(tmp_path: Path) -> None:
    task = constructed_task(as_="annotations", crlf=True)
    raw = task["data"]["text"]
    syria = next(r for r in task["annotations"][0]["result"] if r["id"] == "k-e3")
    # In the \r\n text, "Syria" starts after two line breaks of two code points each.
    assert raw.count("\r\n") == 2
    assert (syria["value"]["start"], syria["value"]["end"]) == (70, 75)
    result = _round_trip(tmp_path, [task])
    (doc,) = [d for d in result.records.documents if d["doc_id"] == DOC_ID]
    assert doc["text"] == TEXT
    assert "\r" not in doc["text"]
    spans = {s["span_id"]: s for s in doc["spans"]}
    assert (spans["k-e3"]["start"], spans["k-e3"]["end"]) == (68, 73)
    assert (spans["k-c1"]["start"], spans["k-c1"]["end"]) == (12, 16)  # after the emoji
    assert [s for s in doc["spans"]] == constructed_document()["spans"]
    assert doc["split"] == "test"
    assert doc["provenance"] == "constructed"


def test_value_text_is_compared_never_used(tmp_path: Path) -> None:
    task = constructed_task(as_="annotations", crlf=False)
    region = next(r for r in task["annotations"][0]["result"] if r["id"] == "k-t1")
    region["value"]["text"] = "Moscow   left\\nHmeimim"  # Label Studio's lossy form
    result = _round_trip(tmp_path, [task])
    (doc,) = [d for d in result.records.documents if d["doc_id"] == DOC_ID]
    assert next(s for s in doc["spans"] if s["span_id"] == "k-t1")["text"] == "Moscow left Hmeimim"


def test_json_min_export_is_refused_with_the_reason(tmp_path: Path) -> None:
    rows = [{"text": TEXT, "doc_id": DOC_ID, "id": 1, "annotator": 1, "annotation_id": 3}]
    with pytest.raises(HmeimimError) as caught:
        read_export(_write(tmp_path, rows))
    assert caught.value.code == "E702"
    assert "region ids" in caught.value.message
    assert "relations" in caught.value.message


@pytest.mark.parametrize("content", ['[{"id": 1,', '{"tasks": []}', "\x00"])
def test_malformed_json_is_unusable_input(tmp_path: Path, content: str) -> None:
    path = tmp_path / "export.json"
    path.write_text(content)
    with pytest.raises(HmeimimError) as caught:
        read_export(path)
    assert caught.value.code == "E701"


def _two_annotations(tmp_path: Path) -> list[dict[str, Any]]:
    task = constructed_task(as_="annotations", crlf=False)
    first = task["annotations"][0]
    edited = copy.deepcopy(first)
    edited["result"] = [r for r in edited["result"] if r.get("id") != "k-e2"]
    task["id"] = 5
    first.update(id=50, completed_by={"id": 2, "email": "a@example.com"})
    first.update(updated_at="2025-01-01T10:00:00Z", ground_truth=True)
    edited.update(id=51, completed_by=3, updated_at="2025-01-02T10:00:00Z")
    cancelled = {"id": 52, "completed_by": 3, "result": [], "was_cancelled": True}
    task["annotations"] += [edited, cancelled]
    return [task]


def test_layers_per_annotator_and_cancelled_annotations_skipped(tmp_path: Path) -> None:
    result = import_export(_write(tmp_path, _two_annotations(tmp_path)))
    assert result.findings == []
    assert [n.code for n in result.notices] == ["E710"]
    assert result.notices[0].record_id == "task 5 / annotation 52"
    assert result.counts["cancelled"] == 1
    layers = {r["annotator"]: r for r in result.records.annotator_layers if r["doc_id"] == DOC_ID}
    assert sorted(layers) == ["a@example.com", "user-3"]
    assert len(layers["user-3"]["spans"]) == len(layers["a@example.com"]["spans"]) - 1


@pytest.mark.parametrize(
    ("rule", "spans"),
    [("ground-truth", 8), ("latest", 7), ("annotator:user-3", 7), ("annotator:nobody", 0)],
)
def test_gold_rule(tmp_path: Path, rule: str, spans: int) -> None:
    result = import_export(_write(tmp_path, _two_annotations(tmp_path)), gold=rule)
    (doc,) = [d for d in result.records.documents if d["doc_id"] == DOC_ID]
    assert len(doc["spans"]) == spans


def test_an_unknown_gold_rule_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(HmeimimError) as caught:
        import_export(_write(tmp_path, _two_annotations(tmp_path)), gold="majority")
    assert (caught.value.code, caught.value.location) == ("E725", "--gold")
    assert "'majority'" in caught.value.message


def test_new_frames_and_stances_get_deterministic_ids(tmp_path: Path) -> None:
    task = constructed_task(as_="annotations", crlf=False)
    result_list = task["annotations"][0]["result"]
    # Drop the frame_id and the stance_id lines, add a line that matches no target.
    result_list[:] = [r for r in result_list if r.get("from_name") != "frame_id"]
    for region in result_list:
        if region.get("from_name") == "stance_id":
            region["value"]["text"] = ["k-st9 k-e1"]
    result = import_export(_write(tmp_path, as_label_studio_export([task])))
    assert result.findings == []
    (doc,) = [d for d in result.records.documents if d["doc_id"] == DOC_ID]
    assert [f["frame_id"] for f in doc["attributions"]] == ["k-c1-f"]
    assert [s["stance_id"] for s in doc["stances"]] == ["k-v1-s1"]
    assert [n.code for n in result.notices] == ["E713"]


def test_an_export_that_breaks_a_frame_reports_it_with_its_location(tmp_path: Path) -> None:
    task = constructed_task(as_="annotations", crlf=False)
    result_list = task["annotations"][0]["result"]
    result_list[:] = [
        r for r in result_list if not (r["type"] == "relation" and r["labels"] == ["content"])
    ]
    result = import_export(_write(tmp_path, as_label_studio_export([task])))
    assert [(f.code, f.record_id) for f in result.findings] == [
        ("E304", "task 1 / annotation 100 / k-a1")
    ]


# -- the written folder -------------------------------------------------------------------


def test_import_writes_an_authoring_folder_that_validates(tmp_path: Path) -> None:
    # The latest release: the base the import defaults to (schema 1.1.0, metonymy flags).
    docs = latest_documents()
    assert docs[0]["doc_id"] == SEED_DOC
    tasks = build_tasks([*docs, constructed_document()], version=LATEST, as_="annotations")
    tasks[-1]["data"].update(language="en", provenance="constructed", split="test")
    result = _round_trip(tmp_path, tasks)
    out = write_import(result, tmp_path / "imported")
    # The latest release has a claim registry (schema 1.1.0): the folder carries it too.
    assert sorted(p.name for p in out.iterdir()) == [
        "annotators",
        "claims.yaml",
        "documents",
        "entities.yaml",
    ]
    report = validate_paths([out])
    assert report.findings == []
    read = read_sources(out, load_schema())
    assert read.findings == []
    by_id = {d["doc_id"]: d for d in read.records.documents}
    assert by_id[SEED_DOC]["published"] == docs[0]["published"]
    for key in ANNOTATION_KEYS:
        assert by_id[SEED_DOC][key] == docs[0][key]
        assert by_id[DOC_ID][key] == constructed_document()[key]
    # The base release's raw layers are kept (34: one file each under
    # corpus/sources/annotators/), and the export adds one layer of its one annotator per
    # document: the release's 17 and the new one.
    assert len(read.records.annotator_layers) == 34 + 18
    assert sum(r["annotator"] == "ann@example.com" for r in read.records.annotator_layers) == 18
    with pytest.raises(HmeimimError) as caught:
        write_import(result, out)
    assert caught.value.code == "E719"


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hmeimim", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )


def test_cli_config_export_import_and_validate(tmp_path: Path) -> None:
    config = _cli("ls", "config")
    assert config.returncode == 0
    assert config.stdout == label_config()
    tasks_file = tmp_path / "tasks.json"
    # The latest release (the default), which the import below takes as its base.
    run = _cli("ls", "export", "--as", "annotations", "-o", str(tasks_file))
    assert run.returncode == 0, run.stderr
    export = _write(tmp_path, as_label_studio_export(json.loads(tasks_file.read_text())), "ls.json")
    assert _cli("validate", str(export)).returncode == 0
    run = _cli("ls", "import", str(export), "-o", str(tmp_path / "out"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "new_documents 0" in run.stdout
    assert _cli("validate", str(tmp_path / "out")).returncode == 0


def test_cli_import_writes_nothing_on_findings(tmp_path: Path) -> None:
    bad = ROOT / "tests" / "fixtures" / "invalid" / "E705" / "export.json"
    run = _cli("ls", "import", str(bad), "-o", str(tmp_path / "out"))
    assert run.returncode == 1
    assert "E705 region-offsets" in run.stdout
    assert "task 1 / annotation 10 / region x-e2" in run.stdout
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.iterdir()) == []


def test_cli_import_of_json_min_exits_2(tmp_path: Path) -> None:
    path = _write(tmp_path, [{"id": 1, "text": "x", "annotator": 1, "annotation_id": 2}])
    run = _cli("ls", "import", str(path), "-o", str(tmp_path / "out"))
    assert run.returncode == 2
    assert "E702" in run.stderr
    assert "Traceback" not in run.stderr
