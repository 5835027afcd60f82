"""The Label Studio import survives any export and loses nothing.

Each test here reproduces one way an export broke the import before: a crash on a value
of the wrong type or size, a written folder that validation then refused, empty work
that replaced the gold, a new document that could not be imported twice, a message an
annotator could not act on, a labeling config that showed a box everywhere.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from label_studio_sdk.label_interface import LabelInterface
from ls_support import (
    DOC_ID,
    LATEST,
    NEXT_MINOR,
    as_label_studio_export,
    constructed_document,
    constructed_task,
    latest_seed,
)
from release_support import copy_repo, hmeimim

from conftest import SEED_DOC
from hmeimim.actions import validate_paths
from hmeimim.authoring.sources import read_sources
from hmeimim.errors import CODES, HmeimimError
from hmeimim.labelstudio.agreement import agreement_from_export
from hmeimim.labelstudio.importer import import_export, write_import
from hmeimim.labelstudio.mapping import label_config
from hmeimim.labelstudio.parse import parse_export
from hmeimim.labelstudio.tasks import build_tasks, document_results
from hmeimim.schema.declaration import load_schema
from hmeimim.storage.records import read_documents

ANNOTATION_KEYS = ("spans", "attributions", "stances")
HUGE = "__HUGE__"
HUGE_DIGITS = "1" + "0" * 4400
WHERE = "task 1 / annotation 100"
# The seed's gold spans in the latest release (v1.1.0), counted by hand in
# corpus/sources/documents/2024-12-20-russia-withdrawal-syria/gold.yaml: 55 name mentions,
# 11 value mentions (6 CARDINAL, 3 DATE, 2 QUANTITY), 31 attribution spans (10 CUE,
# 10 SOURCE, 11 CONTENT) and 11 stance evidence spans.
SEED_SPANS = 108


def _json(data: Any) -> str:
    """JSON with \\u escapes (lone surrogates survive) and HUGE as a 4,401-digit number."""
    return json.dumps(data, ensure_ascii=True).replace(f'"{HUGE}"', HUGE_DIGITS)


def _write(tmp_path: Path, data: Any, name: str = "export.json") -> Path:
    path = tmp_path / name
    path.write_text(_json(data), encoding="utf-8")
    return path


def _new_task() -> dict[str, Any]:
    """The constructed document as a new document, as Label Studio exports it."""
    (task,) = as_label_studio_export([constructed_task(as_="annotations", crlf=False)])
    return task


def _seed_task(doc: dict[str, Any] | None = None) -> dict[str, Any]:
    """The seed document (in the base release) with `doc`'s annotations (default: its gold).

    The base is the latest release, which an import defaults to.
    """
    seed = latest_seed()
    (task,) = build_tasks([doc or seed], version=LATEST, as_="annotations")
    task["data"]["text"] = seed["text"]
    (exported,) = as_label_studio_export([task])
    return exported


def _results(task: dict[str, Any], index: int = 0) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = task["annotations"][index]["result"]
    return results


def _labels(task: dict[str, Any], region: str) -> dict[str, Any]:
    return next(r for r in _results(task) if r.get("id") == region and r["type"] == "labels")


def _printable(item: Any) -> None:
    assert item.code in CODES
    rendered = item.render()
    rendered.encode("utf-8")
    assert all(ch.isprintable() or ch == "\n" for ch in rendered), rendered
    if hasattr(item, "to_dict"):
        json.dumps(item.to_dict(), ensure_ascii=False).encode("utf-8")


def _everything(path: Path) -> list[Any]:
    """Import, validate and agreement on `path`: none may crash, all messages print.

    Returns the import's findings and notices (or its error).
    """
    try:
        result = import_export(path)
    except HmeimimError as error:
        got: list[Any] = [error]
    else:
        got = [*result.findings, *result.notices]
    for item in got:
        _printable(item)
    try:
        for finding in validate_paths([path]).findings:
            _printable(finding)
    except HmeimimError as error:
        _printable(error)
    for finding in agreement_from_export(path).findings:
        _printable(finding)
    return got


# -- 1. crashes ------------------------------------------------------------------------------


def _relation(task: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in _results(task) if r["type"] == "relation")


LIST_CASES: dict[str, tuple[Any, str]] = {
    # where a list replaces a string -> the code it must give
    "relation label": (lambda t: _relation(t).update(labels=[["content"]]), "E704"),
    "relation label object": (lambda t: _relation(t).update(labels=[{"x": 1}]), "E704"),
    "region label": (lambda t: _labels(t, "k-e1")["value"].update(labels=[["GPE"]]), "E711"),
    "from_name": (lambda t: _labels(t, "k-e1").update(from_name=["entity"]), "E703"),
    "choice": (
        lambda t: next(r for r in _results(t) if r["from_name"] == "source_type")["value"].update(
            choices=[["witnesses"]]
        ),
        "E704",
    ),
    "relation from_id": (lambda t: _relation(t).update(from_id=["k-c1"]), "E711"),
}


@pytest.mark.parametrize("case", sorted(LIST_CASES))
def test_a_list_where_a_string_belongs_is_a_finding(tmp_path: Path, case: str) -> None:
    task = _new_task()
    mutate, code = LIST_CASES[case]
    mutate(task)
    got = _everything(_write(tmp_path, [task]))
    assert code in [f.code for f in got], [f.render() for f in got]


HUGE_CASES: dict[str, tuple[Any, list[str]]] = {
    # where a 4,401-digit number stands -> the codes it must give ([]: imports)
    "task id": (lambda t: t.update(id=HUGE), []),
    "annotation id": (lambda t: t["annotations"][0].update(id=HUGE), []),
    "updated_at": (lambda t: t["annotations"][0].update(updated_at=HUGE), []),
    "completed_by": (lambda t: t["annotations"][0].update(completed_by=HUGE), ["E711"]),
    "user id": (lambda t: t["annotations"][0].update(completed_by={"id": HUGE}), ["E711"]),
    "start": (lambda t: _labels(t, "k-e1")["value"].update(start=HUGE), ["E705"]),
    "region id": (lambda t: _labels(t, "k-e1").update(id=HUGE), ["E707", "E711"]),
    "label": (lambda t: _labels(t, "k-e1")["value"].update(labels=[HUGE]), ["E711"]),
    "from_name": (lambda t: _labels(t, "k-e1").update(from_name=HUGE), ["E703", "E707"]),
    "relation to_id": (lambda t: _relation(t).update(to_id=HUGE), ["E711"]),
    "title": (lambda t: t["meta"]["document"].update(title=HUGE), ["E107"]),
}


@pytest.mark.parametrize("case", sorted(HUGE_CASES))
def test_a_number_of_thousands_of_digits_is_reported_never_raised(
    tmp_path: Path, case: str
) -> None:
    task = _new_task()
    mutate, codes = HUGE_CASES[case]
    mutate(task)
    got = _everything(_write(tmp_path, [task]))
    assert sorted({f.code for f in got}) == codes, [f.render() for f in got]
    if codes and case not in ("completed_by", "user id"):
        assert any("4401 digits" in f.render() for f in got), [f.render() for f in got]


def test_python_ints_too_long_for_str_are_reported_never_raised() -> None:
    huge = 10**5000
    task = _new_task()
    task["id"] = huge
    _labels(task, "k-e1")["value"]["start"] = huge
    _labels(task, "k-e2")["id"] = huge
    second = copy.deepcopy(task["annotations"][0])
    second.update(id=huge, completed_by={"id": huge})
    task["annotations"].append(second)
    parsed = parse_export([task], file="export.json")
    assert sorted({f.code for f in parsed.findings}) == ["E705", "E707", "E711"]
    for finding in parsed.findings:
        _printable(finding)
        assert finding.record_id is not None
        assert finding.record_id.startswith("task <a number of about 5001 digits>")


@pytest.mark.parametrize("ids", [("²", "³"), ("١٢", "7"), (HUGE, "7"), ("0" * 5000 + "9", "8")])
def test_annotation_ids_that_only_look_like_numbers_are_ordered(
    tmp_path: Path, ids: tuple[str, str]
) -> None:
    """Two annotations of one annotator, then of two: recency compares their ids."""
    task = _new_task()
    second = copy.deepcopy(task["annotations"][0])
    task["annotations"][0]["id"], second["id"] = ids
    task["annotations"].append(second)
    got = _everything(_write(tmp_path, [task]))
    assert [f.code for f in got] == ["E714"]
    second["completed_by"] = {"id": 9, "email": "b@example.com"}
    result = import_export(_write(tmp_path, [task], "two.json"))
    assert result.findings == []


SURROGATE_CASES: dict[str, tuple[Any, str]] = {
    "region id": (
        lambda t: next(r for r in _results(t) if r["from_name"] == "entity_id").update(
            id="k-e1\ud800"
        ),
        "E707",
    ),
    "relation to_id": (lambda t: _relation(t).update(to_id="k-\udfff"), "E707"),
    "task id": (lambda t: t.update(id="\ud800"), "E106"),
    "doc_id": (lambda t: t["data"].update(doc_id="doc-\ud800"), "E106"),
    "email": (
        lambda t: t["annotations"][0].update(completed_by={"id": 1, "email": "\ud800@x"}),
        "E106",
    ),
    "value text": (lambda t: _labels(t, "k-e1")["value"].update(text="\ud800"), "E706"),
    "stance line": (
        lambda t: next(r for r in _results(t) if r["from_name"] == "stance_id")["value"].update(
            text=["k-st1 k-e4", "\ud800 x"]
        ),
        "E713",
    ),
    "title": (lambda t: t["meta"]["document"].update(title="A \ud800 title"), "E711"),
    "author list": (lambda t: t["meta"]["document"].update(author=["\udc00"]), "E711"),
}


@pytest.mark.parametrize("case", sorted(SURROGATE_CASES))
def test_a_lone_surrogate_is_escaped_in_every_message(tmp_path: Path, case: str) -> None:
    task = _new_task()
    mutate, code = SURROGATE_CASES[case]
    mutate(task)
    if case == "task id":
        task["data"]["doc_id"] = "Bad Id"  # a finding that names the task
    got = _everything(_write(tmp_path, [task]))
    assert code in [f.code for f in got], [f.render() for f in got]
    assert any("\\ud800" in f.render() or "\\udfff" in f.render() or "\\udc00" in f.render()
               or "U+D" in f.render() for f in got)  # fmt: skip


# -- 2. a validated folder or nothing -------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "key", "value", "code"),
    [
        ("meta", "url", 7, "E107"),
        ("meta", "url", ["https://example.org"], "E107"),
        ("meta", "title", [None], "E107"),
        ("meta", "published", 20241220, "E107"),
        ("meta", "published", "yesterday", "E107"),
        ("meta", "outlet", {}, "E107"),
        ("data", "language", ["en"], "E107"),
        ("data", "split", "dev", "E105"),
        ("data", "language", None, "E101"),
    ],
)
def test_new_document_metadata_gets_the_authoring_checks_before_writing(
    tmp_path: Path, where: str, key: str, value: Any, code: str
) -> None:
    task = _new_task()
    (task["data"] if where == "data" else task["meta"]["document"])[key] = value
    result = import_export(_write(tmp_path, [task]))
    assert [(f.code, f.doc_id, f.record_id) for f in result.findings] == [
        (code, DOC_ID, "task 1")
    ], [f.render() for f in result.findings]
    assert f"`{key}`" in result.findings[0].message
    with pytest.raises(HmeimimError):
        write_import(result, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_an_accepted_new_document_writes_a_folder_that_validates(tmp_path: Path) -> None:
    task = _new_task()
    task["meta"]["document"].update(
        title="A title", url="https://example.org/x", published="2024-12-20"
    )
    result = import_export(_write(tmp_path, [task]))
    assert result.findings == []
    out = write_import(result, tmp_path / "out")
    assert validate_paths([out]).findings == []


# -- 3. empty or skipped work never replaces gold --------------------------------------------


def _seed_gold() -> dict[str, Any]:
    return latest_seed()


def _empty(annotation: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(annotation)
    out.update(result=[], **changes)
    return out


def _gold_of(result: Any, doc_id: str = SEED_DOC) -> dict[str, Any]:
    doc: dict[str, Any] = next(d for d in result.records.documents if d["doc_id"] == doc_id)
    return {key: doc[key] for key in ANNOTATION_KEYS}


@pytest.mark.parametrize("rule", ["ground-truth", "latest"])
def test_an_empty_annotation_is_passed_over_for_a_non_empty_one(tmp_path: Path, rule: str) -> None:
    task = _seed_task()
    full = task["annotations"][0]
    full.update(updated_at="2025-01-01T00:00:00Z", ground_truth=False)
    task["annotations"].append(
        _empty(
            full,
            id=200,
            completed_by={"id": 8, "email": "b@example.com"},
            updated_at="2025-02-01T00:00:00Z",
            ground_truth=True,
        )
    )
    result = import_export(_write(tmp_path, [task]), gold=rule)
    assert result.findings == []
    seed = _seed_gold()
    assert _gold_of(result) == {key: seed[key] for key in ANNOTATION_KEYS}
    assert [(n.code, n.record_id) for n in result.notices] == [("E726", "task 1 / annotation 200")]
    assert "annotation 100 is" in result.notices[0].message
    # The empty annotation is still its annotator's layer.
    layers = {r["annotator"]: r for r in result.records.annotator_layers}
    assert layers["b@example.com"]["spans"] == []


@pytest.mark.parametrize("rule", ["ground-truth", "latest", "annotator:ann@example.com"])
def test_an_empty_gold_keeps_the_base_gold(tmp_path: Path, rule: str) -> None:
    task = _seed_task()
    task["annotations"] = [_empty(task["annotations"][0])]
    result = import_export(_write(tmp_path, [task]), gold=rule)
    assert result.findings == []
    seed = _seed_gold()
    assert _gold_of(result) == {key: seed[key] for key in ANNOTATION_KEYS}
    assert [(n.code, n.record_id) for n in result.notices] == [("E727", WHERE)]
    assert f"{SEED_SPANS} gold span(s) of release {LATEST} are kept" in result.notices[0].message
    out = write_import(result, tmp_path / "out")
    read = read_sources(out, load_schema())
    (doc,) = [d for d in read.records.documents if d["doc_id"] == SEED_DOC]
    assert len(doc["spans"]) == SEED_SPANS


def test_an_empty_annotation_of_a_new_document_is_its_empty_gold(tmp_path: Path) -> None:
    task = _new_task()
    task["annotations"] = [_empty(task["annotations"][0])]
    result = import_export(_write(tmp_path, [task]))
    assert result.findings == []
    assert result.notices == []
    assert _gold_of(result, DOC_ID) == {key: [] for key in ANNOTATION_KEYS}


def _reduced_seed(keep: int) -> dict[str, Any]:
    """The seed's gold with only its first `keep` entity spans, no frames, no stances."""
    doc = copy.deepcopy(_seed_gold())
    entity = [s for s in doc["spans"] if s["layer"] == "entity"]
    doc.update(spans=entity[:keep], attributions=[], stances=[])
    return doc


