"""What changed between two versions, keyed by doc_id, span_id, frame_id and stance_id.

`diff_records` compares two sets of records (documents, entity registry, annotator
layers) and `diff_releases` reads two written releases and compares them. Every change
is `added`, `removed` or `changed`; a change lists the fields that differ with their old
and new values. Spans, frames and stances are keyed by their own id across the whole
corpus, so a span that moved to another document shows as a change of its `doc_id`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hmeimim.storage import (
    ANNOTATORS_FILE,
    ENTITIES_FILE,
    document_files,
    iter_records,
    read_manifest,
    release_dir,
)

KINDS = ("document", "span", "frame", "stance", "entity", "annotator_layer")
STATUSES = ("added", "removed", "changed")
_NESTED = {"spans": ("span", "span_id"), "attributions": ("frame", "frame_id")}
_NESTED["stances"] = ("stance", "stance_id")


@dataclass(frozen=True)
class Change:
    kind: str
    key: str
    status: str
    doc_id: str | None = None
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "status": self.status,
            "doc_id": self.doc_id,
            "fields": {name: {"old": old, "new": new} for name, (old, new) in self.fields.items()},
        }


@dataclass
class Diff:
    old: str | None
    new: str | None
    changes: list[Change] = field(default_factory=list)

    def count(self, kind: str, status: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind and c.status == status)

    def keys(self, kind: str, status: str) -> list[str]:
        return [c.key for c in self.changes if c.kind == kind and c.status == status]

    def summary(self) -> dict[str, dict[str, int]]:
        return {k: {s: self.count(k, s) for s in STATUSES} for k in KINDS}

    @property
    def empty(self) -> bool:
        return not self.changes

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "summary": self.summary(),
            "changes": [c.to_dict() for c in self.changes],
        }


def _plain(value: Any) -> Any:
    """JSON-friendly values: dates as ISO strings, nested lists and dicts recursively."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _compare(
    kind: str,
    old: Mapping[str, dict[str, Any]],
    new: Mapping[str, dict[str, Any]],
    doc_of: Mapping[str, str | None],
) -> list[Change]:
    changes = []
    for key in sorted(old.keys() | new.keys()):
        doc_id = doc_of.get(key)
        if key not in old:
            changes.append(Change(kind, key, "added", doc_id))
        elif key not in new:
            changes.append(Change(kind, key, "removed", doc_id))
        else:
            before, after = old[key], new[key]
            fields = {
                name: (before.get(name), after.get(name))
                for name in sorted(before.keys() | after.keys())
                if before.get(name) != after.get(name)
            }
            if fields:
                changes.append(Change(kind, key, "changed", doc_id, fields))
    return changes


def _index(
    documents: Iterable[Mapping[str, Any]],
) -> tuple[dict[str, dict[str, dict[str, Any]]], dict[str, str | None]]:
    """Records by kind and key; nested items carry their document's doc_id."""
    index: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in KINDS}
    doc_of: dict[str, str | None] = {}
    for document in documents:
        record = _plain(document)
        doc_id = str(record["doc_id"])
        top = {k: v for k, v in record.items() if k not in _NESTED}
        index["document"][doc_id] = top
        doc_of[f"document:{doc_id}"] = doc_id
        for column, (kind, id_field) in _NESTED.items():
            for item in record.get(column) or []:
                key = str(item[id_field])
                index[kind][key] = {"doc_id": doc_id, **item}
                doc_of[f"{kind}:{key}"] = doc_id
    return index, doc_of


def diff_records(
    *,
    old_documents: Iterable[Mapping[str, Any]],
    new_documents: Iterable[Mapping[str, Any]],
    old_entities: Iterable[Mapping[str, Any]] = (),
    new_entities: Iterable[Mapping[str, Any]] = (),
    old_annotator_layers: Iterable[Mapping[str, Any]] = (),
    new_annotator_layers: Iterable[Mapping[str, Any]] = (),
    old: str | None = None,
    new: str | None = None,
) -> Diff:
    """Compare two sets of records; `old` and `new` only label the result."""
    old_index, old_docs = _index(old_documents)
    new_index, new_docs = _index(new_documents)
    doc_of = {**old_docs, **new_docs}
    changes: list[Change] = []
    for kind in ("document", "span", "frame", "stance"):
        where = {key.split(":", 1)[1]: d for key, d in doc_of.items() if key.startswith(kind + ":")}
        changes += _compare(kind, old_index[kind], new_index[kind], where)
    registry_old = {str(e["entity_id"]): _plain(e) for e in old_entities}
    registry_new = {str(e["entity_id"]): _plain(e) for e in new_entities}
    changes += _compare("entity", registry_old, registry_new, {})
    layers_old = {f"{r['doc_id']}/{r['annotator']}": _plain(r) for r in old_annotator_layers}
    layers_new = {f"{r['doc_id']}/{r['annotator']}": _plain(r) for r in new_annotator_layers}
    layer_docs = {k: k.split("/", 1)[0] for k in layers_old.keys() | layers_new.keys()}
    changes += _compare("annotator_layer", layers_old, layers_new, layer_docs)
    return Diff(old, new, changes)


@dataclass(frozen=True)
class ReleaseRecords:
    version: str
    manifest: dict[str, Any]
    documents: list[dict[str, Any]]
    entities: list[dict[str, Any]]
    annotator_layers: list[dict[str, Any]]


def read_release_records(folder: Path) -> ReleaseRecords:
    """Every record of a written release folder."""
    manifest = read_manifest(folder)
    documents = [r for path in document_files(folder) for r in iter_records(path)]
    entities = list(iter_records(folder / ENTITIES_FILE))
    layers = list(iter_records(folder / ANNOTATORS_FILE))
    return ReleaseRecords(str(manifest.get("version")), manifest, documents, entities, layers)


def diff_folders(old: Path, new: Path) -> Diff:
    a, b = read_release_records(old), read_release_records(new)
    return diff_records(
        old_documents=a.documents,
        new_documents=b.documents,
        old_entities=a.entities,
        new_entities=b.entities,
        old_annotator_layers=a.annotator_layers,
        new_annotator_layers=b.annotator_layers,
        old=a.version,
        new=b.version,
    )


def diff_releases(old: str, new: str, *, root: Path | None = None) -> Diff:
    """What changed from release `old` to release `new` (versions such as 1.0.0)."""
    return diff_folders(release_dir(old, root), release_dir(new, root))


def render_text(diff: Diff) -> str:
    """The diff for people: a count table, then one line per change with its fields."""
    lines = [f"diff {diff.old} -> {diff.new}"]
    for kind, counts in diff.summary().items():
        if any(counts.values()):
            parts = ", ".join(f"{n} {status}" for status, n in counts.items())
            lines.append(f"  {kind}s: {parts}")
    if diff.empty:
        lines.append("  no changes")
    marks = {"added": "+", "removed": "-", "changed": "~"}
    for change in diff.changes:
        where = f" (doc {change.doc_id})" if change.doc_id and change.kind != "document" else ""
        lines.append(f"{marks[change.status]} {change.kind} {change.key}{where}")
        for name, (before, after) in change.fields.items():
            lines.append(f"    {name}: {_short(before)} -> {_short(after)}")
    return "\n".join(lines)


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
