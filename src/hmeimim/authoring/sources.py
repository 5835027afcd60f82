"""Reading the reviewable authoring inputs under `corpus/sources/`.

Layout:

    corpus/sources/entities.yaml                      the entity registry
    corpus/sources/claims.yaml                        the claim registry (schema >= 1.1.0;
                                                      absent: an empty registry)
    corpus/sources/documents/<doc_id>/text.txt        exact text, UTF-8, NFC, \\n
    corpus/sources/documents/<doc_id>/text.standoff.yaml
                                                      instead of text.txt for a document
                                                      whose text may not be shared: its
                                                      sha256 and length (span texts null)
    corpus/sources/documents/<doc_id>/meta.yaml       document metadata
    corpus/sources/documents/<doc_id>/gold.yaml       gold spans, attributions, stances
    corpus/sources/annotators/<doc_id>/<name>.yaml    one annotator's raw layer (optional)

Structure and types are checked against the JSON Schema derived from the declaration;
every problem becomes a finding that names the file. Where the schema has the derived
columns `text_sha256` and `text_length` (1.2.0 on), they are computed from text.txt, or
taken from text.standoff.yaml for a stand-off document; they are never authored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import jsonschema

from hmeimim.authoring import strict_yaml
from hmeimim.authoring.conformance import Predicate, compile_conformance
from hmeimim.errors import Finding
from hmeimim.model import (
    ANNOTATION_KEYS,
    STANDOFF_FILE,
    TEXT_FILE,
    CorpusRecords,
    text_fingerprint,
)
from hmeimim.progress import counted
from hmeimim.schema.declaration import Schema
from hmeimim.schema.jsonschema import record_json_schema


@dataclass
class Sources:
    """What an authoring folder holds, and what is wrong with its files."""

    records: CorpusRecords = field(default_factory=CorpusRecords)
    findings: list[Finding] = field(default_factory=list)


def _is_whole_number(checker: Any, value: Any) -> bool:
    # JSON Schema counts 5.0 as an integer; an offset written `5.0` is a typo to report.
    return isinstance(value, int) and not isinstance(value, bool)


_StrictValidator = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_whole_number),
)


def _jsonable(value: Any) -> Any:
    """YAML dates become ISO strings so JSON Schema can check them."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


# The compiled conformance predicate of the JSON Schemas in use, by identity (a reader
# derives each schema once and passes the same object for every record).
_COMPILED: dict[int, tuple[dict[str, Any], Predicate | None]] = {}


def _conformance(json_schema: dict[str, Any]) -> Predicate | None:
    cached = _COMPILED.get(id(json_schema))
    if cached is not None and cached[0] is json_schema:
        return cached[1]
    if len(_COMPILED) >= 32:
        _COMPILED.clear()
    compiled = compile_conformance(json_schema)
    _COMPILED[id(json_schema)] = (json_schema, compiled)
    return compiled


def record_schema_findings(
    instance: dict[str, Any], json_schema: dict[str, Any], file: str, doc_id: str | None
) -> list[Finding]:
    """The JSON Schema findings of one authoring record (also used on Label Studio imports)."""
    jsonable = _jsonable(instance)
    conforms = _conformance(json_schema)
    if conforms is not None and conforms(jsonable):
        return []  # certainly no finding (see authoring.conformance); jsonschema says why
    validator = _StrictValidator(json_schema, format_checker=_StrictValidator.FORMAT_CHECKER)
    findings = []
    reported: set[str] = set()  # required properties already reported
    for error in sorted(validator.iter_errors(jsonable), key=lambda e: list(e.path)):
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


