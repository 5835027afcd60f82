"""What changed between two versions, keyed by doc_id, span_id, frame_id and stance_id.

`diff_records` compares two sets of records (documents, entity and claim registries,
annotator layers) in memory. `diff_releases` / `diff_folders` compare two written releases
without reading them into Python: DuckDB joins the files the manifests list on their ids
(documents a range of doc_ids at a time, the nested items only of the documents whose
lists differ) and hands over just the rows that may differ; `_fields` then compares
those in Python exactly as `diff_records` does, so both give the same changes. Like
validation, the join takes ids as unique within a release; `diff_records` keeps the last
record of a repeated id.

Every change is `added`, `removed` or `changed`; a change lists the fields that differ
with their old and new values. Spans, frames and stances are keyed by their own id across
the whole corpus, so a span that moved to another document shows as a change of its
`doc_id`. Changes come by kind (`KINDS`), then by key.
"""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from hmeimim.model import (
    ANNOTATORS_FILE,
    CLAIMS_FILE,
    ENTITIES_FILE,
    NESTED_IDS,
    SPLITS,
    CorpusRecords,
)
from hmeimim.storage.parquet import iter_records, open_parquet, read_arrow_schema
from hmeimim.storage.releases import (
    FILE_TABLES,
    document_files,
    read_manifest,
    release_dir,
    release_file,
    release_schema,
)
from hmeimim.validation.engine import scratch_connection

# Rows of document files (both releases together) that one join takes at a time.
PARTITION_ROWS = 8192

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
            fields = _fields(old[key], new[key])
            if fields:
                changes.append(Change(kind, key, "changed", doc_id, fields))
    return changes


