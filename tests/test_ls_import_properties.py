"""Generated exports never crash the importer: a coded error, coded findings or an import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ls_support import as_label_studio_export, constructed_document

from hmeimim.errors import CODES, HmeimimError
from hmeimim.labelstudio.importer import import_export
from hmeimim.labelstudio.tasks import build_tasks

LABELS = ["PER", "GPE", "DATE", "CARDINAL", "CUE", "SOURCE", "CONTENT", "STANCE", "NOPE", "", "A&B"]
CONTROLS = ["entity", "attribution", "stance", "polarity", "stance_id", "entity_id", "other"]
CONTROLS += ["metonymy", "claim_id", "target_claim"]  # schema 1.1.0
RELATIONS = ["source", "content", "parent", "holder", "target", "evidence", "bogus"]
TYPES = ["labels", "choices", "textarea", "relation", "rectanglelabels"]
TEXT = st.text(
    alphabet=st.sampled_from(list("ab \n\r\té👀قالَ\u0301")) | st.characters(), max_size=40
)
JSON_SCALARS = st.none() | st.booleans() | st.integers(-5, 80) | st.text(max_size=5)


@st.composite
def regions(draw: st.DrawFn, ids: list[str]) -> dict[str, Any]:
    kind = draw(st.sampled_from(TYPES))
    if kind == "relation":
        return {
            "type": "relation",
            "from_id": draw(st.sampled_from(ids) | JSON_SCALARS),
            "to_id": draw(st.sampled_from(ids) | JSON_SCALARS),
            "direction": draw(st.sampled_from(["right", "left", "bi"])),
            "labels": draw(st.lists(st.sampled_from(RELATIONS), max_size=2) | JSON_SCALARS),
        }
    start = draw(st.integers(-2, 45) | JSON_SCALARS)
    value: dict[str, Any] = {
        "start": start,
        "end": draw(st.integers(-2, 45) | JSON_SCALARS),
        "text": draw(TEXT | st.lists(TEXT, max_size=2) | JSON_SCALARS),
        "labels": draw(st.lists(st.sampled_from(LABELS), max_size=2) | JSON_SCALARS),
        "choices": draw(
            st.lists(st.sampled_from(["favor", "x", "witnesses", "true", "false"]), max_size=2)
        ),
    }
    return {
        "id": draw(st.sampled_from(ids) | JSON_SCALARS),
        "from_name": draw(st.sampled_from(CONTROLS) | JSON_SCALARS),
        "to_name": draw(st.sampled_from(["text", "image"])),
        "type": kind,
        "value": draw(st.just(value) | JSON_SCALARS),
    }


@st.composite
def exports(draw: st.DrawFn) -> Any:
    ids = draw(st.lists(st.text(alphabet="ab-_1", min_size=1, max_size=3), min_size=1, max_size=4))
    text = draw(TEXT)
    results = draw(st.lists(regions(ids), max_size=8))
    annotation = {
        "id": draw(st.integers(1, 3) | JSON_SCALARS),
        "completed_by": draw(st.sampled_from([{"id": 1, "email": "a@x.org"}, 2, None, "x"])),
        "result": draw(st.just(results) | JSON_SCALARS),
        "was_cancelled": draw(st.booleans()),
        "ground_truth": draw(st.booleans()),
    }
    doc_id = draw(st.sampled_from(["gen-doc", "2024-12-20-russia-withdrawal-syria", "Bad Id"]))
    data = {"text": text, "doc_id": doc_id, "language": "en", "provenance": "constructed"}
    task = {"id": 1, "data": draw(st.just(data) | JSON_SCALARS), "annotations": [annotation]}
    return draw(st.just([task]) | st.just(task) | JSON_SCALARS | st.just([task, task]))


def _check(tmp_path: Path, export: Any) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))  # \u escapes: lone surrogates reach the importer
    try:
        result = import_export(path)
    except HmeimimError as error:
        code = error.code
        assert code in CODES
        return
    for finding in [*result.findings, *result.notices]:
        assert finding.code in CODES, finding
    if result.ok:
        for doc in result.records.documents:
            for span in doc["spans"]:
                assert doc["text"][span["start"] : span["end"]] == span["text"]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(export=exports())
def test_random_exports_never_crash_the_importer(tmp_path: Path, export: Any) -> None:
    _check(tmp_path, export)


@st.composite
def shifted_exports(draw: st.DrawFn) -> Any:
    """A valid export of the constructed document with random offsets, labels, relations."""
    task = build_tasks([constructed_document()], version="1.0.0", as_="annotations")[0]
    task["data"].update(language="en", provenance="constructed", split="test")
    (export,) = as_label_studio_export([task])
    result = export["annotations"][0]["result"]
    ids = [r["id"] for r in result if r["type"] == "labels"]
    for region in result:
        if region["type"] != "relation" and draw(st.booleans()):
            region["value"]["start"] += draw(st.integers(-3, 3))
            region["value"]["end"] += draw(st.integers(-3, 3))
        if region["type"] == "labels" and draw(st.integers(0, 5)) == 0:
            region["value"]["labels"] = [draw(st.sampled_from(LABELS))]
    for _ in range(draw(st.integers(0, 3))):
        result.append(
            {
                "type": "relation",
                "from_id": draw(st.sampled_from(ids)),
                "to_id": draw(st.sampled_from(ids)),
                "labels": [draw(st.sampled_from(RELATIONS))],
            }
        )
    if draw(st.booleans()):
        export["data"]["text"] = export["data"]["text"].replace("\n", "\r\n")
    return [export]


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(export=shifted_exports())
def test_perturbed_valid_exports_give_codes_or_a_correct_import(
    tmp_path: Path, export: Any
) -> None:
    _check(tmp_path, export)
