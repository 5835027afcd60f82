"""Validation of releases, Parquet files and authoring folders: every finding, never the first.

`validate_paths` takes release folders, authoring folders and single Parquet files
(default: every release) and returns a `Report`. Each release is checked against the
schema it was written with (`storage.releases.release_schema`), so old releases stay
valid after the schema moves on. Other kinds of input (a Label Studio export) are
handed to the `handlers` the caller passes, by file suffix; this module knows nothing
of Label Studio. Nothing here raises for bad data; a file that cannot be read at all is
itself a finding (E001), so one broken file never hides the others.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from hmeimim.authoring.sources import Sources, read_sources
from hmeimim.errors import Finding, HmeimimError
from hmeimim.model import ANNOTATORS_FILE, ENTITIES_FILE, MANIFEST, SPLITS, CorpusRecords
from hmeimim.paths import corpus_dir
from hmeimim.schema.declaration import Schema, load_schema
from hmeimim.storage.files import sha256_of
from hmeimim.storage.parquet import iter_records, open_parquet
from hmeimim.storage.releases import list_releases, read_manifest, release_schema
from hmeimim.validation.checks import CorpusChecker

# Checks a kind of input this module does not know (by file suffix) into a report.
Handler = Callable[[Path, "Report", Schema], None]


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


def _table_of(path: Path, arrow_schema: pa.Schema) -> str:
    meta = arrow_schema.metadata or {}
    declared = meta.get(b"hmeimim.table")
    if declared:
        return str(declared.decode())
    if path.name == ANNOTATORS_FILE:
        return "annotator_layers"
    if path.name == ENTITIES_FILE:
        return "entities"
    return "documents"


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


class _Validator:
    def __init__(self, schema: Schema) -> None:
        self.default_schema = schema
        self.schema = schema
        self.report = Report()

    def read_registry(self, path: Path) -> frozenset[str] | None:
        """Check the entity registry; return its ids (None when it cannot be read)."""
        if not path.is_file():
            return None
        records = self.read_table(path, "entities", data=False)
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
                self.report.findings.append(
                    Finding.of(
                        "E401",
                        file=str(path),
                        record_id=entity_id,
                        entity_id=entity_id,
                        count=count,
                    )
                )
        return frozenset(ids)

    def read_table(
        self, path: Path, table: str | None = None, data: bool = True
    ) -> list[dict[str, Any]] | None:
        """Read a whole table, or record why not. `data=False`: a side table (the registry),
        which does not count towards `readable`."""
        self.report.files += 1
        try:
            parquet = open_parquet(path)
            actual = parquet.schema_arrow
            table = table or _table_of(path, actual)
            schema_findings = _schema_findings(path, actual, self.schema.arrow_schema(table))
            if schema_findings:
                self.report.findings.extend(schema_findings)
                return None
            records = list(iter_records(path))
            self.report.readable += data
            return records
        except HmeimimError as error:
            self.report.findings.append(Finding.from_error(error, file=str(path)))
            return None

    def check_documents(
        self, path: Path, checker: CorpusChecker, split: str | None, table: str = "documents"
    ) -> set[str]:
        records = self.read_table(path, table)
        doc_ids: set[str] = set()
        if records is None:
            return doc_ids
        checker.file = str(path)
        for record in records:
            self.report.findings.extend(checker.check_document(record, table=table))
            if table == "documents":
                self.report.documents += 1
                doc_ids.add(str(record.get("doc_id")))
                if split is not None and record.get("split") != split:
                    self.report.findings.append(
                        Finding.of(
                            "E007",
                            file=str(path),
                            doc_id=record.get("doc_id"),
                            split=record.get("split"),
                            file_name=path.name,
                        )
                    )
            elif record.get("doc_id") not in checker.seen_docs:
                self.report.findings.append(
                    Finding.of(
                        "E302",
                        file=str(path),
                        doc_id=record.get("doc_id"),
                        record_id=record.get("annotator"),
                        field="doc_id",
                        kind="document",
                        target=record.get("doc_id"),
                        scope="the release",
                    )
                )
        return doc_ids

    def check_manifest(self, folder: Path) -> None:
        try:
            manifest = read_manifest(folder)
        except HmeimimError as error:
            self.report.findings.append(Finding.from_error(error))
            return
        listed = manifest["files"]
        for name, entry in sorted(listed.items()):
            path = folder / name
            if not path.is_file():
                self.report.findings.append(
                    Finding.of("E002", file=str(path), expected="file listed in manifest.json")
                )
                continue
            if not isinstance(entry, dict) or not re.fullmatch(
                r"[0-9a-f]{64}", str(entry.get("sha256"))
            ):
                self.report.findings.append(
                    Finding.of(
                        "E008",
                        file=str(folder / MANIFEST),
                        key=f"files.{name}.sha256",
                        expected="a SHA-256 digest (64 hex digits)",
                    )
                )
                continue
            actual = sha256_of(path)
            if actual != entry["sha256"] or path.stat().st_size != entry.get("bytes"):
                self.report.findings.append(
                    Finding.of(
                        "E005",
                        file=str(path),
                        actual=actual[:12],
                        size=path.stat().st_size,
                        listed=str(entry["sha256"])[:12],
                        listed_size=entry.get("bytes"),
                    )
                )
        for child in sorted(folder.iterdir()):
            if child.name != MANIFEST and child.name not in listed:
                self.report.findings.append(Finding.of("E006", file=str(child)))

    def validate_release(self, folder: Path) -> None:
        self.check_manifest(folder)
        self.report.readable += (folder / MANIFEST).is_file()
        self.schema = self.schema_of(folder)
        entity_ids = self.read_registry(folder / ENTITIES_FILE)
        checker = CorpusChecker(self.schema, entity_ids=entity_ids)
        for split in SPLITS:
            path = folder / f"{split}.parquet"
            if path.is_file():
                self.check_documents(path, checker, split)
        annotators = folder / ANNOTATORS_FILE
        if annotators.is_file():
            self.check_documents(annotators, checker, None, table="annotator_layers")

    def schema_of(self, folder: Path) -> Schema:
        """The schema of the release in `folder` (the given one if it holds no release)."""
        try:
            manifest = read_manifest(folder)
        except HmeimimError:
            # No release here, or a broken manifest, which `check_manifest` reports.
            return self.default_schema
        try:
            return release_schema(folder, manifest)
        except HmeimimError as error:
            self.report.findings.append(Finding.from_error(error))
            return self.default_schema

    def validate_sources(self, folder: Path) -> None:
        """The authoring folder (corpus/sources): YAML structure, then the same checks."""
        read, findings = read_valid_sources(folder, self.default_schema)
        self.report.files += 1
        self.report.readable += 1
        self.report.documents += len(read.records.documents)
        self.report.findings.extend(findings)

    def validate_file(self, path: Path) -> None:
        self.schema = self.schema_of(path.parent)
        registry = path.parent / ENTITIES_FILE
        if path.name == ENTITIES_FILE:
            self.read_registry(path)
            return
        entity_ids = self.read_registry(registry) if registry.is_file() else None
        checker = CorpusChecker(self.schema, entity_ids=entity_ids)
        split = path.stem if path.stem in SPLITS else None
        table = "annotator_layers" if path.name == ANNOTATORS_FILE else "documents"
        self.check_documents(path, checker, split, table=table)


def default_paths(root: Path | None = None) -> list[Path]:
    return [path for _, path in list_releases(root)]


def validate_paths(
    paths: Sequence[Path] | None = None,
    *,
    schema: Schema | None = None,
    handlers: Mapping[str, Handler] | None = None,
) -> Report:
    """Validate release folders, authoring folders and Parquet files; all releases by default.

    `schema` is the schema for authoring folders and loose files (default: the
    checkout's); releases use their own. `handlers` check other files by suffix (such
    as ".json"). Raises `HmeimimError` (E016) only when there is nothing to validate.
    """
    validator = _Validator(schema or load_schema())
    targets = list(paths) if paths else default_paths()
    if not targets:
        raise HmeimimError("E016", str(corpus_dir()))
    for path in targets:
        handler = (handlers or {}).get(path.suffix) if path.is_file() else None
        if handler is not None:
            handler(path, validator.report, validator.default_schema)
        elif path.is_dir() and (path / "documents").is_dir():
            validator.validate_sources(path)
        elif path.is_dir():
            validator.validate_release(path)
        elif path.exists():
            validator.validate_file(path)
        else:
            validator.report.findings.append(
                Finding.of("E002", file=str(path), expected="file or folder")
            )
    return validator.report


def read_valid_sources(
    folder: Path, schema: Schema, file: str | None = None
) -> tuple[Sources, list[Finding]]:
    """Read an authoring folder and validate it: structure first, then every check.

    `file` names the folder in findings (e.g. `corpus/sources` for a staged copy).
    """
    read = read_sources(folder, schema)
    findings = list(read.findings)
    findings += validate_corpus(read.records, schema=schema, file=file or str(folder))
    return read, findings


def validate_corpus(
    records: CorpusRecords, *, schema: Schema | None = None, file: str | None = None
) -> list[Finding]:
    """Every check on documents, annotator layers and the registry together."""
    return validate_records(
        records.documents,
        entities=records.entities,
        annotator_layers=records.annotator_layers,
        schema=schema,
        file=file,
    )


def validate_records(
    records: Iterable[dict[str, Any]],
    *,
    entities: Iterable[dict[str, Any]] | None = None,
    annotator_layers: Iterable[dict[str, Any]] = (),
    schema: Schema | None = None,
    file: str | None = None,
) -> list[Finding]:
    """Validate in-memory records (e.g. from the authoring files or an import).

    With `entities=None` registry links are not checked.
    """
    schema = schema or load_schema()
    entity_list = list(entities) if entities is not None else None
    entity_ids = (
        frozenset(str(e["entity_id"]) for e in entity_list) if entity_list is not None else None
    )
    checker = CorpusChecker(schema, entity_ids=entity_ids, file=file)
    findings: list[Finding] = []
    for entity in entity_list or []:
        findings.extend(checker.check_row(entity, "entities", entity.get("entity_id")))
    counts = Counter(str(e["entity_id"]) for e in entity_list or [])
    findings += [
        Finding.of("E401", file=file, record_id=k, entity_id=k, count=n)
        for k, n in counts.items()
        if n > 1
    ]
    findings.extend(checker.check_documents(records))
    findings.extend(checker.check_documents(annotator_layers, table="annotator_layers"))
    return findings
