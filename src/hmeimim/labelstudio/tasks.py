"""Label Studio tasks from a release: one task per document, with its gold as results.

A task is `{"data": {"text", "doc_id"}, "meta": {...}, "predictions": [...]}` (or
`"annotations"` with `ground_truth` false, set explicitly because Label Studio makes
imported annotations ground truth otherwise). The results follow `ls_config.ls_mapping`:

- every span is a `labels` region whose id is the span id; a name mention's
  `entity_id` rides on a per-region TextArea of the same id, its `metonymy` flag on a
  per-region Choices (`true`/`false`), and a CONTENT span's `claim_id` on a TextArea;
- a frame is its cue region (the hub): TextArea `frame_id`, Choices `source_kind` and
  `source_type`, relations `source`, `content` and `parent` (to the parent frame's cue);
- a stance is its first evidence region (the hub): Choices `polarity`, relations
  `holder` (none: the writer), `target` (a mention or a claim) and `evidence` (further
  evidence spans), TextArea `target_entity` for an entity-id target, TextArea
  `target_claim` for a registered-claim target, and TextArea `stance_id` with one line
  `<stance_id> <target>` per stance (target = span id, `entity:<entity_id>` or
  `claim:<claim_id>`), so several stances can share one hub.

Stances that share a hub must share holder, polarity and evidence (E715) and have
different targets (E720); a span that is the cue of two frames cannot be shown either
(E715). Such a release is refused rather than exported lossily.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from hmeimim.errors import Finding, HmeimimError, TextsWithheld
from hmeimim.labelstudio.mapping import TEXT_CONTROL
from hmeimim.model import ANNOTATION_KEYS, TEXT_COLUMNS
from hmeimim.progress import counted
from hmeimim.schema.declaration import Schema, load_schema
from hmeimim.storage.files import atomic_stream, writing
from hmeimim.storage.records import iter_documents
from hmeimim.storage.releases import read_manifest, release_dir
from hmeimim.validation.validate import read_valid_sources

AS_CHOICES = ("predictions", "annotations")
ENTITY_TARGET = "entity:"
CLAIM_TARGET = "claim:"
# Stance target kinds whose target is no span of the document: how each is written.
OFF_DOCUMENT_TARGETS = {"entity": ENTITY_TARGET, "registered_claim": CLAIM_TARGET}
# What a cue region carries for its one frame, and a hub region for all its stances.
_FRAME_KEYS = ("frame_id", "source_kind", "source_type", "sources", "contents", "parent")
_HUB_KEYS = ("holder", "polarity", "evidence")


def model_version(version: str) -> str:
    return f"hmeimim-{version}"


def _region(
    span: Mapping[str, Any], from_name: str, kind: str, extra: dict[str, Any]
) -> dict[str, Any]:
    value: dict[str, Any] = {"start": span["start"], "end": span["end"]}
    value.update(extra)
    return {
        "id": span["span_id"],
        "from_name": from_name,
        "to_name": TEXT_CONTROL,
        "type": kind,
        "value": value,
    }


def _relation(from_id: str, to_id: str, name: str) -> dict[str, Any]:
    return {
        "type": "relation",
        "from_id": from_id,
        "to_id": to_id,
        "direction": "right",
        "labels": [name],
    }


def _refuse(
    doc_id: str, record: Mapping[str, Any], other: Mapping[str, Any], role: str, span: str
) -> HmeimimError:
    """E715 for `record`, which shares a cue or hub span with `other` but differs from it."""
    id_key = "frame_id" if role == "cue" else "stance_id"
    keys = _FRAME_KEYS if role == "cue" else _HUB_KEYS
    fields = ", ".join(k for k in keys if record.get(k) != other.get(k))
    return HmeimimError(
        "E715",
        f"doc={doc_id} id={record[id_key]}",
        role=role,
        span=span,
        other=other[id_key],
        fields=fields,
    )


def stance_target_key(stance: Mapping[str, Any]) -> str:
    """The target as written on a `stance_id` line: a span id, `entity:<entity_id>` or
    `claim:<claim_id>`."""
    target = str(stance.get("target"))
    return OFF_DOCUMENT_TARGETS.get(str(stance.get("target_kind")), "") + target


def _check_references(
    doc_id: str,
    spans: Mapping[str, Any],
    frames: list[Mapping[str, Any]],
    stances: list[Mapping[str, Any]],
) -> None:
    """E733 on the first id a region or relation would need but the document lacks."""
    frame_ids = {frame.get("frame_id") for frame in frames}
    for frame in frames:
        wanted = [("cue", frame.get("cue"))]
        wanted += [("sources", s) for s in frame.get("sources") or []]
        wanted += [("contents", c) for c in frame.get("contents") or []]
        for field, target in wanted:
            if target not in spans:
                raise HmeimimError(
                    "E733", f"doc={doc_id} id={frame.get('frame_id')}", field=field, target=target
                )
        parent = frame.get("parent")
        if parent is not None and parent not in frame_ids:
            raise HmeimimError(
                "E733", f"doc={doc_id} id={frame.get('frame_id')}", field="parent", target=parent
            )
    for stance in stances:
        wanted = [("evidence", e) for e in stance.get("evidence") or []]
        if not wanted:
            wanted = [("evidence", None)]
        if stance.get("holder") is not None:
            wanted.append(("holder", stance.get("holder")))
        if stance.get("target_kind") not in OFF_DOCUMENT_TARGETS:
            wanted.append(("target", stance.get("target")))
        for field, target in wanted:
            if target not in spans:
                raise HmeimimError(
                    "E733", f"doc={doc_id} id={stance.get('stance_id')}", field=field, target=target
                )


def document_results(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The Label Studio result list of a document's annotations (gold or one annotator)."""
    doc_id = str(doc.get("doc_id"))
    spans = {s["span_id"]: s for s in doc.get("spans") or []}
    per_region: dict[str, list[dict[str, Any]]] = {span_id: [] for span_id in spans}
    relations: list[dict[str, Any]] = []

    def add(span_id: str, from_name: str, kind: str, extra: dict[str, Any]) -> None:
        per_region[span_id].append(_region(spans[span_id], from_name, kind, extra))

    for span in spans.values():
        if span.get("entity_id") is not None:
            add(span["span_id"], "entity_id", "textarea", {"text": [span["entity_id"]]})
        if span.get("metonymy") is not None:
            flag = "true" if span["metonymy"] else "false"
            add(span["span_id"], "metonymy", "choices", {"choices": [flag]})
        if span.get("claim_id") is not None:
            add(span["span_id"], "claim_id", "textarea", {"text": [span["claim_id"]]})

    frames = list(doc.get("attributions") or [])
    _check_references(doc_id, spans, frames, list(doc.get("stances") or []))
    cue_of: dict[str, Mapping[str, Any]] = {}
    for frame in frames:
        cue = frame["cue"]
        if cue in cue_of:
            raise _refuse(doc_id, frame, cue_of[cue], "cue", cue)
        cue_of[cue] = frame
    cue_by_frame = {frame["frame_id"]: frame["cue"] for frame in frames}
    for frame in frames:
        cue = frame["cue"]
        add(cue, "frame_id", "textarea", {"text": [frame["frame_id"]]})
        add(cue, "source_kind", "choices", {"choices": [frame["source_kind"]]})
        if frame.get("source_type") is not None:
            add(cue, "source_type", "choices", {"choices": [frame["source_type"]]})
        relations += [_relation(cue, s, "source") for s in frame.get("sources") or []]
        relations += [_relation(cue, c, "content") for c in frame.get("contents") or []]
        if frame.get("parent") is not None:
            relations.append(_relation(cue, cue_by_frame[frame["parent"]], "parent"))

    hubs: dict[str, list[Mapping[str, Any]]] = {}
    for stance in doc.get("stances") or []:
        hubs.setdefault(stance["evidence"][0], []).append(stance)
    for hub, group in hubs.items():
        first = group[0]
        for other in group[1:]:
            if any(other.get(key) != first.get(key) for key in _HUB_KEYS):
                raise _refuse(doc_id, other, first, "hub", hub)
        targets = [stance_target_key(s) for s in group]
        on_target: dict[str, str] = {}
        for stance, key in zip(group, targets, strict=True):
            if key in on_target:
                raise HmeimimError(
                    "E720",
                    f"doc={doc_id} id={stance['stance_id']}",
                    span=hub,
                    target=key,
                    other=on_target[key],
                )
            on_target[key] = stance["stance_id"]
        add(hub, "polarity", "choices", {"choices": [first["polarity"]]})
        lines = [f"{s['stance_id']} {key}" for s, key in zip(group, targets, strict=True)]
        add(hub, "stance_id", "textarea", {"text": lines})
        entities = [str(s["target"]) for s in group if s.get("target_kind") == "entity"]
        if entities:
            add(hub, "target_entity", "textarea", {"text": entities})
        claims = [str(s["target"]) for s in group if s.get("target_kind") == "registered_claim"]
        if claims:
            add(hub, "target_claim", "textarea", {"text": claims})
        if first.get("holder") is not None:
            relations.append(_relation(hub, first["holder"], "holder"))
        relations += [
            _relation(hub, str(s["target"]), "target")
            for s in group
            if s.get("target_kind") not in OFF_DOCUMENT_TARGETS
        ]
        relations += [_relation(hub, e, "evidence") for e in first["evidence"][1:]]

    results: list[dict[str, Any]] = []
    for span_id, span in spans.items():
        results.append(
            _region(
                span, span["layer"], "labels", {"text": span["text"], "labels": [span["label"]]}
            )
        )
        results += per_region[span_id]
    return results + relations


