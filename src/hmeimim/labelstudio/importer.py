"""Merging a parsed Label Studio export with a base release into an authoring folder.

`import_export(path, base=..., gold=...)` merges the annotations of an export (read by
`labelstudio.parse`) with the base release into a whole authoring folder: every
document of the base, each task's document (a doc_id not in the base is a new document,
whose text is brought into the stored form, `\\n` and NFC, and whose metadata comes
from the task), one raw layer per annotator (`completed_by`) and the gold chosen by
`gold` (see `GOLD_RULES`).

Empty or skipped work never replaces gold: an empty annotation is not chosen as the gold
while a non-empty one exists (notice E726), and a gold that would still be empty leaves
the base gold of the document in place (notice E727). A gold that removes more than
`model.MAX_REMOVED_SHARE` of the document's base gold spans is a finding (E728);
`allow_removal` (the CLI's `--allow-removal`) lifts the limit.

Everything is validated before `write_import` writes anything: the export's own checks,
each annotation on its own, the JSON Schema of the records that the authoring reader
applies (new documents' metadata; findings located by task), and the whole merged
corpus. `write_import` writes the folder through a temporary sibling and one rename.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hmeimim.authoring.sources import record_schema_findings
from hmeimim.authoring.write import write_sources_folder
from hmeimim.errors import Finding, HmeimimError
from hmeimim.labelstudio.boundary import printable_finding
from hmeimim.labelstudio.parse import (
    ParsedAnnotation,
    ParsedExport,
    ParsedTask,
    read_export,
    recency,
)
from hmeimim.model import (
    ANNOTATION_KEYS,
    MAX_REMOVED_SHARE,
    TEXT_COLUMNS,
    CorpusRecords,
    text_fingerprint,
    with_fingerprint,
    with_text,
)
from hmeimim.schema.declaration import Schema, load_schema
from hmeimim.schema.jsonschema import record_json_schema
from hmeimim.storage.records import read_release_records
from hmeimim.storage.releases import SOURCES, inputs_dir, release_dir
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
    # The authoring folder the base release was built from (its kept inputs), if any:
    # unchanged files are copied from it byte for byte when the import is written.
    base_sources: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.findings


# -- merging with the base release --------------------------------------------------------


def is_empty(ann: ParsedAnnotation) -> bool:
    """An annotation without any span, frame or stance (submitted empty in the editor)."""
    return not any(ann.record.get(key) for key in ANNOTATION_KEYS)


def _pick(annotations: list[ParsedAnnotation], rule: str) -> ParsedAnnotation | None:
    if not annotations:
        return None
    if rule.startswith("annotator:"):
        wanted = rule.removeprefix("annotator:")
        return next((a for a in annotations if a.annotator == wanted), None)
    pool = annotations
    if rule == "ground-truth":
        pool = [a for a in annotations if a.ground_truth] or annotations
    return max(pool, key=recency)


def choose_gold(task: ParsedTask, rule: str) -> ParsedAnnotation | None:
    """The annotation whose work becomes the gold of the task's document.

    `ground-truth`: the annotation marked ground truth (the latest of several), else the
    most recently updated one; `latest`: the most recently updated one;
    `annotator:<id>`: that annotator's; `base`: none (the base gold stays). Under the
    first two rules an empty annotation is passed over while a non-empty one exists.
    """
    if rule == "base":
        return None
    if rule.startswith("annotator:"):
        return _pick(task.annotations, rule)
    return _pick([a for a in task.annotations if not is_empty(a)], rule) or _pick(
        task.annotations, rule
    )


def check_gold_rule(rule: str) -> None:
    if rule not in GOLD_RULES and not (rule.startswith("annotator:") and len(rule) > 10):
        allowed = ", ".join((*GOLD_RULES, "annotator:<id>"))
        raise HmeimimError("E725", "--gold", value=rule, allowed=allowed)


def _same_text(known: dict[str, Any], text: str) -> bool:
    """Whether `text` is the text a stand-off document's fingerprint names."""
    digest, length = text_fingerprint(text)
    return (digest, length) == (known.get("text_sha256"), known.get("text_length"))


