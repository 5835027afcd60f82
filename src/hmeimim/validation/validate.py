"""Validation of releases, Parquet files and authoring folders: every finding, never the first.

`validate_paths` takes release folders, authoring folders and single Parquet files
(default: every release) and returns a `Report`. Each release is checked against the
schema it was written with (`storage.releases.release_schema`), so old releases stay
valid after the schema moves on. Other kinds of input (a Label Studio export) are
handed to the `handlers` the caller passes, by file suffix; this module knows nothing
of Label Studio. Nothing here raises for bad data; a file that cannot be read at all is
itself a finding (E001, E023), so one broken file never hides the others.

A release folder is checked against its manifest: every listed entry names a regular
file directly inside the folder (E019; anything else is never opened), is there
(E002) and has the listed sha256, size (E005), rows (E009) and rows per row group
(E020, where the manifest gives them); every file in the folder is listed (E006); the
registry and the annotator layers are always there (the claim registry too, where the
release's schema declares it), and so is a file for every split the counts give
documents (E002), which is never empty (E018); a split written in several files has
every one of them (E002: `train-00001-of-00003.parquet` missing, listed or not) and
their listed rows add up to the split's count (E008); a document is in a file named after its
split (E007), which is how `datasets` assigns files to splits;
`version` and `schema_version` agree with the folder's name and the kept schema (E020);
the `huggingface` metadata of each Parquet file is the schema's features (E021). The
registries (and, with the "python" engine, every file) are read from disk once: the
bytes that are hashed are the bytes that are parsed.
`validate_staged_release` runs the same checks on a release about to be renamed into
place, and names the final path in its findings.

The rows of document files and annotator layers are checked by one of three engines
with the same findings. "python" reads every row into `CorpusChecker`. "duckdb" (the
default) does the file-level checks without reading a row (the digest in chunks),
lets `validation/engine.py` flag the rows that may break a rule, and reads only those,
in file order, into `CorpusChecker`; a file DuckDB or the row reader refuses sends the
release back to "python", from a clean slate. "spark" does the same with the same
rules run by `validation/spark_engine.py` on Spark (the `spark` extra).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from hmeimim.authoring.sources import Sources, read_sources
from hmeimim.errors import Finding, HmeimimError
from hmeimim.model import (
    ANNOTATORS_FILE,
    CLAIMS_FILE,
    CLAIMS_TABLE,
    ENTITIES_FILE,
    MANIFEST,
    RELEASE_DIR,
    SPLITS,
    CorpusRecords,
)
from hmeimim.paths import corpus_dir
from hmeimim.schema.declaration import Schema, load_schema
from hmeimim.storage.files import list_folder, os_reason, read_bytes
from hmeimim.storage.parquet import open_parquet, parquet_rows, parquet_rows_at
from hmeimim.storage.releases import (
    ROW_GROUP_KEY,
    file_table,
    is_date,
    is_row_group_size,
    kept_schema,
    kept_schema_path,
    list_releases,
    outside_problem,
    read_manifest,
    release_schema,
    split_file_names,
    split_listing,
    split_of_name,
    standoff_listing,
)
from hmeimim.validation import spark_engine
from hmeimim.validation.checks import CorpusChecker
from hmeimim.validation.engine import TableFile, flag_rows

# Checks a kind of input this module does not know (by file suffix) into a report.
Handler = Callable[[Path, "Report", Schema], None]

# How document files and annotator layers are checked: "duckdb" runs the rules of
# `validation/rules.py` and gives only the rows they flag to the Python checks;
# "spark" does the same on Spark (an optional extra); "python" gives every row to the
# Python checks (the reference).
ENGINES = ("duckdb", "python", "spark")


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    readable: int = 0
    documents: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "files": self.files,
            "readable_files": self.readable,
            "documents": self.documents,
            "findings": [f.to_dict() for f in self.findings],
            "counts_by_code": dict(sorted(Counter(f.code for f in self.findings).items())),
        }


_SHA256 = re.compile(r"[0-9a-f]{64}")
_VERSION = re.compile(r"\d+\.\d+\.\d+")


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _table_of(path: Path, arrow_schema: pa.Schema, tables: Iterable[str]) -> str:
    declared = (arrow_schema.metadata or {}).get(b"hmeimim.table", b"")
    name = str(declared.decode("utf-8", errors="replace"))
    if name in tables:
        return name
    return file_table(path.name) or "documents"


def relaxed_type(arrow_type: pa.DataType) -> pa.DataType:
    """The same type with every nested field nullable.

    Other writers (pandas, polars) mark everything nullable; such files are accepted and
    actual nulls in required fields are reported as E101 instead.
    """
    if pa.types.is_list(arrow_type):
        return pa.list_(relaxed_type(arrow_type.value_type))
    if pa.types.is_struct(arrow_type):
        return pa.struct(
            [pa.field(f.name, relaxed_type(f.type), nullable=True) for f in arrow_type]
        )
    return arrow_type


def _schema_findings(path: Path, actual: pa.Schema, expected: pa.Schema) -> list[Finding]:
    if actual.names == expected.names and all(
        relaxed_type(a.type).equals(relaxed_type(e.type))
        for a, e in zip(actual, expected, strict=True)
    ):
        return []
    missing, retyped = [], []
    for exp in expected:
        idx = actual.get_field_index(exp.name)
        if idx < 0:
            missing.append(f"`{exp.name}`")
        elif not relaxed_type(actual.field(idx).type).equals(relaxed_type(exp.type)):
            retyped.append(f"`{exp.name}` {actual.field(idx).type}, expected {exp.type}")
    undeclared = [f"`{n}`" for n in actual.names if n not in expected.names]
    present = [n for n in expected.names if n in actual.names]
    order = "as declared" if [n for n in actual.names if n in present] == present else "differs"
    return [
        Finding.of(
            "E003",
            file=str(path),
            missing=", ".join(missing) or "none",
            retyped="; ".join(retyped) or "none",
            undeclared=", ".join(undeclared) or "none",
            order=order,
        )
    ]


@dataclass
class _Listed:
    """What the manifest says about one file: its digest and size, and its row counts."""

    digest: tuple[str, Any] | None = None
    rows: list[tuple[str, int]] = field(default_factory=list)
    # The rows per row group the file was written with (None: not stated).
    row_group_rows: int | None = None
    name: str = ""


def _row_group_findings(
    path: Path, parquet: pq.ParquetFile, listed: _Listed | None
) -> list[Finding]:
    """E020 when the file's row groups are not those of the manifest's `row_group_rows`:
    that many rows in each but the last, which holds at most that many."""
    if listed is None or listed.row_group_rows is None:
        return []
    size = listed.row_group_rows
    groups = [
        parquet.metadata.row_group(i).num_rows for i in range(parquet.metadata.num_row_groups)
    ]
    if all(n == size for n in groups[:-1]) and all(n <= size for n in groups[-1:]):
        return []
    shown = ", ".join(str(n) for n in groups[:5]) + (", …" if groups[5:] else "")
    return [
        Finding.of(
            "E020",
            file=str(path.parent / MANIFEST),
            key=f"files.{listed.name}.{ROW_GROUP_KEY}",
            value=size,
            fact=f"the row groups of {path.name} hold {shown} row(s)",
        )
    ]


@dataclass
class _Opened:
    """A document or layer file whose file-level checks are done: their findings (which
    come before those of its rows) and the open file (None: not to be read)."""

    path: Path
    table: str
    split: str | None
    findings: list[Finding] = field(default_factory=list)
    parquet: pq.ParquetFile | None = None


def _file_digest(path: Path) -> tuple[str, int]:
    """The sha256 and size of a file, read in chunks; E002 missing, E023 unreadable."""
    try:
        with path.open("rb") as stream:
            digest = hashlib.file_digest(stream, "sha256").hexdigest()
            return digest, stream.tell()
    except FileNotFoundError:
        raise HmeimimError("E002", str(path), expected="file") from None
    except OSError as error:
        raise HmeimimError("E023", str(path), reason=os_reason(error)) from None


class _Validator:
    def __init__(self, schema: Schema, engine: str = "duckdb") -> None:
        self.engine = engine
        self.default_schema = schema
        self.schema = schema
        self.report = Report()
        self._features: dict[str, tuple[Schema, Any]] = {}
        if engine == "spark":
            # E030 before any work when Spark cannot start (never taken for a file
            # Spark refuses, which sends the files to the Python checks).
            spark_engine.spark_session()

    def add(self, finding: Finding) -> None:
        self.report.findings.append(finding)

    def read_registry(self, path: Path, listed: _Listed | None = None) -> frozenset[str] | None:
        """Check the entity registry; return its ids (None when it cannot be read)."""
        records = self.read_table(path, "entities", data=False, listed=listed)
        if records is None:
            return None
        checker = CorpusChecker(self.schema, file=str(path))
        ids: Counter[str] = Counter(str(r.get("entity_id")) for r in records)
        for record in records:
            entity_id = record.get("entity_id")
            findings = checker.check_row(record, "entities", entity_id)
            self.report.findings.extend(findings)
        for entity_id, count in sorted(ids.items()):
            if count > 1:
                self.add(
                    Finding.of(
                        "E401",
                        file=str(path),
                        record_id=entity_id,
                        entity_id=entity_id,
                        count=count,
                    )
                )
        return frozenset(ids)

    def read_claim_registry(
        self, path: Path, listed: _Listed | None = None
    ) -> frozenset[str] | None:
        """Check the claim registry; return its ids (None when it cannot be read)."""
        records = self.read_table(path, CLAIMS_TABLE, data=False, listed=listed)
        if records is None:
            return None
        self.report.findings.extend(claim_registry_findings(records, self.schema, str(path)))
        return frozenset(str(r.get("claim_id")) for r in records)

    def check_digest(self, path: Path, raw: bytes, listed: tuple[str, Any]) -> None:
        self.add_digest_finding(path, (hashlib.sha256(raw).hexdigest(), len(raw)), listed)

    def add_digest_finding(
        self,
        path: Path,
        actual: tuple[str, int],
        listed: tuple[str, Any],
        into: list[Finding] | None = None,
    ) -> None:
        (digest, size), (found, found_size) = listed, actual
        if found != digest or found_size != size:
            finding = Finding.of(
                "E005",
                file=str(path),
                actual=found[:12],
                size=found_size,
                listed=digest[:12],
                listed_size=size,
            )
            (self.report.findings if into is None else into).append(finding)

    def features(self, table: str) -> Any:
        """The HF features the schema gives `table`, as the JSON in the Parquet metadata."""
        cached = self._features.get(table)
        if cached is None or cached[0] is not self.schema:
            metadata = self.schema.arrow_schema(table).metadata or {}
            features = json.loads(metadata[b"huggingface"])["info"]["features"]
            cached = self._features[table] = (self.schema, features)
        return cached[1]

    def check_hf_metadata(
        self, path: Path, actual: pa.Schema, table: str, into: list[Finding] | None = None
    ) -> None:
        """`datasets` rebuilds the features from this JSON: it must be the schema's."""
        raw = (actual.metadata or {}).get(b"huggingface")
        if raw is None:
            return  # other writers may not add it; `datasets` then reads the Arrow types
        try:
            info = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError) as error:
            problem = f"is not UTF-8 JSON ({str(error)[:120]})"
        else:
            inner = info.get("info") if isinstance(info, dict) else None
            found = inner.get("features") if isinstance(inner, dict) else None
            expected = self.features(table)
            if not isinstance(found, dict):
                problem = "has no `info.features` mapping"
            elif found == expected:
                return
            else:
                differ = sorted(k for k in {*expected, *found} if found.get(k) != expected.get(k))
                shown = ", ".join(f"`{k}`" for k in differ[:5]) + (", …" if differ[5:] else "")
                problem = f"differs from the features of schema {self.schema.version} in {shown}"
        finding = Finding.of("E021", file=str(path), problem=problem)
        (self.report.findings if into is None else into).append(finding)

    def read_table(
        self,
        path: Path,
        table: str | None = None,
        data: bool = True,
        listed: _Listed | None = None,
        split_file: bool = False,
    ) -> list[dict[str, Any]] | None:
        """Read a whole table once, or record why not. `data=False`: a side table (the
        registry), which does not count towards `readable`. `listed`: what the manifest
        says of the file; `split_file`: a split of a release, which is never empty."""
        self.report.files += 1
        try:
            raw = read_bytes(path)
            if listed is not None and listed.digest is not None:
                self.check_digest(path, raw, listed.digest)
            parquet = open_parquet(path, raw)
            actual = parquet.schema_arrow
            table = table or _table_of(path, actual, self.schema.tables)
            schema_findings = _schema_findings(path, actual, self.schema.arrow_schema(table))
            if schema_findings:
                self.report.findings.extend(schema_findings)
                return None
            self.check_hf_metadata(path, actual, table)
            self.report.findings.extend(_row_group_findings(path, parquet, listed))
            records = list(parquet_rows(parquet, path))
        except HmeimimError as error:
            self.add(Finding.from_error(error, file=str(path)))
            return None
        for source, count in listed.rows if listed is not None else []:
            if count != len(records):
                self.add(
                    Finding.of(
                        "E009", file=str(path), actual=len(records), source=source, listed=count
                    )
                )
        if split_file and not records:
            self.add(Finding.of("E018", file=str(path)))
        self.report.readable += data
        return records

    def check_documents(
        self,
        path: Path,
        checker: CorpusChecker,
        split: str | None,
        table: str = "documents",
        listed: _Listed | None = None,
    ) -> set[str]:
        split_file = listed is not None and table == "documents"
        records = self.read_table(path, table, listed=listed, split_file=split_file)
        doc_ids: set[str] = set()
        if records is None:
            return doc_ids
        checker.file = str(path)
        if table != "documents":
            self.report.findings.extend(checker.check_layers(records))
            return doc_ids
        for record in records:
            self.report.findings.extend(checker.check_document(record, table=table))
            self.report.documents += 1
            doc_ids.add(str(record.get("doc_id")))
            if split is not None and record.get("split") != split:
                self.add(
                    Finding.of(
                        "E007",
                        file=str(path),
                        doc_id=record.get("doc_id"),
                        split=record.get("split"),
                        file_name=path.name,
                    )
                )
        return doc_ids

    def check_files(
        self, files: Sequence[tuple[Path, str, str | None, _Listed | None]], checker: CorpusChecker
    ) -> set[str]:
        """Check document files and annotator layers (path, table, split, manifest entry)
        in order with the chosen engine; return the doc_ids of stand-off documents."""
        if self.engine == "python":
            return self.check_files_python(files, checker)
        report = self.report
        mark = (len(report.findings), report.files, report.readable, report.documents)
        try:
            return self.check_files_flagged(files, checker)
        except (_EngineFailed, HmeimimError):
            # A file the engine or the row reader refuses: the Python checks report it as
            # the reference does, from a clean slate.
            del report.findings[mark[0] :]
            report.files, report.readable, report.documents = mark[1:]
        fresh = CorpusChecker(
            self.schema, entity_ids=checker.entity_ids, claim_ids=checker.claim_ids
        )
        return self.check_files_python(files, fresh)

    def check_files_python(
        self, files: Sequence[tuple[Path, str, str | None, _Listed | None]], checker: CorpusChecker
    ) -> set[str]:
        for path, table, split, listed in files:
            self.check_documents(path, checker, split, table=table, listed=listed)
        return set(checker.lengths)

    def open_table(
        self, path: Path, table: str, split: str | None, listed: _Listed | None
    ) -> _Opened:
        """The file-level checks of `read_table`, without reading a row: the digest in
        chunks, the footer, the schema, the features, the row counts."""
        opened = _Opened(path, table, split)
        self.report.files += 1
        try:
            if listed is not None and listed.digest is not None:
                self.add_digest_finding(path, _file_digest(path), listed.digest, opened.findings)
            else:
                _file_digest(path)  # the E002/E023 of the reference reader, if any
            parquet = open_parquet(path)
            actual = parquet.schema_arrow
            schema_findings = _schema_findings(path, actual, self.schema.arrow_schema(table))
            if schema_findings:
                opened.findings += schema_findings
                return opened
            self.check_hf_metadata(path, actual, table, opened.findings)
            opened.findings += _row_group_findings(path, parquet, listed)
        except HmeimimError as error:
            opened.findings.append(Finding.from_error(error, file=str(path)))
            return opened
        rows = parquet.metadata.num_rows
        for source, count in listed.rows if listed is not None else []:
            if count != rows:
                finding = Finding.of(
                    "E009", file=str(path), actual=rows, source=source, listed=count
                )
                opened.findings.append(finding)
        if listed is not None and table == "documents" and not rows:
            opened.findings.append(Finding.of("E018", file=str(path)))
        opened.parquet = parquet
        return opened

    def check_files_flagged(
        self, files: Sequence[tuple[Path, str, str | None, _Listed | None]], checker: CorpusChecker
    ) -> set[str]:
        opened = [
            self.open_table(path, table, split, listed) for path, table, split, listed in files
        ]
        documents = [o for o in opened if o.parquet is not None and o.table == "documents"]
        layers = [o for o in opened if o.parquet is not None and o.table != "documents"]
        if len(layers) > 1:
            raise _EngineFailed  # never in a release; the Python checks take any number
        flag = spark_engine.flag_rows if self.engine == "spark" else flag_rows
        flagged = flag(
            self.schema,
            [TableFile(o.path, o.split) for o in documents],
            TableFile(layers[0].path) if layers else None,
            entity_ids=checker.entity_ids,
            claim_ids=checker.claim_ids,
        )
        if flagged is None:
            raise _EngineFailed
        rows = {id(o): flagged.documents[i] for i, o in enumerate(documents)}
        rows.update({id(o): flagged.layers for o in layers})
        for file in opened:
            self.report.findings.extend(file.findings)
            if file.parquet is not None:
                self.check_flagged(file, file.parquet, rows[id(file)], checker)
        return flagged.standoff

    def check_flagged(
        self, file: _Opened, parquet: pq.ParquetFile, rows: list[int], checker: CorpusChecker
    ) -> None:
        """The Python checks of the rows the rules flagged, as `check_documents` runs them."""
        checker.file = str(file.path)
        records = (record for _, record in parquet_rows_at(parquet, file.path, rows))
        if file.table != "documents":
            self.report.findings.extend(checker.check_layers(records))
        else:
            for record in records:
                self.report.findings.extend(checker.check_document(record))
                if file.split is not None and record.get("split") != file.split:
                    self.add(
                        Finding.of(
                            "E007",
                            file=str(file.path),
                            doc_id=record.get("doc_id"),
                            split=record.get("split"),
                            file_name=file.path.name,
                        )
                    )
            self.report.documents += parquet.metadata.num_rows
        self.report.readable += 1

    # -- release folders ----------------------------------------------------------------------

    def check_version(self, where: str, name: str, manifest: dict[str, Any]) -> None:
        """`version` is MAJOR.MINOR.PATCH, and the one of the folder's name; `released` is
        a date (both required in a folder named as a release)."""
        version = manifest.get("version")
        named = RELEASE_DIR.match(name) is not None
        released = manifest.get("released")
        if (released is not None or named) and not is_date(released):
            expected = "a date of the form YYYY-MM-DD"
            self.add(Finding.of("E008", file=where, key="released", expected=expected))
        if version is None and not named:
            return  # a hand-made folder that does not say
        if not isinstance(version, str) or not _VERSION.fullmatch(version):
            self.add(
                Finding.of(
                    "E008",
                    file=where,
                    key="version",
                    expected="a version of the form MAJOR.MINOR.PATCH",
                )
            )
        elif named and f"v{version}" != name:
            self.add(
                Finding.of(
                    "E020", file=where, key="version", value=version, fact=f"the folder is {name}"
                )
            )

    def split_counts(self, where: str, manifest: dict[str, Any]) -> dict[str, int]:
        """Documents per split as the manifest's `counts` give them (none if it has none)."""
        counts = manifest.get("counts")
        if counts is None:
            return {}
        splits = counts.get("splits") if isinstance(counts, dict) else None
        if not isinstance(splits, dict) or not all(_is_count(n) for n in splits.values()):
            self.add(
                Finding.of(
                    "E008",
                    file=where,
                    key="counts.splits",
                    expected="a mapping of split names to numbers of documents",
                )
            )
            return {}
        return {split: splits[split] for split in SPLITS if splits.get(split)}

    def check_entry(self, folder: Path, name: str, entry: Any, splits: dict[str, int]) -> _Listed:
        """What a manifest entry says, after checking that it says it properly. `splits`:
        the documents per split of `counts`, which a split's only file must hold."""
        where = str(folder / MANIFEST)
        if not isinstance(entry, dict):
            expected = "a mapping with sha256, bytes and rows"
            self.add(Finding.of("E008", file=where, key=f"files.{name}", expected=expected))
            return _Listed(name=name)
        listed = _Listed(name=name)
        digest = entry.get("sha256")
        if isinstance(digest, str) and _SHA256.fullmatch(digest):
            listed.digest = (digest, entry.get("bytes"))
        else:
            self.add(
                Finding.of(
                    "E008",
                    file=where,
                    key=f"files.{name}.sha256",
                    expected="a SHA-256 digest (64 hex digits)",
                )
            )
        rows = entry.get("rows")
        if isinstance(rows, int) and _is_count(rows):
            listed.rows.append((f"manifest.json `files.{name}.rows`", rows))
        else:
            self.add(
                Finding.of(
                    "E008",
                    file=where,
                    key=f"files.{name}.rows",
                    expected="the number of rows, a whole number of 0 or more",
                )
            )
        if ROW_GROUP_KEY in entry:  # manifests before release 1.3.0 do not give it
            if is_row_group_size(entry[ROW_GROUP_KEY]):
                listed.row_group_rows = entry[ROW_GROUP_KEY]
            else:
                expected = "the rows per row group, a whole number of 1 or more"
                key = f"files.{name}.{ROW_GROUP_KEY}"
                self.add(Finding.of("E008", file=where, key=key, expected=expected))
        split = split_of_name(name)
        if split is not None and name == f"{split}.parquet" and split in splits:
            listed.rows.append((f"manifest.json `counts.splits.{split}`", splits[split]))
        # What croissant.json and the changelog read (a hand-made manifest may omit them).
        table = file_table(name)
        if "table" in entry and entry["table"] != table:
            expected = table or (
                f"absent: {name} is not the name of a release table's file (a split's are "
                "named train.parquet, or train-00000-of-00002.parquet and so on)"
            )
            self.add(Finding.of("E008", file=where, key=f"files.{name}.table", expected=expected))
        if table == "documents" and "split" in entry and entry["split"] != split:
            self.add(Finding.of("E008", file=where, key=f"files.{name}.split", expected=split))
        return listed

    def check_manifest(
        self, folder: Path, name: str, present: list[str], manifest: dict[str, Any]
    ) -> dict[str, _Listed]:
        """Check the manifest against the folder; return the listed files that may be read."""
        where = str(folder / MANIFEST)
        self.check_version(where, name, manifest)
        splits = self.split_counts(where, manifest)
        listed_files: dict[str, Any] = manifest["files"]
        readable: dict[str, _Listed] = {}
        for entry_name, entry in sorted(listed_files.items()):
            problem = outside_problem(folder, entry_name)
            if problem is not None:
                self.add(Finding.of("E019", file=where, name=entry_name, problem=problem))
                continue
            path = folder / entry_name
            if entry_name not in present:
                expected = "file listed in manifest.json"
                self.add(Finding.of("E002", file=str(path), expected=expected))
                continue
            listed = self.check_entry(folder, entry_name, entry, splits)
            if file_table(entry_name) is not None:
                readable[entry_name] = listed
            elif listed.digest is not None:
                try:
                    self.check_digest(path, read_bytes(path), listed.digest)
                except HmeimimError as error:
                    self.add(Finding.from_error(error, file=str(path)))
        for child in present:
            if child != MANIFEST and child not in listed_files:
                self.add(Finding.of("E006", file=str(folder / child)))
        required = {
            ENTITIES_FILE: "entity registry (every release has one)",
            ANNOTATORS_FILE: "file of annotator layers (every release has one, maybe empty)",
        }
        if CLAIMS_TABLE in self.schema.tables:
            required[CLAIMS_FILE] = (
                f"claim registry (every release of schema {self.schema.version} has one, "
                "maybe empty)"
            )
        listing = split_listing(manifest)
        for split, count in splits.items():
            if split not in listing:
                required[f"{split}.parquet"] = (
                    f"file of split {split} (manifest.json counts {count} document(s) in it)"
                )
        for split, names in listing.items():
            required.update(self.split_siblings(where, split, names, splits, listed_files))
        for file_name, expected in required.items():
            if file_name not in listed_files and file_name not in present:
                self.add(Finding.of("E002", file=str(folder / file_name), expected=expected))
        return readable

    def split_siblings(
        self,
        where: str,
        split: str,
        names: list[str],
        splits: dict[str, int],
        listed_files: dict[str, Any],
    ) -> dict[str, str]:
        """The files a split written in several must have besides those listed (the names
        the listed ones imply: all `count` of `-of-<count>`), and E008 when the rows its
        files list do not add up to its count in `counts.splits`."""
        wanted: dict[str, str] = {}
        for name in names:
            count = name.removesuffix(".parquet").rpartition("-of-")[2]
            if split_of_name(name) == split and count.isdigit():
                siblings = split_file_names(split, int(count))
                for index, sibling in enumerate(siblings):
                    wanted[sibling] = (
                        f"file {index + 1} of the {len(siblings)} of split {split} "
                        f"(manifest.json lists {name})"
                    )
        rows = [
            e.get("rows") if isinstance(e, dict) else None for e in map(listed_files.get, names)
        ]
        if len(names) > 1 and split in splits and all(_is_count(r) for r in rows):
            total = sum(int(r) for r in rows if r is not None)
            if total != splits[split]:
                expected = f"{total}, the rows of the {len(names)} files of split {split} it lists"
                key = f"counts.splits.{split}"
                self.add(Finding.of("E008", file=where, key=key, expected=expected))
        return wanted

    def validate_release(
        self, folder: Path, *, schema: Schema | None = None, name: str | None = None
    ) -> None:
        """Check a release folder. `schema`: the one it is written with (default: its
        own, from its kept inputs); `name`: its folder name (default: `folder`'s)."""
        try:
            present = list_folder(folder)
        except HmeimimError as error:
            self.add(Finding.from_error(error, file=str(folder)))
            return
        try:
            manifest: dict[str, Any] | None = read_manifest(folder)
        except HmeimimError as error:
            self.add(Finding.from_error(error))
            manifest = None
        self.report.readable += manifest is not None
        if schema is not None:
            self.schema = schema
            declared = manifest.get("schema_version") if manifest else None
            if declared is not None and str(declared) != schema.version:
                fact = f"the release is written with schema {schema.version}"
                where = str(folder / MANIFEST)
                self.add(
                    Finding.of("E020", file=where, key="schema_version", value=declared, fact=fact)
                )
        else:
            self.schema = self.schema_of(folder, manifest, report=True)
        if manifest is not None:
            to_read = self.check_manifest(folder, name or folder.name, present, manifest)
        else:
            # Without a manifest, the files a release holds, if they are plain files.
            plain = [n for n in present if file_table(n) and outside_problem(folder, n) is None]
            to_read = {n: _Listed(name=n) for n in plain}
        entity_ids = claim_ids = None
        if ENTITIES_FILE in to_read:
            entity_ids = self.read_registry(folder / ENTITIES_FILE, to_read[ENTITIES_FILE])
        if CLAIMS_FILE in to_read and CLAIMS_TABLE in self.schema.tables:
            claim_ids = self.read_claim_registry(folder / CLAIMS_FILE, to_read[CLAIMS_FILE])
        checker = CorpusChecker(self.schema, entity_ids=entity_ids, claim_ids=claim_ids)
        files: list[tuple[Path, str, str | None, _Listed | None]] = []
        # The split files in split order, each split's in shard order; a document's split
        # is checked against the file's name (E007), which is what `datasets` goes by.
        for file_name in sorted(
            (n for n in to_read if file_table(n) == "documents"),
            key=lambda n: (SPLITS.index(split_of_name(n) or SPLITS[0]), n),
        ):
            listed = to_read[file_name] if manifest is not None else None
            files.append((folder / file_name, "documents", split_of_name(file_name), listed))
        if ANNOTATORS_FILE in to_read:
            listed = to_read[ANNOTATORS_FILE] if manifest is not None else None
            files.append((folder / ANNOTATORS_FILE, "annotator_layers", None, listed))
        withheld = self.check_files(files, checker)
        if manifest is not None and "text_sha256" in self.schema.column_names("documents"):
            self.check_standoff_listing(folder, manifest, withheld)

    def check_standoff_listing(
        self, folder: Path, manifest: dict[str, Any], withheld: set[str]
    ) -> None:
        """E321 where the manifest's `standoff` list and the documents without text differ."""
        listed = set(standoff_listing(manifest))
        for doc_id in sorted(listed ^ withheld):
            says = "lists it as stand-off" if doc_id in listed else "does not list it as stand-off"
            state = "withheld" if doc_id in withheld else "present"
            where = str(folder / MANIFEST)
            self.add(Finding.of("E321", file=where, doc_id=doc_id, listed=says, state=state))

    def schema_of(
        self, folder: Path, manifest: dict[str, Any] | None = None, report: bool = False
    ) -> Schema:
        """The schema of the release in `folder` (the given one if it holds no release).

        With `report`, a manifest whose schema_version differs from the kept schema's is
        a finding (E020), and the kept schema is used.
        """
        if manifest is None:
            # No release here, or a broken manifest, which `check_manifest` reports.
            return self.default_schema
        try:
            declared = manifest.get("schema_version")
            kept = kept_schema(folder, manifest) if declared is not None else None
            if report and kept is not None and kept.version != str(declared):
                fact = f"the release's kept schema {kept_schema_path(folder, manifest)} is "
                self.add(
                    Finding.of(
                        "E020",
                        file=str(folder / MANIFEST),
                        key="schema_version",
                        value=declared,
                        fact=fact + kept.version,
                    )
                )
                return kept
            return release_schema(folder, manifest)
        except HmeimimError as error:
            self.add(Finding.from_error(error))
            return self.default_schema

    def validate_sources(self, folder: Path) -> None:
        """The authoring folder (corpus/sources): YAML structure, then the same checks."""
        read, findings = read_valid_sources(folder, self.default_schema)
        self.report.files += 1
        self.report.readable += 1
        self.report.documents += len(read.records.documents)
        self.report.findings.extend(findings)

    def validate_file(self, path: Path) -> None:
        try:
            manifest: dict[str, Any] | None = read_manifest(path.parent)
        except HmeimimError:
            manifest = None  # a loose file, or a release whose manifest is not checked here
        self.schema = self.schema_of(path.parent, manifest)
        registry = path.parent / ENTITIES_FILE
        claims = path.parent / CLAIMS_FILE
        has_claims = CLAIMS_TABLE in self.schema.tables
        if path.name == ENTITIES_FILE:
            self.read_registry(path)
            return
        if path.name == CLAIMS_FILE and has_claims:
            self.read_claim_registry(path)
            return
        entity_ids = self.read_registry(registry) if registry.is_file() else None
        claim_ids = self.read_claim_registry(claims) if has_claims and claims.is_file() else None
        checker = CorpusChecker(self.schema, entity_ids=entity_ids, claim_ids=claim_ids)
        split = split_of_name(path.name)
        table = "annotator_layers" if path.name == ANNOTATORS_FILE else "documents"
        self.check_files([(path, table, split, None)], checker)


