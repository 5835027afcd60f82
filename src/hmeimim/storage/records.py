"""Reading the records of a written release: documents (streaming or whole) and all of it.

Every reader here returns plain dicts, the same shape as the authoring files give.
Document readers leave out stand-off documents (text withheld by license) unless asked
for them, and warn (`errors.TextsWithheld`, E506) naming them and how to rehydrate:
no reader hands back spans whose text is missing without being asked to.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hmeimim.errors import Finding, TextsWithheld
from hmeimim.model import ANNOTATORS_FILE, CLAIMS_FILE, ENTITIES_FILE, CorpusRecords
from hmeimim.storage.parquet import iter_records
from hmeimim.storage.releases import (
    document_files,
    read_manifest,
    release_dir,
    release_file,
    release_schema,
    split_files_of,
    standoff_listing,
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
        documents=[r for path in document_files(folder, manifest) for r in iter_records(path)],
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
    """The files of one split of release `version` (all splits: None), as its manifest
    lists them, in shard order."""
    by_split = split_files_of(release_dir(version))
    return [f for name, files in by_split.items() if split in (None, name) for f in files]


def standoff_documents(version: str | None = None) -> list[str]:
    """The doc_ids that release `version` (default: the latest) holds without their text."""
    return standoff_listing(read_manifest(release_dir(version)))


def warn_withheld(version: str | None = None) -> bool:
    """Warn (E506) when release `version` has stand-off documents; whether it has any."""
    folder = release_dir(version)
    withheld = standoff_listing(read_manifest(folder))
    if withheld:
        finding = Finding.of(
            "E506", file=str(folder), count=len(withheld), documents=", ".join(withheld)
        )
        warnings.warn(TextsWithheld(finding), stacklevel=3)
    return bool(withheld)


def iter_documents(
    version: str | None = None, split: str | None = None, *, standoff: bool = False
) -> Iterator[dict[str, Any]]:
    """Stream the documents of a release as plain dicts, split by split.

    Stand-off documents (no text) are left out with a warning, unless `standoff` is
    true: then they come with `text` and every span's `text` null.
    """
    if not standoff:
        warn_withheld(version)
    for path in split_files(version, split):
        for record in iter_records(path):
            if standoff or record.get("text") is not None:
                yield record


def read_documents(
    version: str | None = None, split: str | None = None, *, standoff: bool = False
) -> list[dict[str, Any]]:
    """All documents of a release (or one split) as plain dicts (see `iter_documents`)."""
    return list(iter_documents(version, split, standoff=standoff))