def _new_document_meta(task: ParsedTask, schema: Schema) -> dict[str, Any]:
    """Metadata of a new document: data fields first, then meta.document."""
    given = task.meta.get("document")
    from_meta = given if isinstance(given, dict) else {}
    meta: dict[str, Any] = {}
    for column in schema.tables["documents"]:
        if column.name in ("doc_id", *TEXT_COLUMNS, *ANNOTATION_KEYS):
            continue
        value = task.data.get(column.name, from_meta.get(column.name))
        if column.type == "date" and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = dt.date.fromisoformat(value)
        meta[column.name] = value
    return meta


def _surrogate_findings(task: ParsedTask, schema: Schema, file: str) -> list[Finding]:
    """Metadata strings of a new document that UTF-8 (and so meta.yaml) cannot hold."""
    given = task.meta.get("document")
    from_meta = given if isinstance(given, dict) else {}
    findings = []
    for column in schema.tables["documents"]:
        if column.name in ("doc_id", *TEXT_COLUMNS, *ANNOTATION_KEYS):
            continue  # the doc_id has a pattern; the text and annotations are not metadata
        if column.name in task.data:
            key, value = f"data.{column.name}", task.data[column.name]
        else:
            key, value = f"meta.document.{column.name}", from_meta.get(column.name)
        strings = value if isinstance(value, list) else [value]
        bad = next(
            (ch for v in strings if isinstance(v, str) for ch in v if "\ud800" <= ch <= "\udfff"),
            None,
        )
        if bad is not None:
            findings.append(
                Finding.of(
                    "E711",
                    file=file,
                    doc_id=task.doc_id,
                    record_id=f"task {task.task_id}",
                    key=key,
                    expected="text without lone surrogates",
                    found=f"U+{ord(bad):04X}",
                )
            )
    return findings


def _check_new_documents(
    parsed: ParsedExport, known: dict[str, Any], schema: Schema
) -> list[Finding]:
    """The authoring reader's JSON Schema checks on each new document, located by task."""
    doc_schema = record_json_schema(schema, "documents")
    findings = []
    for task in parsed.tasks:
        if task.doc_id in known:
            continue
        where = f"task {task.task_id}"
        found = _surrogate_findings(task, schema, parsed.file)
        if not found:
            record = {
                "doc_id": task.doc_id,
                **_new_document_meta(task, schema),
                "text": task.text,
                **{key: [] for key in ANNOTATION_KEYS},
            }
            record = with_fingerprint(record, schema.column_names("documents"))
            found = record_schema_findings(record, doc_schema, parsed.file, task.doc_id)
        findings += [
            replace(f, record_id=f"{where} / {f.record_id}" if f.record_id else where)
            for f in found
        ]
    return findings


def _base_spans_removed(base: dict[str, Any], gold: dict[str, Any]) -> int:
    """Base gold spans that `gold` has neither by span id nor by layer, label and offsets."""
    ids = {s.get("span_id") for s in gold.get("spans") or []}
    places = {
        (s.get("layer"), s.get("label"), s.get("start"), s.get("end"))
        for s in gold.get("spans") or []
    }
    return sum(
        1
        for s in base.get("spans") or []
        if s.get("span_id") not in ids
        and (s.get("layer"), s.get("label"), s.get("start"), s.get("end")) not in places
    )