def _renamed(finding: Finding, old: str, new: str) -> Finding:
    file = finding.file
    if file is not None and (file == old or file.startswith(old + "/")):
        file = new + file[len(old) :]
    return dataclasses.replace(finding, file=file, message=finding.message.replace(old, new))


class _EngineFailed(Exception):
    """The engine could not check the files; the Python checks take over."""


def validate_staged_release(
    folder: Path, *, schema: Schema, final: Path, engine: str = "duckdb"
) -> list[Finding]:
    """Every finding of `hmeimim validate` on the release in `folder`, written with
    `schema`, that is about to be renamed to `final`; findings name `final`."""
    validator = _Validator(schema, engine)
    validator.validate_release(folder, schema=schema, name=final.name)
    return [_renamed(f, str(folder), str(final)) for f in validator.report.findings]


def default_paths(root: Path | None = None) -> list[Path]:
    return [path for _, path in list_releases(root)]


def validate_paths(
    paths: Sequence[Path] | None = None,
    *,
    schema: Schema | None = None,
    handlers: Mapping[str, Handler] | None = None,
    engine: str = "duckdb",
) -> Report:
    """Validate release folders, authoring folders and Parquet files; all releases by default.

    `schema` is the schema for authoring folders and loose files (default: the
    checkout's); releases use their own. `handlers` check other files by suffix (such
    as ".json"). `engine` (one of `ENGINES`) checks the rows of Parquet files: "duckdb"
    runs vectorized rules and the Python checks only on the rows they flag, "spark"
    runs the same rules on Spark, "python" runs the Python checks on every row; all give
    the same findings. Raises `HmeimimError` (E016) when there is nothing to validate,
    E030 when the "spark" engine cannot start (no pyspark or no Java).
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    validator = _Validator(schema or load_schema(), engine)
    targets = list(paths) if paths else default_paths()
    if not targets:
        raise HmeimimError("E016", str(corpus_dir()))
    for path in targets:
        try:
            _validate_one(validator, path, handlers or {})
        except OSError as error:
            # What the system refused outside the readers that report it themselves.
            where = str(error.filename or path)
            validator.add(Finding.of("E023", file=where, reason=os_reason(error)))
    return validator.report


def _looks_in(path: Path, test: Callable[[Path], bool]) -> bool:
    """`test(path)`, or False when the folder holding `path` cannot be looked into (the
    reader of that folder reports it)."""
    try:
        return test(path)
    except OSError:
        return False


def _validate_one(validator: _Validator, path: Path, handlers: Mapping[str, Handler]) -> None:
    handler = handlers.get(path.suffix) if path.is_file() else None
    if handler is not None:
        handler(path, validator.report, validator.default_schema)
    elif path.is_dir() and _looks_in(path / "documents", Path.is_dir):
        validator.validate_sources(path)
    elif path.is_dir():
        validator.validate_release(path)
    elif path.exists():
        validator.validate_file(path)
    else:
        validator.add(Finding.of("E002", file=str(path), expected="file or folder"))


def read_valid_sources(
    folder: Path, schema: Schema, file: str | None = None
) -> tuple[Sources, list[Finding]]:
    """Read an authoring folder and validate it: structure first, then every check.

    `file` names the folder in findings (e.g. `corpus/sources` for a staged copy): the
    paths of the files in it are given under `file` too, never under the copy.
    """
    read = read_sources(folder, schema)
    findings = list(read.findings)
    if file is not None:
        findings = [_renamed(f, str(folder), file) for f in findings]
    findings += validate_corpus(read.records, schema=schema, file=file or str(folder))
    return read, findings


def validate_corpus(
    records: CorpusRecords, *, schema: Schema | None = None, file: str | None = None
) -> list[Finding]:
    """Every check on documents, annotator layers and the registry together."""
    schema = schema or load_schema()
    return validate_records(
        records.documents,
        entities=records.entities,
        claims=records.claims if CLAIMS_TABLE in schema.tables else None,
        annotator_layers=records.annotator_layers,
        schema=schema,
        file=file,
    )


def claim_registry_findings(
    claims: Iterable[Mapping[str, Any]], schema: Schema, file: str | None
) -> list[Finding]:
    """Column checks of every claim registry row, and claim ids given twice (E315)."""
    rows = list(claims)
    checker = CorpusChecker(schema, file=file)
    findings: list[Finding] = []
    for claim in rows:
        findings.extend(checker.check_row(claim, CLAIMS_TABLE, claim.get("claim_id")))
    counts = Counter(str(c.get("claim_id")) for c in rows)
    findings += [
        Finding.of("E315", file=file, record_id=k, claim_id=k, count=n)
        for k, n in sorted(counts.items())
        if n > 1
    ]
    return findings


def validate_records(
    records: Iterable[dict[str, Any]],
    *,
    entities: Iterable[dict[str, Any]] | None = None,
    annotator_layers: Iterable[dict[str, Any]] = (),
    schema: Schema | None = None,
    file: str | None = None,
    claims: Iterable[dict[str, Any]] | None = None,
) -> list[Finding]:
    """Validate in-memory records (e.g. from the authoring files or an import).

    With `entities=None` entity links are not checked, with `claims=None` claim links
    are not. Every annotator layer must name one of `records` (E302).
    """
    schema = schema or load_schema()
    entity_list = list(entities) if entities is not None else None
    entity_ids = (
        frozenset(str(e["entity_id"]) for e in entity_list) if entity_list is not None else None
    )
    claim_list = list(claims) if claims is not None else None
    claim_ids = (
        frozenset(str(c.get("claim_id")) for c in claim_list) if claim_list is not None else None
    )
    checker = CorpusChecker(schema, entity_ids=entity_ids, file=file, claim_ids=claim_ids)
    findings: list[Finding] = []
    if claim_list is not None:
        findings += claim_registry_findings(claim_list, schema, file)
    for entity in entity_list or []:
        findings.extend(checker.check_row(entity, "entities", entity.get("entity_id")))
    counts = Counter(str(e["entity_id"]) for e in entity_list or [])
    findings += [
        Finding.of("E401", file=file, record_id=k, entity_id=k, count=n)
        for k, n in counts.items()
        if n > 1
    ]
    findings.extend(checker.check_documents(records))
    # After the documents: a layer must name one of them (E302).
    findings.extend(checker.check_layers(annotator_layers))
    return findings
