"""The round trip through a real Label Studio server (label-studio 1.23.2, SDK 2.1.2).

The latest release (v1.1.0: 17 documents) and a constructed document (emoji, Arabic with
combining marks, `\\r\\n`) are pushed; on the seed report and the constructed document,
annotator A submits the pre-annotations unchanged, annotator B submits them with edits
(a deleted span, a changed label, a new span after an emoji, a new relation), the admin
skips one task; then `hmeimim ls pull`, `hmeimim ls import` and `hmeimim agreement`
run as a lead would run them. Every expectation below is written out by hand.
"""

from __future__ import annotations

import copy
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from label_studio_sdk import LabelStudio
from ls_server import ServerInfo, create_user, running_label_studio
from ls_support import DOC_ID, constructed_document, constructed_task, latest_documents, latest_seed

from conftest import SEED_DOC
from hmeimim.authoring.sources import read_sources
from hmeimim.labelstudio.mapping import label_config
from hmeimim.schema.declaration import load_schema

PROJECT = "Hmeimim round trip"
ANNOTATION_KEYS = ("spans", "attributions", "stances")
A, B = "ann-a@example.com", "ann-b@example.com"


def _cli(info: ServerInfo, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LABEL_STUDIO_API_KEY": info.api_key}
    return subprocess.run(
        [sys.executable, "-m", "hmeimim", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def _b_edits(task_doc: str, result: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Annotator B's changes to the pre-annotations of one task."""
    out = copy.deepcopy(result)
    if task_doc == SEED_DOC:
        # Delete "Russian" (d001-e02, in no frame or stance); GPE instead of LOC for e20.
        out = [r for r in out if r.get("id") != "d001-e02"]
        for region in out:
            if region.get("id") == "d001-e20" and region["type"] == "labels":
                region["value"]["labels"] = ["GPE"]
        return out
    # A new span after the emoji: "موسكو" at [56, 61) of the \r\n text (55 + one \r),
    # and a new relation: Syria holds the stance "occupiers".
    value = {"start": 56, "end": 61, "text": "موسكو"}
    out += [
        {"id": "b-moskva", "from_name": "entity", "to_name": "text", "type": "labels",
         "value": {**value, "labels": ["GPE"]}},
        {"id": "b-moskva", "from_name": "entity_id", "to_name": "text", "type": "textarea",
         "value": {"start": 56, "end": 61, "text": ["russia"]}},
        # Schema 1.1.0: a name mention says whether it is metonymic; Moscow stands for
        # Russia's government here, as "Moscow" (k-e1) does in the English line.
        {"id": "b-moskva", "from_name": "metonymy", "to_name": "text", "type": "choices",
         "value": {"start": 56, "end": 61, "choices": ["true"]}},
        {"type": "relation", "from_id": "k-v1", "to_id": "k-e3", "direction": "right",
         "labels": ["holder"]},
    ]  # fmt: skip
    return out


def _expected_b(doc: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    if doc["doc_id"] == SEED_DOC:
        out["spans"] = [s for s in out["spans"] if s["span_id"] != "d001-e02"]
        next(s for s in out["spans"] if s["span_id"] == "d001-e20")["label"] = "GPE"
        return out
    out["spans"].append(
        {"span_id": "b-moskva", "start": 55, "end": 60, "text": "موسكو", "layer": "entity",
         "label": "GPE", "entity_id": "russia", "metonymy": True, "claim_id": None}
    )  # fmt: skip
    out["stances"][0].update(holder_kind="span", holder="k-e3")
    return out


@pytest.mark.slow
def test_round_trip_through_label_studio_with_two_annotators(
    label_studio: ServerInfo, tmp_path: Path
) -> None:
    info = label_studio
    runs = []
    push = _cli(info, "ls", "push", "--url", info.url, "--project", PROJECT)
    runs.append(push)
    assert push.returncode == 0, push.stdout + push.stderr
    # The latest release, one task per document: 17 (v1.1.0).
    released = [d["doc_id"] for d in latest_documents()]
    assert len(released) == 17
    assert "17 task(s) imported" in push.stdout
    again = _cli(info, "ls", "push", "--url", info.url, "--project", PROJECT)
    runs.append(again)
    assert "0 task(s) imported, 17 already there" in again.stdout

    admin = LabelStudio(base_url=info.url, api_key=info.api_key)
    (project,) = [p for p in admin.projects.list(title=PROJECT) if p.title == PROJECT]
    assert " ".join(project.label_config.split()) == " ".join(label_config().split())
    admin.projects.import_tasks(id=project.id, request=[constructed_task()])
    all_tasks = {t.data["doc_id"]: t for t in admin.tasks.list(project=project.id)}
    assert sorted(all_tasks) == sorted([*released, DOC_ID])
    # The two annotators work on the seed and the constructed document only.
    tasks = {doc_id: all_tasks[doc_id] for doc_id in (SEED_DOC, DOC_ID)}
    assert "\r\n" in tasks[DOC_ID].data["text"]

    users = {email: create_user(info, email) for email in (A, B)}
    clients = {e: LabelStudio(base_url=info.url, api_key=u.api_key) for e, u in users.items()}
    for task in tasks.values():
        (prediction,) = admin.predictions.list(task=task.id)
        clients[A].annotations.create(
            id=task.id, result=prediction.result, ground_truth=False, was_cancelled=False
        )
    for doc_id, task in tasks.items():
        (prediction,) = admin.predictions.list(task=task.id)
        clients[B].annotations.create(
            id=task.id,
            result=_b_edits(doc_id, prediction.result),
            ground_truth=False,
            was_cancelled=False,
        )
    admin.annotations.create(id=tasks[SEED_DOC].id, result=[], was_cancelled=True)

    export = tmp_path / "export.json"
    pull = _cli(info, "ls", "pull", "--url", info.url, "--project", PROJECT, "-o", str(export))
    runs.append(pull)
    assert pull.returncode == 0, pull.stdout + pull.stderr
    out = tmp_path / "imported"
    imported = _cli(info, "ls", "import", str(export), "-o", str(out))
    runs.append(imported)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "E710 cancelled-annotation" in imported.stdout
    # 18 tasks (the release's 17 and the constructed one), 4 annotations on two of them.
    assert "tasks 18, annotations 4, cancelled 1, superseded 0, new_documents 1" in imported.stdout

    read = read_sources(out, load_schema())
    assert read.findings == []
    seed = latest_seed()
    constructed = constructed_document()
    # The base release's 34 raw layers (corpus/sources/annotators/) are kept beside A's and B's.
    assert len(read.records.annotator_layers) == 34 + 4
    layers = {
        (r["doc_id"], r["annotator"]): r
        for r in read.records.annotator_layers
        if r["annotator"] in (A, B)
    }
    assert sorted(layers) == sorted([(SEED_DOC, A), (SEED_DOC, B), (DOC_ID, A), (DOC_ID, B)])
    for doc in (seed, constructed):
        for key in ANNOTATION_KEYS:
            assert layers[(doc["doc_id"], A)][key] == doc[key], (doc["doc_id"], key)
            assert layers[(doc["doc_id"], B)][key] == _expected_b(doc)[key], (doc["doc_id"], key)
    # Gold: no annotation is ground truth, so the latest one (B's) wins.
    docs = {d["doc_id"]: d for d in read.records.documents}
    assert docs[DOC_ID]["text"] == constructed["text"]
    for doc in (seed, constructed):
        for key in ANNOTATION_KEYS:
            assert docs[doc["doc_id"]][key] == _expected_b(doc)[key]
    assert _cli(info, "validate", str(out)).returncode == 0

    agreement = _cli(info, "agreement", str(export), "--format", "json")
    runs.append(agreement)
    assert agreement.returncode == 0, agreement.stdout + agreement.stderr
    figures = json.loads(agreement.stdout)
    assert figures["annotators"] == [A, B]
    assert (figures["documents"], figures["pairs"]) == (2, 2)
    entity = figures["spans"]["entity"]
    # 70 mentions each: the seed's 55 name and 11 value mentions (v1.1.0) and the
    # constructed document's 4 (B: one deleted, one new); 68 identical (e02 deleted, e20
    # relabelled, one new span of B). F1 = 2 * 68 / (70 + 70) = 0.9714.
    assert entity["exact"] == {"matched": 68, "a": 70, "b": 70, "f1": 0.9714}
    assert entity["overlap"] == {"matched": 68, "a": 70, "b": 70, "f1": 0.9714}
    assert entity["labels"]["LOC"]["exact"] == {"matched": 3, "a": 4, "b": 3, "f1": 0.8571}
    assert entity["labels"]["GPE"]["exact"] == {"matched": 24, "a": 24, "b": 26, "f1": 0.96}
    assert entity["labels"]["NORP"]["exact"] == {"matched": 13, "a": 14, "b": 13, "f1": 0.963}
    assert figures["spans"]["attribution"]["exact"]["f1"] == 1.0
    assert figures["spans"]["stance"]["exact"] == {"matched": 12, "a": 12, "b": 12, "f1": 1.0}
    assert figures["frames"] == {"matched": 11, "a": 11, "b": 11, "f1": 1.0}
    assert figures["relations"]["all"] == {"matched": 42, "a": 42, "b": 43, "f1": 0.9882}
    assert figures["relations"]["by_type"]["holder"] == {
        "matched": 6, "a": 6, "b": 7, "f1": 0.9231
    }  # fmt: skip
    # Alpha units (src/hmeimim/agreement/metrics.py): polarity has one unit per pair of
    # stances of A and B with the same aligned (holder, target). The seed's 12 stances are
    # the same for both (B's edits, e02 and e20, are in no stance): 12 units. In the
    # constructed document B moved k-st1's holder from the writer to k-e3, so A's
    # (writer, k-e4) has no partner in B: no unit. 12 + 0 = 12 (not 11: the unpaired
    # stance adds nothing, it does not take a seed unit away).
    assert figures["alpha"]["polarity"] == {"alpha": 1.0, "units": 12, "undefined": None}
    # source_type: one unit per pair of frames matched on cue+source with a type on both
    # sides: the seed's 10 frames and the constructed document's 1, unchanged by B: 11.
    assert figures["alpha"]["source_type"] == {"alpha": 1.0, "units": 11, "undefined": None}

    # The API key appears in no output and in no written file.
    for run in runs:
        assert info.api_key not in run.stdout + run.stderr
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert info.api_key.encode() not in path.read_bytes(), path


def test_pull_without_api_key_is_a_coded_error(label_studio: ServerInfo, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "LABEL_STUDIO_API_KEY"}
    run = subprocess.run(
        [sys.executable, "-m", "hmeimim", "ls", "pull", "--url", label_studio.url,
         "-o", str(tmp_path / "x.json")],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert "E716" in run.stderr
    assert not (tmp_path / "x.json").exists()


def test_wrong_api_key_is_a_coded_error_without_the_key(label_studio: ServerInfo) -> None:
    wrong = "0" * 40
    env = {**os.environ, "LABEL_STUDIO_API_KEY": wrong}
    run = subprocess.run(
        [sys.executable, "-m", "hmeimim", "ls", "push", "--url", label_studio.url],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert "E717" in run.stderr
    assert "HTTP 401" in run.stderr
    assert wrong not in run.stdout + run.stderr


def test_a_busy_port_moves_the_server_and_is_detected(
    label_studio: ServerInfo, tmp_path_factory: pytest.TempPathFactory
) -> None:
    import shutil

    data = tmp_path_factory.mktemp("ls-second") / "data"
    template = label_studio.venv_bin.parent / "hmeimim-data"
    (source,) = [p for p in template.iterdir() if p.name.startswith("template-")]
    shutil.copytree(source, data)
    with socket.socket() as blocker:
        blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        busy = blocker.getsockname()[1]
        with running_label_studio(label_studio.venv_bin, data, port=busy) as second:
            assert second.requested_port == busy
            assert second.port != busy
            assert second.url != label_studio.url
