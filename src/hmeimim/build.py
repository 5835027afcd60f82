"""Building a release from the authoring inputs, reproducibly.

The same inputs, version, date and parent give byte-identical Parquet and manifest.
Nothing is written unless every input validates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from hmeimim.errors import HmeimimError
from hmeimim.findings import Finding
from hmeimim.paths import corpus_dir
from hmeimim.schema import Schema, load_schema
from hmeimim.sources import Sources, read_sources
from hmeimim.storage import Version, list_releases, write_release
from hmeimim.validate import validate_records


@dataclass
class BuildResult:
    findings: list[Finding]
    release: Path | None


def sources_digest(root: Path) -> str:
    """sha256 over every authoring file's relative path and bytes, in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def read_valid_sources(
    folder: Path, schema: Schema, file: str | None = None
) -> tuple[Sources, list[Finding]]:
    """Read an authoring folder and validate it: structure first, then every check."""
    read = read_sources(folder, schema)
    findings = list(read.findings)
    findings += validate_records(
        read.documents,
        entities=read.entities,
        annotator_layers=read.annotator_layers,
        schema=schema,
        file=file or str(folder),
    )
    return read, findings


def build_release(
    *,
    version: str,
    released: str | None = None,
    parent: str | None = None,
    sources: Path | None = None,
    out: Path | None = None,
    schema: Schema | None = None,
) -> BuildResult:
    """Build `corpus/v<version>` (or `out`) from `corpus/sources` (or `sources`).

    Returns the findings; the release is written only when there are none.
    """
    schema = schema or load_schema()
    parsed = Version.parse(version)
    sources = sources or corpus_dir() / "sources"
    if not sources.is_dir():
        raise HmeimimError("E002", str(sources), "is not a folder", "pass the authoring folder")
    if released is None:
        released = dt.date.today().isoformat()
    if parent is None:
        older = [v for v, _ in list_releases() if v < parsed]
        parent = str(older[-1]) if older else None
    read, findings = read_valid_sources(sources, schema)
    if findings:
        return BuildResult(findings, None)
    target = out or corpus_dir() / f"v{parsed}"
    path = write_release(
        target,
        documents=read.documents,
        annotator_layers=read.annotator_layers,
        entities=read.entities,
        schema=schema,
        version=str(parsed),
        released=released,
        parent=parent,
        sources_digest=sources_digest(sources),
    )
    return BuildResult([], path)