def _fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The fields whose values differ, by name; a field one side lacks counts as None."""
    return {
        name: (before.get(name), after.get(name))
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    }


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
    """What changed from release folder `old` to release folder `new`.

    DuckDB joins the two releases' flattened tables on their ids (see `_Join`); only the
    rows that differ reach Python. Where DuckDB cannot read a file, or a nested column
    is not a list of records with ids, the same files are read into records and
    compared with `diff_records`, which reports damage (E001) as every other reader does.
    """
    a, b = _ReleaseFiles.of(old), _ReleaseFiles.of(new)
    changes = _joined_changes(a, b)
    if changes is None:
        return diff_records(a.records(), b.records(), old=a.version, new=b.version)
    return Diff(a.version, b.version, changes)


def diff_releases(old: str, new: str, *, root: Path | None = None) -> Diff:
    """What changed from release `old` to release `new` (versions such as 1.0.0)."""
    return diff_folders(release_dir(old, root), release_dir(new, root))


# Errors in the SQL itself, as opposed to files DuckDB cannot read.
_MISTAKES = (
    duckdb.BinderException,
    duckdb.ParserException,
    duckdb.CatalogException,
    duckdb.NotImplementedException,
)
# The files of each table in a release folder of a manifest that does not say.
_FIXED_FILES = {
    "annotator_layers": ANNOTATORS_FILE,
    "entities": ENTITIES_FILE,
    "claims": CLAIMS_FILE,
}
# The key columns of the flat tables, and how a key names its document.
_FLAT_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "entities": ("entity", ("entity_id",)),
    "claims": ("claim", ("claim_id",)),
    "annotator_layers": ("annotator_layer", ("doc_id", "annotator")),
}


# A column one side does not have: a null there, as `.get` gives in `diff_records`.
_ABSENT = object()


@dataclass(frozen=True)
class _Table:
    """The files of one table of a release and the Arrow type of each column (None where
    the files disagree)."""

    files: tuple[Path, ...] = ()
    columns: dict[str, pa.DataType | None] = field(default_factory=dict)

    @classmethod
    def of(cls, files: Sequence[Path]) -> _Table:
        columns: dict[str, pa.DataType | None] = {}
        for path in files:
            for column in read_arrow_schema(path):
                seen = columns.get(column.name, column.type)
                columns[column.name] = column.type if seen == column.type else None
        return cls(tuple(files), columns)


@dataclass(frozen=True)
class _ReleaseFiles:
    """The Parquet files of one release by table, as its manifest lists them."""

    version: str
    tables: dict[str, _Table]

    @classmethod
    def of(cls, folder: Path) -> _ReleaseFiles:
        manifest = read_manifest(folder)
        listed: dict[str, list[tuple[int, str]]] = {}
        for name, entry in manifest["files"].items():
            given = entry.get("table") if isinstance(entry, dict) else None
            table = given if isinstance(given, str) else FILE_TABLES.get(name)
            split = entry.get("split") if isinstance(entry, dict) else None
            order = SPLITS.index(split) if split in SPLITS else len(SPLITS)
            if table is not None:
                listed.setdefault(table, []).append((order, name))
        wanted = ["documents", "annotator_layers", "entities"]
        if "claims" in release_schema(folder, manifest).tables:
            wanted.append("claims")
        tables = {}
        for table in wanted:
            if table in listed:
                files = [release_file(folder, name) for _, name in sorted(listed[table])]
            elif table == "documents":
                files = document_files(folder)
            else:
                files = [release_file(folder, _FIXED_FILES[table])]
            tables[table] = _Table.of(files)
        return cls(str(manifest.get("version")), tables)

    def table(self, name: str) -> _Table:
        return self.tables.get(name, _Table())

    def records(self) -> CorpusRecords:
        """Every record of the listed files, for the whole-dict comparison."""

        def read(table: str) -> list[dict[str, Any]]:
            return [r for path in self.table(table).files for r in iter_records(path)]

        return CorpusRecords(
            documents=read("documents"),
            annotator_layers=read("annotator_layers"),
            entities=read("entities"),
            claims=read("claims"),
        )


class _Unsupported(Exception):
    """A nested column that is not a list of records with ids: no join for it."""


def _joined_changes(old: _ReleaseFiles, new: _ReleaseFiles) -> list[Change] | None:
    """The changes from `old` to `new`, by DuckDB; None when DuckDB cannot read a file
    or a nested column has a shape the join does not handle."""
    with tempfile.TemporaryDirectory(prefix="hmeimim-diff-") as scratch:
        join = _Join(Path(scratch))
        try:
            changes = join.documents(old.table("documents"), new.table("documents"))
            for table, (kind, keys) in _FLAT_KEYS.items():
                changes += join.flat(kind, keys, old.table(table), new.table(table))
        except _MISTAKES:
            raise  # SQL that DuckDB cannot plan is a bug here, never a property of the data
        except (duckdb.Error, _Unsupported):
            return None
        finally:
            join.con.close()
    order = {kind: i for i, kind in enumerate(KINDS)}
    return sorted(changes, key=lambda c: (order[c.kind], c.key))


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _key(table: _Table, keys: Sequence[str], alias: str = "") -> str:
    """The key of a row as the dict-based diff spells it: ids joined by "/", None for null."""
    parts = [
        f"coalesce(CAST({alias}{_ident(k)} AS VARCHAR), 'None')" if k in table.columns else "'None'"
        for k in keys
    ]
    return " || '/' || ".join(parts)


def _differs(a: str, b: str, type_a: Any, type_b: Any) -> str:
    """SQL that is true when values `a` and `b` may differ: exactly where both have the
    same type (or one side is a null stand-in), otherwise whenever either is set, for
    Python to decide."""
    if type_a is _ABSENT or type_b is _ABSENT or (type_a is not None and type_a == type_b):
        return f"({a} IS DISTINCT FROM {b})"
    return f"({a} IS NOT NULL OR {b} IS NOT NULL)"


def _type(table: _Table, column: str) -> Any:
    return table.columns.get(column, _ABSENT)


def _struct(alias: str, columns: Sequence[str]) -> str:
    return "{" + ", ".join(f"{_string(c)}: {alias}.{_ident(c)}" for c in columns) + "}"


def _item_fields(table: _Table, column: str) -> dict[str, pa.DataType] | None:
    kind = table.columns.get(column)
    if not isinstance(kind, pa.ListType | pa.LargeListType):
        return None
    if not pa.types.is_struct(kind.value_type):
        return None
    return {f.name: f.type for f in kind.value_type}


def _boundaries(tables: Sequence[_Table]) -> list[str]:
    """doc_ids that cut the documents of `tables` into ranges of about `PARTITION_ROWS`
    rows, from the row-group statistics of the files; none where a file has none."""
    groups: list[tuple[str, int]] = []
    for table in tables:
        for path in table.files:
            metadata = open_parquet(path).metadata
            for g in range(metadata.num_row_groups):
                group = metadata.row_group(g)
                columns = [group.column(c) for c in range(group.num_columns)]
                stats = [c.statistics for c in columns if c.path_in_schema == "doc_id"]
                if not stats or stats[0] is None or not stats[0].has_min_max:
                    return []
                try:
                    low = stats[0].min
                except ValueError:  # not UTF-8: DuckDB's reading of the file reports it
                    return []
                if not isinstance(low, str):
                    return []
                groups.append((low, group.num_rows))
    cuts: list[str] = []
    count = 0
    for low, size in sorted(groups):
        if count >= PARTITION_ROWS and (not cuts or low > cuts[-1]):
            cuts.append(low)
            count = 0
        count += size
    return cuts


def _ranges(cuts: Sequence[str]) -> list[str]:
    """Conditions on doc_id that together keep every row once (null ids in the last)."""
    if not cuts:
        return ["true"]
    column = _ident("doc_id")
    ranges = [f"{column} < {_string(cuts[0])}"]
    ranges += [
        f"{column} >= {_string(low)} AND {column} < {_string(high)}"
        for low, high in itertools.pairwise(cuts)
    ]
    ranges.append(f"({column} >= {_string(cuts[-1])} OR {column} IS NULL)")
    return ranges


class _Join:
    """One DuckDB connection that joins the tables of two releases on their ids."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.con = scratch_connection(scratch)
        # The library never prints; DuckDB would draw a bar on long queries.
        self.con.execute("SET enable_progress_bar = false")
        self.links: dict[Path, str] = {}

    def link(self, path: Path) -> str:
        """A plain name for `path`, so that no character of it is read as a glob."""
        if path not in self.links:
            name = self.scratch / f"f{len(self.links)}.parquet"
            name.symlink_to(path.resolve())
            self.links[path] = _string(str(name))
        return self.links[path]

    def side(
        self, table: _Table, keys: Sequence[str], columns: Sequence[str], where: str = "true"
    ) -> str:
        """The rows of `table` with their key `_k` and `columns` (null where it has none),
        those that `where` keeps."""
        if not table.files:
            nulls = "".join(f", NULL AS {_ident(c)}" for c in columns)
            return f"(SELECT NULL::VARCHAR AS _k{nulls} WHERE false)"
        picked = "".join(
            f", {_ident(c)}" if c in table.columns else f", NULL AS {_ident(c)}" for c in columns
        )
        files = ", ".join(self.link(p) for p in table.files)
        source = f"read_parquet([{files}], union_by_name = true)"
        return f"(SELECT {_key(table, keys)} AS _k{picked} FROM {source} WHERE {where})"

    def rows(self, sql: str) -> list[dict[str, Any]]:
        table: pa.Table = self.con.sql(sql).to_arrow_table()
        rows: list[dict[str, Any]] = table.to_pylist()
        return rows

    def flat(self, kind: str, keys: Sequence[str], old: _Table, new: _Table) -> list[Change]:
        """Changes of a table compared row by row (registries, annotator layers)."""
        if not old.files and not new.files:
            return []
        columns = sorted(old.columns.keys() | new.columns.keys())
        differs = " OR ".join(
            _differs(f"o.{_ident(c)}", f"n.{_ident(c)}", _type(old, c), _type(new, c))
            for c in columns
        )
        both = "o._k IS NOT NULL AND n._k IS NOT NULL"
        sql = f"""
            SELECT coalesce(o._k, n._k) AS key, o._k IS NOT NULL AS in_old,
                n._k IS NOT NULL AS in_new,
                CASE WHEN {both} THEN {_struct("o", columns)} END AS before,
                CASE WHEN {both} THEN {_struct("n", columns)} END AS after
            FROM {self.side(old, keys, columns)} AS o
            FULL OUTER JOIN {self.side(new, keys, columns)} AS n ON o._k = n._k
            WHERE o._k IS NULL OR n._k IS NULL OR {differs or "false"}
        """
        changes = []
        for row in self.rows(sql):
            key = row["key"]
            doc_id = key.split("/", 1)[0] if kind == "annotator_layer" else None
            changes += _change(kind, key, doc_id, row)
        return changes

    def documents(self, old: _Table, new: _Table) -> list[Change]:
        """Changes of documents (without their nested lists) and of the spans, frames and
        stances in them.

        One join on doc_id keeps the documents that differ; the nested items are then
        unnested from just the documents whose list of them differs, and joined on their
        own ids. Items of a list that is the same in both versions are the same items in
        the same document, so they cannot have changed.
        """
        if not old.files and not new.files:
            return []
        columns = sorted(old.columns.keys() | new.columns.keys())
        top = [c for c in columns if c not in _NESTED_KINDS]
        nested = [c for c in _NESTED_KINDS if c in columns]
        top_differs = " OR ".join(
            _differs(f"o.{_ident(c)}", f"n.{_ident(c)}", _type(old, c), _type(new, c)) for c in top
        )
        lists_differ = {
            c: _differs(f"o.{_ident(c)}", f"n.{_ident(c)}", _type(old, c), _type(new, c))
            for c in nested
        }
        both = "o._k IS NOT NULL AND n._k IS NOT NULL"
        changed_top = f"{both} AND ({top_differs or 'false'})"
        picked = "".join(
            f", CASE WHEN {differs} THEN o.{_ident(c)} END AS {_ident('o_' + c)}"
            f", CASE WHEN {differs} THEN n.{_ident(c)} END AS {_ident('n_' + c)}"
            for c, differs in lists_differ.items()
        )
        where = " OR ".join(
            ["o._k IS NULL", "n._k IS NULL", f"({top_differs or 'false'})", *lists_differ.values()]
        )
        # One join per range of doc_ids, so that DuckDB holds one range of documents at a
        # time whatever the size of the releases; row-group statistics let it skip the rest.
        for i, part in enumerate(_ranges(_boundaries([old, new]))):
            self.con.execute(f"""
                {"CREATE TEMP TABLE pairs AS" if i == 0 else "INSERT INTO pairs"}
                SELECT coalesce(o._k, n._k) AS _k, o._k IS NOT NULL AS in_old,
                    n._k IS NOT NULL AS in_new,
                    CASE WHEN {changed_top} THEN {_struct("o", top)} END AS before,
                    CASE WHEN {changed_top} THEN {_struct("n", top)} END AS after{picked}
                FROM {self.side(old, ["doc_id"], columns, part)} AS o
                FULL OUTER JOIN {self.side(new, ["doc_id"], columns, part)} AS n ON o._k = n._k
                WHERE {where}
            """)
        rows = self.rows("""
            SELECT _k AS key, in_old, in_new, before, after FROM pairs
            WHERE NOT (in_old AND in_new) OR before IS NOT NULL
        """)
        changes = []
        for row in rows:
            changes += _change("document", row["key"], row["key"], row)
        for column in nested:
            changes += self.items(column, old, new)
        return changes

    def items(self, column: str, old: _Table, new: _Table) -> list[Change]:
        """Changes of the items of nested `column` in the documents whose lists differ."""
        kind, id_field = _NESTED_KINDS[column], NESTED_IDS[column]
        fields_old, fields_new = _item_fields(old, column), _item_fields(new, column)
        for table, fields in ((old, fields_old), (new, fields_new)):
            if column in table.columns and (fields is None or id_field not in fields):
                raise _Unsupported(column)

        def unnested(side: str, fields: dict[str, pa.DataType] | None) -> str:
            if fields is None:
                # The release has no such column: rows of the other side only.
                return "(SELECT NULL::VARCHAR AS _d, NULL AS item, NULL::VARCHAR AS _i WHERE false)"
            listed = _ident(f"{side}_{column}")
            return f"""(
                SELECT _d, item, coalesce(CAST(item.{_ident(id_field)} AS VARCHAR), 'None') AS _i
                FROM (SELECT _k AS _d, unnest({listed}) AS item FROM pairs
                      WHERE {listed} IS NOT NULL)
            )"""

        if fields_old is not None and fields_new is not None and fields_old == fields_new:
            differs = "o.item IS DISTINCT FROM n.item"
        elif fields_old is not None and fields_new is not None:
            differs = " OR ".join(
                _differs(
                    f"o.item.{_ident(f)}" if f in fields_old else "NULL",
                    f"n.item.{_ident(f)}" if f in fields_new else "NULL",
                    fields_old.get(f, _ABSENT),
                    fields_new.get(f, _ABSENT),
                )
                for f in sorted(fields_old.keys() | fields_new.keys())
            )
        else:
            differs = "true"  # never both present (see `unnested`)
        both = "o._i IS NOT NULL AND n._i IS NOT NULL"
        sql = f"""
            SELECT coalesce(o._i, n._i) AS key, o._i IS NOT NULL AS in_old,
                n._i IS NOT NULL AS in_new, o._d AS old_doc, n._d AS new_doc,
                CASE WHEN {both} THEN o.item END AS before,
                CASE WHEN {both} THEN n.item END AS after
            FROM {unnested("o", fields_old)} AS o
            FULL OUTER JOIN {unnested("n", fields_new)} AS n ON o._i = n._i
            WHERE o._i IS NULL OR n._i IS NULL OR o._d IS DISTINCT FROM n._d OR {differs}
        """
        changes = []
        for row in self.rows(sql):
            doc_id = row["new_doc"] if row["in_new"] else row["old_doc"]
            if row["before"] is not None:
                row["before"] = {"doc_id": row["old_doc"], **row["before"]}
                row["after"] = {"doc_id": row["new_doc"], **row["after"]}
            changes += _change(kind, row["key"], doc_id, row)
        return changes


def _change(kind: str, key: str, doc_id: str | None, row: Mapping[str, Any]) -> list[Change]:
    """The change a joined row stands for, if any: added, removed, or the fields that
    differ (compared in Python, as `diff_records` compares them)."""
    if not row["in_old"]:
        return [Change(kind, key, "added", doc_id)]
    if not row["in_new"]:
        return [Change(kind, key, "removed", doc_id)]
    fields = _fields(_plain(row["before"]), _plain(row["after"]))
    return [Change(kind, key, "changed", doc_id, fields)] if fields else []


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
