"""Schema 1.1.0: label class ids and kinds, the bool type, value mentions, metonymy flags,
claim links and the claim registry, and the claim view."""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT
from hmeimim.authoring.sources import read_sources
from hmeimim.errors import HmeimimError
from hmeimim.labelstudio.mapping import ls_mapping
from hmeimim.labelstudio.parse import parse_export
from hmeimim.labelstudio.tasks import document_results
from hmeimim.publish.derived import check_class_ids
from hmeimim.schema.declaration import load_schema, parse_schema, read_schema
from hmeimim.schema.jsonschema import record_json_schema
from hmeimim.storage.releases import release_schema
from hmeimim.validation.validate import validate_corpus, validate_records
from hmeimim.views.claims import claim_rows_of
from hmeimim.views.spans import span_label_names
from hmeimim.views.stances import stance_examples_of
from hmeimim.views.tokens import ner_label_names

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import make_invalid

V1 = ROOT / "corpus" / "inputs" / "v1.0.0" / "hmeimim.yaml"
RAW = yaml.safe_load((ROOT / "schema" / "hmeimim.yaml").read_text(encoding="utf-8"))


def test_class_ids_of_release_1_0_0_labels_are_unchanged_and_unique() -> None:
    old, new = read_schema(V1), load_schema()
    assert old.version == "1.0.0"
    old_ids = {label.name: label.class_id for label in old.labels_by_class_id()}
    new_ids = {label.name: label.class_id for label in new.labels_by_class_id()}
    assert old_ids == {name: new_ids[name] for name in old_ids}
    assert list(old_ids.values()) == list(range(len(old_ids)))  # declaration order
    assert len(set(new_ids.values())) == len(new_ids)
    assert min(new_ids[n] for n in new_ids if n not in old_ids) > max(old_ids.values())
    # Every ClassLabel keeps the ids of 1.0.0.
    assert span_label_names()[: len(old_ids)] == list(old_ids)
    assert ner_label_names("BIO")[1:15] == [
        f"{p}-{label}"
        for label in ("PER", "ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT")
        for p in "BI"
    ]
    assert "B-DATE" in ner_label_names("BIO")


def test_label_kinds() -> None:
    schema = load_schema()
    values = {"DATE", "TIME", "CARDINAL", "QUANTITY", "MONEY", "PERCENT"}
    assert {lb.name for lb in schema.layers["entity"].labels if lb.kind == "value"} == values
    assert all(lb.kind is None for lb in schema.layers["stance"].labels)
    # 1.0.0 has no kinds: every entity label names an entity.
    assert all(lb.kind == "name" for lb in read_schema(V1).layers["entity"].labels)


def _with_class_id(label: str, class_id: int) -> dict[str, Any]:
    raw = copy.deepcopy(RAW)
    for body in raw["layers"].values():
        if label in body["labels"]:
            body["labels"][label]["class_id"] = class_id
    return raw


def test_a_changed_class_id_is_refused_by_generate() -> None:
    check_class_ids(ROOT, load_schema())  # the declaration as it is passes
    changed = parse_schema(_with_class_id("ORG", 17))
    with pytest.raises(HmeimimError) as caught:
        check_class_ids(ROOT, changed)
    assert caught.value.code == "E316"
    assert "ORG" in caught.value.message


def test_a_reused_class_id_is_refused_by_generate() -> None:
    raw = _with_class_id("DATE", 3)  # LOC's id in release 1.0.0
    raw["layers"]["entity"]["labels"]["LOC"]["class_id"] = 20
    with pytest.raises(HmeimimError) as caught:
        check_class_ids(ROOT, parse_schema(raw))
    assert caught.value.code == "E316"


def test_a_class_id_given_twice_makes_the_declaration_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "hmeimim.yaml"
    path.write_text(yaml.safe_dump(_with_class_id("DATE", 12)), encoding="utf-8")
    with pytest.raises(HmeimimError) as caught:
        read_schema(path)
    assert caught.value.code == "E010"


def test_bool_type_everywhere() -> None:
    schema = load_schema()
    arrow = schema.arrow_schema("documents").field("spans").type.value_type
    assert str(arrow.field("metonymy").type) == "bool"
    features = schema.hf_features("documents")
    assert features["spans"].feature["metonymy"].dtype == "bool"
    span_json = record_json_schema(schema, "documents")["$defs"]["span"]
    assert span_json["properties"]["metonymy"]["anyOf"][0]["type"] == "boolean"