def test_a_gold_that_removes_more_than_half_of_the_base_spans_is_a_finding(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, [_seed_task(_reduced_seed(10))])
    result = import_export(path)
    assert [(f.code, f.doc_id, f.record_id) for f in result.findings] == [("E728", SEED_DOC, WHERE)]
    assert f"removes {SEED_SPANS - 10} of the {SEED_SPANS} gold spans" in result.findings[0].message
    allowed = import_export(path, allow_removal=True)
    assert allowed.findings == []
    assert len(_gold_of(allowed)["spans"]) == 10


def test_removing_exactly_half_or_relabelling_is_no_finding(tmp_path: Path) -> None:
    doc = copy.deepcopy(_seed_gold())
    # 54 of the 108 spans removed: exactly half (the refusal is for more than half).
    doc["spans"] = doc["spans"][: SEED_SPANS // 2]
    assert len(doc["spans"]) * 2 == SEED_SPANS
    kept = {s["span_id"] for s in doc["spans"]}
    doc["attributions"] = [
        f
        for f in doc["attributions"]
        if {f["cue"], *f["sources"], *f["contents"]} <= kept and f["parent"] is None
    ]
    doc["stances"] = [
        s
        for s in doc["stances"]
        if set(s["evidence"]) <= kept
        and s["holder"] in (None, *kept)
        and (s["target_kind"] == "entity" or s["target"] in kept)
    ]
    result = import_export(_write(tmp_path, [_seed_task(doc)]))
    assert [f.code for f in result.findings] == []


def test_cli_allow_removal(tmp_path: Path) -> None:
    path = _write(tmp_path, [_seed_task(_reduced_seed(10))])
    refused = subprocess.run(
        [sys.executable, "-m", "hmeimim", "ls", "import", str(path), "-o", str(tmp_path / "a")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "E728 gold-removal" in refused.stdout
    assert "--allow-removal" in refused.stdout
    assert not (tmp_path / "a").exists()
    allowed = subprocess.run(
        [sys.executable, "-m", "hmeimim", "ls", "import", str(path), "-o", str(tmp_path / "b"),
         "--allow-removal"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr


def test_an_empty_annotation_then_release_keeps_the_gold(tmp_path: Path) -> None:
    """The reported failure end to end: import an empty annotation, then release."""
    repo = copy_repo(tmp_path / "repo")
    task = _seed_task()
    task["annotations"] = [_empty(task["annotations"][0])]
    export = _write(tmp_path, [task])
    imported = tmp_path / "imported"
    run = hmeimim(repo, "ls", "import", str(export), "--base", LATEST, "-o", str(imported))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "E727 empty-gold-kept-base" in run.stdout
    run = hmeimim(
        repo, "release", "--bump", "minor", "--released", "2027-02-03", "--sources", str(imported)
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"v{NEXT_MINOR}" in run.stdout
    rows = pq.read_table(repo / "corpus" / f"v{NEXT_MINOR}" / "train.parquet").to_pylist()
    (released,) = [d for d in rows if d["doc_id"] == SEED_DOC]
    assert len(released["spans"]) == SEED_SPANS
    gold = (repo / "corpus" / "sources" / "documents" / SEED_DOC / "gold.yaml").read_text()
    assert gold.count("span_id:") == SEED_SPANS


# -- 4. new documents at the import boundary -------------------------------------------------


def test_a_released_text_sent_with_crlf_is_no_change(tmp_path: Path) -> None:
    task = _seed_task()
    seed = _seed_gold()
    task["data"]["text"] = seed["text"].replace("\n", "\r\n")
    for region in _results(task):
        value = region.get("value")
        if value and "start" in value:
            value["start"] += seed["text"].count("\n", 0, value["start"])
            value["end"] += seed["text"].count("\n", 0, value["end"])
            if region["type"] == "labels":
                value["text"] = task["data"]["text"][value["start"] : value["end"]]
    result = import_export(_write(tmp_path, [task]))
    assert result.findings == []
    assert _gold_of(result) == {key: seed[key] for key in ANNOTATION_KEYS}


def test_a_crlf_new_document_imports_again_after_its_release(tmp_path: Path) -> None:
    """Imported once and released, the same export must import again (no E712)."""
    repo = copy_repo(tmp_path / "repo")
    export = _write(
        tmp_path, as_label_studio_export([constructed_task(as_="annotations", crlf=True)])
    )
    first = tmp_path / "first"
    run = hmeimim(repo, "ls", "import", str(export), "--base", LATEST, "-o", str(first))
    assert run.returncode == 0, run.stdout + run.stderr
    run = hmeimim(
        repo, "release", "--bump", "minor", "--released", "2027-02-03", "--sources", str(first)
    )
    assert run.returncode == 0, run.stdout + run.stderr
    again = hmeimim(repo, "ls", "import", str(export), "-o", str(tmp_path / "again"))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "E712" not in again.stdout
    assert "new_documents 0" in again.stdout


# A new document in NFD: "Cafe\u0301" (5 code points) becomes "Café" (4), and two Hangul
# jamo become one syllable.
JAMO = "\u1100\u1161"
NFD = f"Cafe\u0301 owners said Moscow left.\r\nSyria {JAMO} agreed."


def _nfd_task(extra: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    def span(
        span_id: str, quote: str, label: str, entity: str | None, metonymy: bool
    ) -> dict[str, Any]:
        start = NFD.index(quote)
        # Schema 1.1.0: every name mention says whether it is metonymic (E312 otherwise).
        return {"span_id": span_id, "start": start, "end": start + len(quote), "text": quote,
                "layer": "entity", "label": label, "entity_id": entity,
                "metonymy": metonymy}  # fmt: skip

    doc = {
        **constructed_document(),
        "doc_id": "ls-nfd",
        "text": NFD,
        "spans": [
            # Moscow and Syria speak for their governments, as in constructed_document().
            span("n-e1", "Moscow", "GPE", "russia", metonymy=True),
            span("n-e2", "Syria", "GPE", "syria", metonymy=True),
            span("n-e3", "Cafe\u0301", "GPE", "russia", metonymy=False),
        ],
        "attributions": [],
        "stances": [],
    }
    (task,) = build_tasks([doc], version="1.0.0", as_="annotations")
    task["data"].update(language="en", provenance="constructed", split="test")
    _results(task).extend(extra or [])
    (exported,) = as_label_studio_export([task])
    return exported


def test_a_new_document_in_nfd_with_crlf_is_stored_composed_with_offsets_mapped(
    tmp_path: Path,
) -> None:
    result = import_export(_write(tmp_path, [_nfd_task()]))
    assert result.findings == []
    (doc,) = [d for d in result.records.documents if d["doc_id"] == "ls-nfd"]
    text = unicodedata.normalize("NFC", NFD.replace("\r\n", "\n"))
    assert doc["text"] == text
    assert len(text) == len(NFD) - 3  # one \r, one combining mark, two jamo made one
    spans = {s["span_id"]: (s["start"], s["end"], s["text"]) for s in doc["spans"]}
    assert spans == {
        "n-e1": (text.index("Moscow"), text.index("Moscow") + 6, "Moscow"),
        "n-e2": (text.index("Syria"), text.index("Syria") + 5, "Syria"),
        "n-e3": (0, 4, "Café"),
    }
    out = write_import(result, tmp_path / "out")
    assert validate_paths([out]).findings == []


@pytest.mark.parametrize(
    ("start", "end", "sequence"),
    [(0, 4, "U+0065 U+0301"), (NFD.index(JAMO) + 1, NFD.index(JAMO) + 3, "U+1100 U+1161")],
)
def test_a_region_boundary_inside_what_nfc_merges_is_a_finding(
    tmp_path: Path, start: int, end: int, sequence: str
) -> None:
    region = {"id": "n-x", "from_name": "entity", "to_name": "text", "type": "labels",
              "value": {"start": start, "end": end, "labels": ["PER"]}}  # fmt: skip
    result = import_export(_write(tmp_path, [_nfd_task([region])]))
    assert [(f.code, f.record_id) for f in result.findings] == [("E730", f"{WHERE} / region n-x")]
    assert sequence in result.findings[0].message


def test_a_corpus_finding_on_a_new_document_names_its_task(tmp_path: Path) -> None:
    """A span id the base already uses: found only on the merged corpus, located by task."""
    doc = constructed_document()
    taken = read_documents("1.0.0")[0]["spans"][0]["span_id"]
    next(s for s in doc["spans"] if s["span_id"] == "k-e1")["span_id"] = taken
    (task,) = build_tasks([doc], version="1.0.0", as_="annotations")
    task["data"].update(language="en", provenance="constructed", split="test")
    (exported,) = as_label_studio_export([task])
    exported["id"] = 42
    result = import_export(_write(tmp_path, [exported]))
    assert [(f.code, f.record_id) for f in result.findings] == [("E201", f"task 42 / {taken}")]


# -- 5. messages in the editor's terms --------------------------------------------------------


def _second_layer(task: dict[str, Any], label: str) -> None:
    first = _labels(task, "k-e1")
    value = {**first["value"], "labels": [label]}
    _results(task).append({**first, "from_name": "attribution", "value": value})


def test_a_region_with_labels_of_two_layers_says_so(tmp_path: Path) -> None:
    task = _new_task()
    _second_layer(task, "SOURCE")
    result = import_export(_write(tmp_path, [task]))
    assert [(f.code, f.record_id) for f in result.findings] == [("E729", f"{WHERE} / region k-e1")]
    message = result.findings[0].message
    assert "labels of two layers (entity, attribution)" in message
    assert "pick one" in result.findings[0].fix


def test_the_findings_behind_a_two_layer_region_are_still_reported(tmp_path: Path) -> None:
    task = _new_task()
    _second_layer(task, "CITY")
    result = import_export(_write(tmp_path, [task]))
    assert sorted((f.code, f.record_id) for f in result.findings) == [
        ("E704", f"{WHERE} / region k-e1"),
        ("E729", f"{WHERE} / region k-e1"),
    ]


def test_a_duplicated_result_of_one_layer_is_still_e709(tmp_path: Path) -> None:
    task = _new_task()
    _results(task).append(copy.deepcopy(_labels(task, "k-e1")))
    result = import_export(_write(tmp_path, [task]))
    assert [(f.code, f.record_id) for f in result.findings] == [("E709", f"{WHERE} / region k-e1")]


# -- 6. the entity_id box ---------------------------------------------------------------------


def test_the_entity_id_box_shows_only_on_entity_regions() -> None:
    xml = label_config()
    LabelInterface(xml).validate()
    root = ET.fromstring(xml)
    boxes = {
        control.get("name"): view.attrib
        for view in root.iter("View")
        for control in view
        if control.get("perRegion") == "true"
    }
    assert boxes["entity_id"]["visibleWhen"] == "region-selected"
    assert boxes["entity_id"]["whenTagName"] == "entity"
    assert "whenLabelValue" not in boxes["entity_id"]
    for name in ("source_kind", "source_type", "frame_id"):
        assert boxes[name]["whenTagName"] == "attribution"
        assert boxes[name]["whenLabelValue"] == "CUE"
    for name in ("polarity", "stance_id", "target_entity"):
        assert boxes[name]["whenTagName"] == "stance"
        assert boxes[name]["whenLabelValue"] == "STANCE"


def test_document_results_still_match_the_config() -> None:
    """Every result the export writes names a control of the config."""
    interface = LabelInterface(label_config())
    names = {c.name for c in interface.controls}
    results = document_results(constructed_document())
    assert {r["from_name"] for r in results if r["type"] != "relation"} <= names
