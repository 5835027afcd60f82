"""Reading the reviewable authoring inputs under `corpus/sources/`.

Layout:

    corpus/sources/entities.yaml                      the entity registry
    corpus/sources/documents/<doc_id>/text.txt        exact text, UTF-8, NFC, \\n
    corpus/sources/documents/<doc_id>/meta.yaml       document metadata
    corpus/sources/documents/<doc_id>/gold.yaml       gold spans, attributions, stances
    corpus/sources/annotators/<doc_id>/<name>.yaml    one annotator's raw layer (optional)

Structure and types are checked against the JSON Schema derived from the declaration;
every problem becomes a finding that names the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from hmeimim.errors import Finding
from hmeimim.model import ANNOTATION_KEYS, CorpusRecords
from hmeimim.schema.declaration import Schema
from hmeimim.schema.jsonschema import record_json_schema


@dataclass
class Sources:
    """What an authoring folder holds, and what is wrong with its files."""

    records: CorpusRecords = field(default_factory=CorpusRecords)
    findings: list[Finding] = field(default_factory=list)


def _jsonable(value: Any) -> Any:
    """YAML dates become ISO strings so JSON Schema can check them."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _schema_findings(
    instance: dict[str, Any], json_schema: dict[str, Any], file: str, doc_id: str | None
) -> list[Finding]:
    validator = jsonschema.Draft202012Validator(
        json_schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    findings = []
    for error in sorted(validator.iter_errors(_jsonable(instance)), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in error.absolute_path) or "<top>"
        missing = error.validator == "required" or (
            error.validator in ("type", "anyOf") and error.instance is None
        )
        code = "E101" if missing else "E107"
        if error.validator in ("enum",):
            code = "E105"
        elif error.validator == "pattern":
            code = "E106"
        findings.append(Finding(code, f"at {where}: {error.message}", file=file, doc_id=doc_id))
    return findings


def _with_dates(record: dict[str, Any], schema: Schema) -> dict[str, Any]:
    """A quoted date ("2024-12-20") is read as a string by YAML; store it as a date."""
    for column in schema.tables["documents"]:
        value = record.get(column.name)
        if column.type == "date" and isinstance(value, str):
            record[column.name] = dt.date.fromisoformat(value)
    return record


def _load_yaml(path: Path, findings: list[Finding]) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        findings.append(Finding("E002", "required authoring file is missing", file=str(path)))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        findings.append(Finding("E001", f"cannot read YAML: {error}", file=str(path)))
    return None


def _read_text(path: Path, findings: list[Finding], doc_id: str) -> str | None:
    try:
        # Bytes, then strict UTF-8: no newline translation, no silent replacement.
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        findings.append(Finding("E002", "text.txt is missing", file=str(path), doc_id=doc_id))
    except (OSError, UnicodeDecodeError) as error:
        findings.append(
            Finding("E001", f"text is not UTF-8: {error}", file=str(path), doc_id=doc_id)
        )
    return None


def _document_dirs(root: Path) -> Iterator[Path]:
    docs = root / "documents"
    if docs.is_dir():
        # Dot folders are temporaries of an unfinished ingest, never documents.
        yield from sorted(p for p in docs.iterdir() if p.is_dir() and not p.name.startswith("."))


def read_sources(root: Path, schema: Schema) -> Sources:
    """Read every authoring file under `root` (normally `corpus/sources`)."""
    out = Sources()
    doc_schema = record_json_schema(schema, "documents")
    layer_schema = record_json_schema(schema, "annotator_layers")
    entity_schema = record_json_schema(schema, "entities")

    registry_file = root / "entities.yaml"
    registry = _load_yaml(registry_file, out.findings)
    if registry is not None and not isinstance(registry, list):
        out.findings.append(
            Finding("E107", "the registry must be a YAML list", file=str(registry_file))
        )
    for entry in registry if isinstance(registry, list) else []:
        found = _schema_findings(entry, entity_schema, str(registry_file), None)
        out.findings.extend(found)
        if not found:
            out.records.entities.append(dict(entry))

    for doc_dir in _document_dirs(root):
        doc_id = doc_dir.name
        meta = _load_yaml(doc_dir / "meta.yaml", out.findings)
        gold = _load_yaml(doc_dir / "gold.yaml", out.findings)
        text = _read_text(doc_dir / "text.txt", out.findings, doc_id)
        if not isinstance(meta, dict) or not isinstance(gold, dict) or text is None:
            if meta is not None and not isinstance(meta, dict):
                out.findings.append(
                    Finding("E107", "meta.yaml must be a mapping", file=str(doc_dir), doc_id=doc_id)
                )
            continue
        record = {**meta, "text": text, **{k: gold.get(k, []) for k in ANNOTATION_KEYS}}
        if record.get("doc_id") != doc_id:
            out.findings.append(
                Finding(
                    "E106",
                    f"meta.yaml says doc_id {record.get('doc_id')!r} but the folder is {doc_id!r}",
                    file=str(doc_dir / "meta.yaml"),
                    doc_id=doc_id,
                )
            )
        found = _schema_findings(record, doc_schema, str(doc_dir), doc_id)
        out.findings.extend(found)
        if not found:
            out.records.documents.append(_with_dates(record, schema))

    annotators = root / "annotators"
    for layer_file in sorted(annotators.glob("*/*.yaml")) if annotators.is_dir() else []:
        doc_id = layer_file.parent.name
        body = _load_yaml(layer_file, out.findings)
        if not isinstance(body, dict):
            continue
        row = {"doc_id": doc_id, "annotator": layer_file.stem}
        row.update({k: body.get(k, []) for k in ANNOTATION_KEYS})
        found = _schema_findings(row, layer_schema, str(layer_file), doc_id)
        out.findings.extend(found)
        if not found:
            out.records.annotator_layers.append(row)
    return out
