"""Rebuilding a written release from its kept inputs, and checking it gives the same bytes.

`rebuild_release` builds a release again from `corpus/inputs/v<version>/` (its sources
and its schema); the manifest's `sources_sha256` ties that copy to the release. The
layout is the release's own: each split in as many files as the manifest lists, row
groups of the manifest's `row_group_rows`, and no `row_group_rows` in the manifest of a
release written before it was stated.
`reproduce` rebuilds into a temporary folder and compares the sha256 of every file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hmeimim.authoring.sources import read_sources
from hmeimim.errors import HmeimimError
from hmeimim.model import MANIFEST, MANIFEST_EXTRAS
from hmeimim.release.build import sources_digest
from hmeimim.schema.declaration import read_schema
from hmeimim.storage.files import sha256_of
from hmeimim.storage.parquet import ROW_GROUP_ROWS
from hmeimim.storage.releases import (
    ROW_GROUP_KEY,
    SCHEMA_COPY,
    SOURCES,
    inputs_dir,
    published_manifest,
    read_manifest,
    release_dir,
    split_listing,
)
from hmeimim.storage.writer import write_release


def rebuild_release(version: str, *, out: Path, root: Path | None = None) -> Path:
    """Build release `version` again, from its kept inputs, into the new folder `out`."""
    folder = release_dir(version, root)
    manifest = published_manifest(folder)
    kept = inputs_dir(version, root)
    if not (kept / SOURCES).is_dir():
        raise HmeimimError("E606", str(kept))
    digest = sources_digest(kept / SOURCES)
    if digest != manifest.get("sources_sha256"):
        listed = str(manifest.get("sources_sha256"))[:12]
        raise HmeimimError("E608", str(kept / SOURCES), actual=digest[:12], listed=listed)
    schema = read_schema(kept / SCHEMA_COPY)
    read = read_sources(kept / SOURCES, schema)
    extra: dict[str, Any] = {k: manifest[k] for k in MANIFEST_EXTRAS if k in manifest}
    stated = [e[ROW_GROUP_KEY] for e in manifest["files"].values() if ROW_GROUP_KEY in e]
    return write_release(
        out,
        records=read.records,
        schema=schema,
        version=str(manifest["version"]),
        released=str(manifest["released"]),
        parent=manifest.get("parent"),
        sources_digest=digest,
        extra=extra,
        files_per_split={split: len(names) for split, names in split_listing(manifest).items()},
        row_group_rows=stated[0] if stated else ROW_GROUP_ROWS,
        state_row_groups=bool(stated),
    )


def reproduce(version: str, *, root: Path | None = None) -> dict[str, tuple[str, str]]:
    """Rebuild `version` in a temporary folder; sha256 (written, rebuilt) of each file.

    The release is reproducible when every pair is equal.
    """
    folder = release_dir(version, root)
    with tempfile.TemporaryDirectory(prefix="hmeimim-rebuild-") as tmp:
        rebuilt = rebuild_release(version, out=Path(tmp) / folder.name, root=root)
        names = sorted({*read_manifest(folder)["files"], MANIFEST})
        return {
            name: (
                sha256_of(folder / name) if (folder / name).is_file() else "",
                sha256_of(rebuilt / name) if (rebuilt / name).is_file() else "",
            )
            for name in names
        }