def _read_yaml(path: Path, findings: list[Finding], doc_id: str | None, expected: type) -> Any:
    """The parsed file if it reads strictly and has the top-level type `expected`; else
    None after reporting why (an empty file too: it would drop a document silently)."""
    wanted = "mapping" if expected is dict else "list"
    try:
        value = strict_yaml.load(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        expected_file = "required authoring file"
        findings.append(Finding.of("E002", file=str(path), doc_id=doc_id, expected=expected_file))
        return None
    except strict_yaml.Refusal as refusal:
        if refusal.kind == "duplicate-key":
            findings.append(Finding.of("E109", file=str(path), doc_id=doc_id, detail=str(refusal)))
            return None
        if refusal.kind == "alias":
            findings.append(Finding.of("E110", file=str(path), doc_id=doc_id, detail=str(refusal)))
            return None
        reason = str(refusal)
    except (OSError, UnicodeDecodeError) as error:
        reason = str(error)
    else:
        if isinstance(value, expected):
            return value
        reason = f"an empty file, expected a {wanted}" if value is None else _found(value, wanted)
        findings.append(
            Finding.of("E107", file=str(path), doc_id=doc_id, field="<top>", reason=reason)
        )
        return None
    findings.append(Finding.of("E001", file=str(path), doc_id=doc_id, format="YAML", reason=reason))
    return None


def _annotation_body(
    body: dict[Any, Any], path: Path, findings: list[Finding], doc_id: str
) -> dict[str, Any] | None:
    """The three annotation lists of a gold or raw-layer file, each required, no other key."""
    ok = True
    for key in body:
        if key not in ANNOTATION_KEYS:
            allowed = ", ".join(ANNOTATION_KEYS)
            findings.append(
                Finding.of("E111", file=str(path), doc_id=doc_id, key=key, allowed=allowed)
            )
            ok = False
    for key in ANNOTATION_KEYS:
        if key not in body:
            findings.append(Finding.of("E101", file=str(path), doc_id=doc_id, field=key))
            ok = False
    return {key: body[key] for key in ANNOTATION_KEYS} if ok else None


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


def _has_fingerprint(schema: Schema) -> bool:
    return {"text_sha256", "text_length"} <= schema.column_names("documents")


def _read_standoff(path: Path, findings: list[Finding], doc_id: str) -> tuple[str, int] | None:
    """The (sha256, length) a stand-off document's text.standoff.yaml records."""
    body = _read_yaml(path, findings, doc_id, dict)
    if body is None:
        return None
    digest, length = body.get("sha256"), body.get("length")
    if set(body) != {"sha256", "length"} or not isinstance(digest, str):
        reason = "expected exactly the keys sha256 (a string) and length (an integer)"
        findings.append(
            Finding.of("E107", file=str(path), doc_id=doc_id, field="<top>", reason=reason)
        )
        return None
    if not isinstance(length, int) or isinstance(length, bool) or length < 0:
        reason = f"length {length!r} is not a whole number of code points"
        findings.append(
            Finding.of("E107", file=str(path), doc_id=doc_id, field="length", reason=reason)
        )
        return None
    return digest, length


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
    registry = _read_yaml(registry_file, out.findings, None, list)
    for entry in registry or []:
        found = record_schema_findings(entry, entity_schema, str(registry_file), None)
        out.findings.extend(found)
        if not found:
            out.records.entities.append(dict(entry))

    claims_file = root / "claims.yaml"
    if "claims" in schema.tables and claims_file.exists():
        claim_schema = record_json_schema(schema, "claims")
        for entry in _read_yaml(claims_file, out.findings, None, list) or []:
            found = record_schema_findings(entry, claim_schema, str(claims_file), None)
            out.findings.extend(found)
            if not found:
                out.records.claims.append(dict(entry))

    unread: set[str] = set()  # document folders whose document did not read
    folders = list(_document_dirs(root))
    for doc_dir in counted(folders, "reading the authoring folder", len(folders)):
        doc_id = doc_dir.name
        unread.add(doc_id)
        meta_file, gold_file = doc_dir / "meta.yaml", doc_dir / "gold.yaml"
        meta = _read_yaml(meta_file, out.findings, doc_id, dict)
        gold = _read_yaml(gold_file, out.findings, doc_id, dict)
        fingerprinted = _has_fingerprint(schema)
        if (
            fingerprinted
            and not (doc_dir / TEXT_FILE).exists()
            and ((doc_dir / STANDOFF_FILE).exists())
        ):
            text, fingerprint = None, _read_standoff(doc_dir / STANDOFF_FILE, out.findings, doc_id)
            readable = fingerprint is not None
        else:
            text = _read_text(doc_dir / TEXT_FILE, out.findings, doc_id)
            fingerprint = None if text is None else text_fingerprint(text)
            readable = text is not None
        annotations = (
            None if gold is None else _annotation_body(gold, gold_file, out.findings, doc_id)
        )
        if meta is None or annotations is None or not readable:
            continue
        record = {**meta, "text": text, **annotations}
        if fingerprinted and fingerprint is not None:
            record["text_sha256"], record["text_length"] = fingerprint
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
        found = record_schema_findings(record, doc_schema, str(doc_dir), doc_id)
        out.findings.extend(found)
        if not found:
            out.records.documents.append(_with_dates(record, schema))
            unread.discard(doc_id)

    annotators = root / "annotators"
    for layer_file in sorted(annotators.glob("*/*.yaml")) if annotators.is_dir() else []:
        doc_id = layer_file.parent.name
        body = _read_yaml(layer_file, out.findings, doc_id, dict)
        layer = None if body is None else _annotation_body(body, layer_file, out.findings, doc_id)
        if layer is None:
            continue
        row = {"doc_id": doc_id, "annotator": layer_file.stem, **layer}
        found = record_schema_findings(row, layer_schema, str(layer_file), doc_id)
        out.findings.extend(found)
        # The layer of a document that is there but did not read waits for it: a finding
        # names the document already, and the layer does not dangle (E302).
        if not found and doc_id not in unread:
            out.records.annotator_layers.append(row)
    return out