def _document_meta(doc: Mapping[str, Any], schema: Schema) -> dict[str, Any]:
    skip = {"doc_id", *TEXT_COLUMNS, *ANNOTATION_KEYS}
    meta = {}
    for column in schema.tables["documents"]:
        if column.name not in skip:
            value = doc.get(column.name)
            meta[column.name] = value.isoformat() if isinstance(value, dt.date) else value
    return meta


def build_tasks(
    documents: Iterable[Mapping[str, Any]],
    *,
    version: str,
    as_: str = "predictions",
    schema: Schema | None = None,
) -> list[dict[str, Any]]:
    """One task per document (see the module docstring)."""
    if as_ not in AS_CHOICES:
        raise HmeimimError("E725", "--as", value=as_, allowed=", ".join(AS_CHOICES))
    schema = schema or load_schema()
    tasks = []
    for doc in documents:
        task: dict[str, Any] = {
            "data": {"text": doc["text"], "doc_id": doc["doc_id"]},
            "meta": {
                "hmeimim_version": version,
                "hmeimim_schema_version": schema.version,
                "document": _document_meta(doc, schema),
            },
        }
        results = document_results(doc)
        if as_ == "predictions":
            task["predictions"] = [{"model_version": model_version(version), "result": results}]
        else:
            task["annotations"] = [
                {"result": results, "ground_truth": False, "was_cancelled": False}
            ]
        tasks.append(task)
    return tasks