def _sources(tmp_path: Path, gold_edit: str | None = None, claims: bool = True) -> Path:
    doc = make_invalid.base_document()
    make_invalid.write_sources_folder(tmp_path, doc, make_invalid.base_entities())
    if not claims:
        (tmp_path / "claims.yaml").unlink()
    if gold_edit is not None:
        gold = tmp_path / "documents" / doc["doc_id"] / "gold.yaml"
        text = gold.read_text(encoding="utf-8")
        gold.write_text(text.replace("metonymy: true", gold_edit, 1), encoding="utf-8")
    return tmp_path


def test_the_fixture_document_is_valid(tmp_path: Path) -> None:
    read = read_sources(_sources(tmp_path), load_schema())
    assert read.findings == []
    assert [c["claim_id"] for c in read.records.claims] == [make_invalid.CLAIM]
    assert validate_corpus(read.records) == []


def test_metonymy_is_strictly_true_or_false(tmp_path: Path) -> None:
    read = read_sources(_sources(tmp_path, "metonymy: yes"), load_schema())
    assert [f.code for f in read.findings] == ["E107"]


def test_a_missing_claims_file_is_an_empty_registry(tmp_path: Path) -> None:
    read = read_sources(_sources(tmp_path, claims=False), load_schema())
    assert read.findings == []
    assert read.records.claims == []
    codes = sorted(f.code for f in validate_corpus(read.records))
    assert codes == ["E314", "E314"]  # the CONTENT span's claim_id and the stance target


def test_registered_claim_target_must_be_in_the_registry() -> None:
    doc = make_invalid.base_document()
    doc["stances"][1]["target"] = "no-such-claim"
    findings = validate_records([doc], entities=make_invalid.base_entities(), claims=[])
    assert sorted((f.code, f.record_id) for f in findings) == [
        ("E314", "x-st2"),
        ("E314", "x-t1"),
    ]


def test_value_mentions_need_no_entity_id_and_no_metonymy() -> None:
    doc = make_invalid.base_document()
    span = make_invalid._span("x-d1", "entity", "CARDINAL", "Moscow")
    assert span["metonymy"] is False
    span["metonymy"] = None
    doc["spans"].append(span)
    findings = validate_records(
        [doc], entities=make_invalid.base_entities(), claims=make_invalid.base_claims()
    )
    assert findings == []


def test_release_1_0_0_keeps_its_schema() -> None:
    schema = release_schema(ROOT / "corpus" / "v1.0.0")
    assert schema.version == "1.0.0"
    assert "claims" not in schema.tables
    assert not schema.has_column("span", "metonymy")


def test_label_studio_carries_the_new_fields() -> None:
    doc = make_invalid.base_document()
    mapping = ls_mapping(load_schema())
    assert {"metonymy", "claim_id", "target_claim"} <= set(mapping.fields)
    assert ("entity", "DATE") not in mapping.fields["metonymy"].labels
    assert mapping.fields["claim_id"].labels == frozenset({("attribution", "CONTENT")})
    task = {
        "id": 1,
        "data": {"text": doc["text"], "doc_id": doc["doc_id"]},
        "annotations": [
            {
                "id": 2,
                "completed_by": {"id": 3, "email": "a@example.com"},
                "result": document_results(doc),
                "updated_at": "2025-01-01T00:00:00Z",
            }
        ],
    }
    parsed = parse_export([task], file="export.json", schema=load_schema())
    assert parsed.findings == []
    (record,) = [a.record for t in parsed.tasks for a in t.annotations]
    spans = {s["span_id"]: s for s in record["spans"]}
    for span in doc["spans"]:
        assert spans[span["span_id"]]["metonymy"] == span["metonymy"]
        assert spans[span["span_id"]]["claim_id"] == span["claim_id"]
    stances = {s["stance_id"]: s for s in record["stances"]}
    assert stances["x-st2"]["target_kind"] == "registered_claim"
    assert stances["x-st2"]["target"] == make_invalid.CLAIM


def test_claim_and_stance_views() -> None:
    doc = make_invalid.base_document()
    statements = {c["claim_id"]: c["statement"] for c in make_invalid.base_claims()}
    rows = claim_rows_of(doc, statements=statements)
    assert [(r["kind"], r["record_id"]) for r in rows] == [("frame", "x-a1"), ("stance", "x-st2")]
    assert rows[0]["text"] == "Moscow left Hmeimim café"
    assert rows[0]["holder"] == "Witnesses"
    assert rows[1]["polarity"] == "favor"
    examples = stance_examples_of(doc, registry={}, claims=statements)
    by_id = {e["id"]: e for e in examples}
    assert by_id["x-st2"]["target_text"] == statements[make_invalid.CLAIM]
    assert by_id["x-st2"]["target_span"] is None
