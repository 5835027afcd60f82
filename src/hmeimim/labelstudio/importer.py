"""Merging a parsed Label Studio export with a base release into an authoring folder.

`import_export(path, base=..., gold=...)` merges the annotations of an export (read by
`labelstudio.parse`) with the base release into a whole authoring folder: every
document of the base, each task's document (a doc_id not in the base is a new document,
whose text is checked against nothing but whose metadata comes from the task), one raw
layer per annotator (`completed_by`) and the gold chosen by `gold` (see `GOLD_RULES`).
Everything is validated before `write_import` writes anything, and that writes the
folder through a temporary sibling and one rename.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hmeimim.authoring.write import write_sources_folder
from hmeimim.errors import Finding, HmeimimError
from hmeimim.labelstudio.parse import (
    ParsedAnnotation,
    ParsedExport,
    ParsedTask,
    read_export,
    recency,
)
from hmeimim.model import ANNOTATION_KEYS, CorpusRecords
from hmeimim.schema.declaration import Schema, load_schema
from hmeimim.storage.records import read_release_records
from hmeimim.storage.releases import release_dir
from hmeimim.validation.checks import CorpusChecker
from hmeimim.validation.validate import Report, validate_corpus

GOLD_RULES = ("ground-truth", "latest", "base")


@dataclass
class ImportResult:
    """The merged records, or the findings that stop them from being written."""

    file: str
    records: CorpusRecords = field(default_factory=CorpusRecords)
    findings: list[Finding] = field(default_factory=list)
    notices: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.findings


# -- merging with the base release --------------------------------------------------------


def choose_gold(task: ParsedTask, rule: str) -> ParsedAnnotation | None:
    """The annotation whose work becomes the gold of the task's document.

    `ground-truth`: the annotation marked ground truth (the latest of several), else the
    most recently updated one; `latest`: the most recently updated one;
    `annotator:<id>`: that annotator's; `base`: none (the base gold stays).
    """
    if rule == "base" or not task.annotations:
        return None
    if rule.startswith("annotator:"):
        wanted = rule.removeprefix("annotator:")
        return next((a for a in task.annotations if a.annotator == wanted), None)
    pool = task.annotations
    if rule == "ground-truth":
        pool = [a for a in task.annotations if a.ground_truth] or task.annotations
    return max(pool, key=recency)


def check_gold_rule(rule: str) -> None:
    if rule not in GOLD_RULES and not (rule.startswith("annotator:") and len(rule) > 10):
        allowed = ", ".join((*GOLD_RULES, "annotator:<id>"))
        raise HmeimimError("E725", "--gold", value=rule, allowed=allowed)


def _new_document_meta(task: ParsedTask, schema: Schema) -> dict[str, Any]:
    """Metadata of a new document: data fields first, then meta.document."""
    given = task.meta.get("document")
    from_meta = given if isinstance(given, dict) else {}
    meta: dict[str, Any] = {}
    for column in schema.tables["documents"]:
        if column.name in ("doc_id", "text", *ANNOTATION_KEYS):
            continue
        value = task.data.get(column.name, from_meta.get(column.name))
        if column.type == "date" and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = dt.date.fromisoformat(value)
        meta[column.name] = value
    return meta


def _validate_layers(
    parsed: ParsedExport, schema: Schema, entity_ids: frozenset[str]
) -> list[Finding]:
    """Every annotation on its own, located by task and annotation."""
    findings = []
    for task in parsed.tasks:
        for ann in task.annotations:
            checker = CorpusChecker(schema, entity_ids=entity_ids, file=parsed.file)
            checker.texts[task.doc_id] = task.text
            row = {"doc_id": task.doc_id, "annotator": ann.annotator, **ann.record}
            for f in checker.check_document(row, table="annotator_layers"):
                rid = f"{ann.where} / {f.record_id}" if f.record_id else ann.where
                findings.append(replace(f, file=parsed.file, record_id=rid))
    return findings


def import_export(
    path: Path,
    *,
    base: str | None = None,
    gold: str = "ground-truth",
    schema: Schema | None = None,
) -> ImportResult:
    """Merge an export with the base release (default: the latest); see the module docstring."""
    check_gold_rule(gold)
    schema = schema or load_schema()
    parsed = read_export(path, schema=schema)
    release = read_release_records(release_dir(base))
    base_records = release.records
    result = ImportResult(
        file=parsed.file, records=CorpusRecords(entities=list(base_records.entities))
    )
    result.notices = list(parsed.notices)
    result.findings = list(parsed.findings)
    base_docs = {d["doc_id"]: d for d in base_records.documents}
    for task in parsed.tasks:
        known = base_docs.get(task.doc_id)
        if known is not None and known["text"] != task.raw_text:
            result.findings.append(
                Finding.of(
                    "E712",
                    file=parsed.file,
                    doc_id=task.doc_id,
                    record_id=f"task {task.task_id}",
                    release=release.version,
                )
            )
    if not result.findings:
        entity_ids = frozenset(str(e["entity_id"]) for e in base_records.entities)
        result.findings = _validate_layers(parsed, schema, entity_ids)
    if result.findings:
        return result
    documents = dict(base_docs)
    layers = {(r["doc_id"], r["annotator"]): r for r in base_records.annotator_layers}
    new_docs = 0
    for task in parsed.tasks:
        doc = documents.get(task.doc_id)
        if doc is None:
            new_docs += 1
            doc = {"doc_id": task.doc_id, **_new_document_meta(task, schema), "text": task.text}
            doc.update({key: [] for key in ANNOTATION_KEYS})
        chosen = choose_gold(task, gold)
        if chosen is not None:
            doc = {**doc, **chosen.record}
        documents[task.doc_id] = doc
        for ann in task.annotations:
            layers[(task.doc_id, ann.annotator)] = {
                "doc_id": task.doc_id,
                "annotator": ann.annotator,
                **ann.record,
            }
    result.records.documents = [documents[k] for k in sorted(documents)]
    result.records.annotator_layers = [layers[k] for k in sorted(layers)]
    result.findings = validate_corpus(result.records, schema=schema, file=parsed.file)
    result.counts = {
        "tasks": len(parsed.tasks),
        "annotations": sum(len(t.annotations) for t in parsed.tasks),
        "cancelled": sum(1 for n in parsed.notices if n.code == "E710"),
        "superseded": sum(1 for n in parsed.notices if n.code == "E714"),
        "new_documents": new_docs,
        "documents": len(result.records.documents),
        "annotator_layers": len(result.records.annotator_layers),
    }
    return result


def check_export(path: Path, report: Report, schema: Schema) -> None:
    """Add to `report` everything `hmeimim ls import` would find in `path`; write nothing."""
    report.files += 1
    try:
        result = import_export(path, schema=schema)
    except HmeimimError as error:
        report.findings.append(Finding.from_error(error, file=str(path)))
        return
    report.readable += 1
    report.documents += result.counts.get("tasks", 0)
    report.findings.extend(result.findings)


# -- writing the authoring folder ---------------------------------------------------------


def write_import(result: ImportResult, out_dir: Path, schema: Schema | None = None) -> Path:
    """Write the authoring folder (same layout as corpus/sources) atomically.

    Refuses (E719) an existing `out_dir` and (E724) a result with findings.
    """
    if result.findings:
        raise HmeimimError("E724", result.file, count=len(result.findings))
    if out_dir.exists():
        raise HmeimimError("E719", str(out_dir))
    return write_sources_folder(
        out_dir,
        records=result.records,
        origin=f"`hmeimim ls import` from {result.file}",
        schema=schema or load_schema(),
    )