def _validate_layers(
    parsed: ParsedExport,
    schema: Schema,
    entity_ids: frozenset[str],
    claim_ids: frozenset[str] | None = None,
) -> list[Finding]:
    """Every annotation on its own, located by task and annotation."""
    findings = []
    for task in parsed.tasks:
        for ann in task.annotations:
            checker = CorpusChecker(
                schema, entity_ids=entity_ids, file=parsed.file, claim_ids=claim_ids
            )
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
    allow_removal: bool = False,
) -> ImportResult:
    """Merge an export with the base release (default: the latest); see the module docstring.

    `allow_removal`: let the chosen gold remove more than `MAX_REMOVED_SHARE` of a
    document's base gold spans.
    """
    max_removed_share = 1.0 if allow_removal else MAX_REMOVED_SHARE
    check_gold_rule(gold)
    schema = schema or load_schema()
    parsed = read_export(path, schema=schema)
    release = read_release_records(release_dir(base))
    kept_sources = inputs_dir(release.version) / SOURCES
    base_records = release.records
    result = ImportResult(
        file=parsed.file,
        records=CorpusRecords(
            entities=list(base_records.entities), claims=list(base_records.claims)
        ),
        base_sources=kept_sources if kept_sources.is_dir() else None,
    )
    result.notices = list(parsed.notices)
    result.findings = list(parsed.findings)
    # A base release written before schema 1.2.0 has no text fingerprints; derive them.
    columns = schema.column_names("documents")
    base_docs = {d["doc_id"]: with_fingerprint(d, columns) for d in base_records.documents}
    texts_from_tasks: dict[str, str] = {}
    for task in parsed.tasks:
        known = base_docs.get(task.doc_id)
        if known is not None and known["text"] is None and _same_text(known, task.text):
            # A stand-off document of the base: the task carries the text it withholds.
            texts_from_tasks[task.doc_id] = task.text
            known = base_docs[task.doc_id] = with_text(known, task.text)
        # Both sides in the stored form: `\r\n` or another normalization is no change.
        if known is not None and known["text"] != task.text:
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
        claim_ids = frozenset(str(c["claim_id"]) for c in base_records.claims)
        result.findings = _validate_layers(parsed, schema, entity_ids, claim_ids)
    if not result.findings:
        result.findings = _check_new_documents(parsed, base_docs, schema)
    if result.findings:
        return _printable(result)
    documents = dict(base_docs)
    layers = {
        (r["doc_id"], r["annotator"]): (
            with_text(r, texts_from_tasks[r["doc_id"]]) if r["doc_id"] in texts_from_tasks else r
        )
        for r in base_records.annotator_layers
    }
    new_docs = 0
    removals: list[Finding] = []
    for task in parsed.tasks:
        doc = documents.get(task.doc_id)
        if doc is None:
            new_docs += 1
            doc = {"doc_id": task.doc_id, **_new_document_meta(task, schema), "text": task.text}
            doc = with_fingerprint(doc, schema.column_names("documents"))
            doc.update({key: [] for key in ANNOTATION_KEYS})
        chosen = choose_gold(task, gold)
        naive = _pick(task.annotations, gold) if gold != "base" else None
        if chosen is not None and naive is not None and chosen is not naive:
            result.notices.append(
                Finding.of(
                    "E726",
                    file=parsed.file,
                    doc_id=task.doc_id,
                    record_id=naive.where,
                    kept=chosen.annotation_id,
                )
            )
        known = base_docs.get(task.doc_id)
        if chosen is not None and is_empty(chosen):
            if known is not None and any(known.get(key) for key in ANNOTATION_KEYS):
                result.notices.append(
                    Finding.of(
                        "E727",
                        file=parsed.file,
                        doc_id=task.doc_id,
                        record_id=chosen.where,
                        rule=gold,
                        count=len(known.get("spans") or []),
                        release=release.version,
                    )
                )
                chosen = None
        elif chosen is not None and known is not None and known.get("spans"):
            total = len(known["spans"])
            removed = _base_spans_removed(known, chosen.record)
            if removed > max_removed_share * total:
                removals.append(
                    Finding.of(
                        "E728",
                        file=parsed.file,
                        doc_id=task.doc_id,
                        record_id=chosen.where,
                        removed=removed,
                        total=total,
                        release=release.version,
                        allowed=f"{max_removed_share:g}",
                    )
                )
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
    where = {task.doc_id: f"task {task.task_id}" for task in parsed.tasks}
    result.findings = removals + [
        _located(f, where) for f in validate_corpus(result.records, schema=schema, file=parsed.file)
    ]
    result.counts = {
        "tasks": len(parsed.tasks),
        "annotations": sum(len(t.annotations) for t in parsed.tasks),
        "cancelled": sum(1 for n in parsed.notices if n.code == "E710"),
        "superseded": sum(1 for n in parsed.notices if n.code == "E714"),
        "new_documents": new_docs,
        "documents": len(result.records.documents),
        "annotator_layers": len(result.records.annotator_layers),
    }
    return _printable(result)


def _located(finding: Finding, where: dict[str, str]) -> Finding:
    """A finding on a document of the export, located by its task too."""
    task = where.get(finding.doc_id or "")
    if task is None:
        return finding
    record_id = f"{task} / {finding.record_id}" if finding.record_id else task
    return replace(finding, record_id=record_id)


def _printable(result: ImportResult) -> ImportResult:
    result.findings = [printable_finding(f) for f in result.findings]
    result.notices = [printable_finding(f) for f in result.notices]
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
        base=result.base_sources,
    )
