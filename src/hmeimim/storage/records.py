"""Reading the records of a written release: documents (streaming or whole) and all of it.

Every reader here returns plain dicts, the same shape as the authoring files give.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hmeimim.model import ANNOTATORS_FILE, CLAIMS_FILE, ENTITIES_FILE, CorpusRecords
from hmeimim.storage.parquet import iter_records
from hmeimim.storage.releases import (
    document_files,
    read_manifest,
    release_dir,
    release_file,
    release_schema,
)


@dataclass(frozen=True)
class ReleaseRecords:
    """Every record of one release, with its version and manifest."""

    version: str
    manifest: dict[str, Any]
    records: CorpusRecords


def read_release_records(folder: Path) -> ReleaseRecords:
    """Every record of a written release folder."""
    manifest = read_manifest(folder)
    records = CorpusRecords(
        documents=[r for path in document_files(folder) for r in iter_records(path)],
        annotator_layers=list(iter_records(release_file(folder, ANNOTATORS_FILE))),
        entities=list(iter_records(release_file(folder, ENTITIES_FILE))),
        claims=read_claims(folder, manifest),
    )
    return ReleaseRecords(str(manifest.get("version")), manifest, records)


def read_claims(folder: Path, manifest: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The claim registry of a written release; empty for a release whose schema has no
    `claims` table (1.0.0)."""
    manifest = manifest if manifest is not None else read_manifest(folder)
    if "claims" not in release_schema(folder, manifest).tables:
        return []
    return list(iter_records(release_file(folder, CLAIMS_FILE)))


def split_files(version: str | None, split: str | None) -> list[Path]:
    files = document_files(release_dir(version))
    return [f for f in files if split is None or f.stem == split]


def iter_documents(
    version: str | None = None, split: str | None = None
) -> Iterator[dict[str, Any]]:
    """Stream the documents of a release as plain dicts, split by split."""
    for path in split_files(version, split):
        yield from iter_records(path)


def read_documents(version: str | None = None, split: str | None = None) -> list[dict[str, Any]]:
    """All documents of a release (or one split) as plain dicts."""
    return list(iter_documents(version, split))
