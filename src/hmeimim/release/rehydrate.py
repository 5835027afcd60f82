"""Filling the texts of a stand-off release in from the user's own copies.

A stand-off document ships without its text; its row keeps the text's sha256 and length.
`rehydrate` looks for a copy of each such text under the folder given (`<doc_id>.txt`,
`<doc_id>/text.txt` or `documents/<doc_id>/text.txt`, so an authoring folder works, or
the saved web page `<doc_id>.html`, whose article text is extracted as ingest extracts
it), stores it the way ingest does (NFC, `\\n`), and accepts it only when its sha256 is
the released one; a copy that differs is refused with the document named (E613) and
nothing is written. Every span of the document, gold and raw layers, then gets its
text back as the slice of its offsets.

The result is a local corpus root, `OUT/corpus/v<version>/` (with the release's schema
kept under `OUT/corpus/inputs/`), so `hmeimim validate OUT/corpus/v<version>` and
`HMEIMIM_ROOT=OUT` loaders read it like any release. Its manifest lists the documents
still stand-off and those rehydrated; it is for the user's own use, never to be
published.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hmeimim.authoring.extract import extract_html
from hmeimim.authoring.text import ingest_text
from hmeimim.errors import Finding, HmeimimError
from hmeimim.model import (
    MANIFEST_EXTRAS,
    STANDOFF_KEY,
    CorpusRecords,
    text_fingerprint,
    with_text,
)
from hmeimim.paths import corpus_dir, schema_dir
from hmeimim.release.build import Rejected
from hmeimim.storage.files import read_bytes, writing
from hmeimim.storage.records import read_release_records
from hmeimim.storage.releases import (
    INPUTS,
    SCHEMA_COPY,
    kept_schema_path,
    published_manifest,
    release_dir,
    release_schema,
)
from hmeimim.storage.writer import staged_release
from hmeimim.validation.validate import validate_staged_release

REHYDRATED_KEY = "rehydrated"


@dataclass
class RehydrateResult:
    release: Path
    rehydrated: list[str] = field(default_factory=list)
    still_standoff: list[str] = field(default_factory=list)
    notices: list[Finding] = field(default_factory=list)


def _candidates(copies: Path, doc_id: str) -> list[Path]:
    return [
        copies / f"{doc_id}.txt",
        copies / doc_id / "text.txt",
        copies / "documents" / doc_id / "text.txt",
        copies / f"{doc_id}.html",
    ]


def _copy_of(copies: Path, doc_id: str) -> Path | None:
    for path in _candidates(copies, doc_id):
        if path.is_file():
            return path
    return None


def _stored_text(path: Path) -> str:
    """The copy as ingest stores a text: UTF-8 without a byte-order mark, NFC, `\\n`."""
    data = read_bytes(path)
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HmeimimError("E001", str(path), format="UTF-8 text", reason=str(error)) from None
    decoded = decoded.removeprefix("\ufeff")
    if path.suffix == ".html":
        decoded, _ = extract_html(decoded, str(path))
    return ingest_text(decoded)


def rehydrate(*, copies: Path, out: Path, version: str | None = None) -> RehydrateResult:
    """Write release `version` (default: the latest) with its withheld texts filled in
    from `copies`, as the local corpus root `out` (see the module docstring)."""
    if not copies.is_dir():
        raise HmeimimError("E002", str(copies), expected="folder")
    folder = release_dir(version)
    manifest = published_manifest(folder)
    schema = release_schema(folder, manifest)
    name = str(manifest["version"])
    if not {"text_sha256", "text_length"} <= schema.column_names("documents"):
        reason = f"has schema {schema.version}, which has no stand-off documents"
        raise HmeimimError("E615", str(folder), version=name, reason=reason)
    target = corpus_dir(out) / folder.name
    if target.exists():
        raise HmeimimError("E013", str(target))
    records = read_release_records(folder).records
    withheld = {str(d["doc_id"]): d for d in records.documents if d.get("text") is None}
    if not withheld:
        raise HmeimimError("E615", str(folder), version=name, reason="holds every text already")
    result = RehydrateResult(release=target)
    texts: dict[str, str] = {}
    differing: list[str] = []
    for doc_id, doc in sorted(withheld.items()):
        path = _copy_of(copies, doc_id)
        if path is None:
            searched = ", ".join(str(p) for p in _candidates(copies, doc_id))
            result.notices.append(Finding.of("E614", doc_id=doc_id, searched=searched))
            result.still_standoff.append(doc_id)
            continue
        text = _stored_text(path)
        digest, length = text_fingerprint(text)
        if (digest, length) != (doc["text_sha256"], doc["text_length"]):
            differing.append(
                f"{doc_id} ({path}: sha256 {digest[:12]}…, {length} code points; released "
                f"{str(doc['text_sha256'])[:12]}…, {doc['text_length']})"
            )
            continue
        texts[doc_id] = text
    if differing:
        raise HmeimimError(
            "E613",
            str(copies),
            documents=", ".join(d.split(" ", 1)[0] for d in differing),
            detail="; ".join(differing),
        )
    result.rehydrated = sorted(texts)
    filled = CorpusRecords(
        documents=[
            with_text(d, texts[d["doc_id"]]) if d["doc_id"] in texts else d
            for d in records.documents
        ],
        annotator_layers=[
            with_text(layer, texts[layer["doc_id"]]) if layer["doc_id"] in texts else layer
            for layer in records.annotator_layers
        ],
        entities=records.entities,
        claims=records.claims,
    )
    extra: dict[str, Any] = {k: manifest[k] for k in MANIFEST_EXTRAS if k in manifest}
    extra[STANDOFF_KEY] = result.still_standoff
    extra[REHYDRATED_KEY] = result.rehydrated
    schema_copy = kept_schema_path(folder, manifest)
    kept = corpus_dir(out) / INPUTS / folder.name
    with writing(target.parent):
        target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with staged_release(
            target,
            records=filled,
            schema=schema,
            version=name,
            released=str(manifest["released"]),
            parent=manifest.get("parent"),
            sources_digest=str(manifest.get("sources_sha256")),
            extra=extra,
        ) as staged:
            found = validate_staged_release(staged, schema=schema, final=target)
            if found:
                raise Rejected(found)
            with writing(kept):
                kept.mkdir(parents=True, exist_ok=True)
                # A release folder copied without its inputs was read with the checkout's
                # schema (which `release_schema` allows only at the same version).
                source = schema_copy if schema_copy.is_file() else schema_dir() / SCHEMA_COPY
                shutil.copy2(source, kept / SCHEMA_COPY)
    except Rejected as rejected:
        # The release itself validates; a finding here is a defect of this module.
        raise HmeimimError(
            "E615", str(target), version=name, reason=f"did not validate: {rejected.findings[0]}"
        ) from None
    return result
