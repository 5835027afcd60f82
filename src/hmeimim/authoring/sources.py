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
from typing import Any, cast

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
    reported: set[str] = set()  # required properties already reported
    for error in sorted(validator.iter_errors(_jsonable(instance)), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in error.absolute_path)
        code, params = _finding_of(error, where or "<top>")
        if error.validator == "required":
            # One error per missing property, which only the message names: take the next.
            missing = [str(n) for n in error.validator_value if n not in error.instance]
            fields = [f"{where}/{n}" if where else n for n in missing]
            params["field"] = next((f for f in fields if f not in reported), params["field"])
            reported.add(params["field"])
        findings.append(Finding.of(code, file=file, doc_id=doc_id, **params))
    return findings


def _finding_of(error: jsonschema.ValidationError, field: str) -> tuple[str, dict[str, Any]]:
    """The code of a JSON Schema error and the values of its template."""
    if error.validator == "required" or (
        error.validator in ("type", "anyOf") and error.instance is None
    ):
        return "E101", {"field": field}
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in cast("list[Any]", error.validator_value))
        return "E105", {"field": field, "value": error.instance, "allowed": allowed}
    if error.validator == "pattern":
        return "E106", {"field": field, "value": error.instance, "pattern": error.validator_value}
    return "E107", {"field": field, "reason": error.message}


def _found(value: Any, expected: str) -> str:
    """The reason of a wrong-type finding: the type read and the type wanted."""
    return f"a {type(value).__name__}, expected a {expected}"


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
        findings.append(Finding.of("E002", file=str(path), expected="required authoring file"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        findings.append(Finding.of("E001", file=str(path), format="YAML", reason=str(error)))
    return None


def _read_text(path: Path, findings: list[Finding], doc_id: str) -> str | None:
    try:
        # Bytes, then strict UTF-8: no newline translation, no silent replacement.
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        findings.append(
            Finding.of("E002", file=str(path), doc_id=doc_id, expected="required authoring file")
        )
    except (OSError, UnicodeDecodeError) as error:
        findings.append(
            Finding.of(
                "E001", file=str(path), doc_id=doc_id, format="UTF-8 text", reason=str(error)
            )
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
            Finding.of(
                "E107", file=str(registry_file), field="<top>", reason=_found(registry, "list")
            )
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
                    Finding.of(
                        "E107",
                        file=str(doc_dir / "meta.yaml"),
                        doc_id=doc_id,
                        field="<top>",
                        reason=_found(meta, "mapping"),
                    )
                )
            continue
        record = {**meta, "text": text, **{k: gold.get(k, []) for k in ANNOTATION_KEYS}}
        if record.get("doc_id") != doc_id:
            out.findings.append(
                Finding.of(
                    "E108",
                    file=str(doc_dir / "meta.yaml"),
                    doc_id=doc_id,
                    given=record.get("doc_id"),
                    folder=doc_id,
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
