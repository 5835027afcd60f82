"""What changed between two versions, keyed by doc_id, span_id, frame_id and stance_id.

`diff_records` compares two sets of records (documents, entity and claim registries,
annotator layers) and `diff_releases` reads two written releases and compares them. Every change
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

from hmeimim.model import NESTED_IDS, CorpusRecords
from hmeimim.storage.records import read_release_records
from hmeimim.storage.releases import release_dir

KINDS = ("document", "span", "frame", "stance", "entity", "claim", "annotator_layer")
STATUSES = ("added", "removed", "changed")
# The kind of change each nested column's items are reported as.
_NESTED_KINDS = {"spans": "span", "attributions": "frame", "stances": "stance"}


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
        top = {k: v for k, v in record.items() if k not in _NESTED_KINDS}
        index["document"][doc_id] = top
        doc_of[f"document:{doc_id}"] = doc_id
        for column, kind in _NESTED_KINDS.items():
            for item in record.get(column) or []:
                key = str(item[NESTED_IDS[column]])
                index[kind][key] = {"doc_id": doc_id, **item}
                doc_of[f"{kind}:{key}"] = doc_id
    return index, doc_of


def _layers_by_key(layers: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f"{r['doc_id']}/{r['annotator']}": _plain(r) for r in layers}


@dataclass(frozen=True)
class Removal:
    """Gold spans of one document that a new version no longer has."""

    doc_id: str
    removed: int
    total: int
    whole: bool  # the document itself is gone

    def describe(self) -> str:
        if self.whole:
            return f"document {self.doc_id} removed with its {self.total} gold span(s)"
        return f"document {self.doc_id}: {self.removed} of its {self.total} gold spans removed"


def gold_removals(
    old: Iterable[Mapping[str, Any]], new: Iterable[Mapping[str, Any]], *, share: float
) -> list[Removal]:
    """Documents of `old` that `new` drops, or whose gold spans it cuts by more than `share`."""
    kept = {doc["doc_id"]: {s["span_id"] for s in doc.get("spans") or []} for doc in new}
    out = []
    for doc in old:
        spans = {s["span_id"] for s in doc.get("spans") or []}
        if doc["doc_id"] not in kept:
            out.append(Removal(doc["doc_id"], len(spans), len(spans), whole=True))
            continue
        removed = len(spans - kept[doc["doc_id"]])
        if spans and removed / len(spans) > share:
            out.append(Removal(doc["doc_id"], removed, len(spans), whole=False))
    return out


def diff_records(
    old_records: CorpusRecords,
    new_records: CorpusRecords,
    *,
    old: str | None = None,
    new: str | None = None,
) -> Diff:
    """Compare two sets of records; `old` and `new` only label the result."""
    old_index, old_docs = _index(old_records.documents)
    new_index, new_docs = _index(new_records.documents)
    doc_of = {**old_docs, **new_docs}
    changes: list[Change] = []
    for kind in ("document", "span", "frame", "stance"):
        where = {key.split(":", 1)[1]: d for key, d in doc_of.items() if key.startswith(kind + ":")}
        changes += _compare(kind, old_index[kind], new_index[kind], where)
    registry_old = {str(e["entity_id"]): _plain(e) for e in old_records.entities}
    registry_new = {str(e["entity_id"]): _plain(e) for e in new_records.entities}
    changes += _compare("entity", registry_old, registry_new, {})
    claims_old = {str(c["claim_id"]): _plain(c) for c in old_records.claims}
    claims_new = {str(c["claim_id"]): _plain(c) for c in new_records.claims}
    changes += _compare("claim", claims_old, claims_new, {})
    layers_old = _layers_by_key(old_records.annotator_layers)
    layers_new = _layers_by_key(new_records.annotator_layers)
    layer_docs = {k: k.split("/", 1)[0] for k in layers_old.keys() | layers_new.keys()}
    changes += _compare("annotator_layer", layers_old, layers_new, layer_docs)
    return Diff(old, new, changes)


def diff_folders(old: Path, new: Path) -> Diff:
    a, b = read_release_records(old), read_release_records(new)
    return diff_records(a.records, b.records, old=a.version, new=b.version)


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