def iter_tasks(
    version: str | None = None, as_: str = "predictions", *, sources: Path | None = None
) -> Iterator[dict[str, Any]]:
    """The tasks of a release (default: the latest), one document at a time, or of the
    authoring folder `sources` (such as `corpus/sources` with newly ingested reports),
    which must validate (E734).

    Tasks of an authoring folder are labelled with the latest release's version, the base
    `ls import` merges them into.
    """
    folder = release_dir(version)
    manifest = read_manifest(folder)
    resolved = str(manifest.get("version"))
    if sources is None:
        schema = load_schema()
        listed = manifest.get("files")
        total = sum(
            int(entry.get("rows", 0))
            for entry in (listed.values() if isinstance(listed, dict) else [])
            if isinstance(entry, dict) and entry.get("table") == "documents"
        )
        for document in counted(iter_documents(resolved), "ls export: tasks", total):
            yield from build_tasks([document], version=resolved, as_=as_, schema=schema)
        return
    if not sources.is_dir():
        raise HmeimimError("E002", str(sources), expected="folder")
    schema = load_schema()
    read, findings = read_valid_sources(sources, schema)
    if findings:
        raise HmeimimError("E734", str(sources), count=len(findings), first=findings[0].render())
    documents = [d for d in read.records.documents if d.get("text") is not None]
    withheld = sorted(str(d["doc_id"]) for d in read.records.documents if d.get("text") is None)
    if withheld:
        finding = Finding.of(
            "E506", file=str(sources), count=len(withheld), documents=", ".join(withheld)
        )
        warnings.warn(TextsWithheld(finding), stacklevel=2)
    yield from build_tasks(documents, version=resolved, as_=as_, schema=schema)


def export_tasks(
    version: str | None = None, as_: str = "predictions", *, sources: Path | None = None
) -> list[dict[str, Any]]:
    """All tasks of `iter_tasks` as one list (what `ls push` imports in batches)."""
    return list(iter_tasks(version, as_, sources=sources))


def write_tasks(path: Path, tasks: Iterable[Mapping[str, Any]]) -> int:
    """Write tasks as one JSON array, compact, one task a line, as they come (the file is
    renamed into place only when the last one is written); the number written."""
    count = 0
    with writing(path.parent):
        path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_stream(path) as stream:
        stream.write(b"[")
        for task in tasks:
            stream.write(b",\n" if count else b"\n")
            stream.write(json.dumps(task, ensure_ascii=False, separators=(",", ":")).encode())
            count += 1
        stream.write(b"\n]\n")
    return count
