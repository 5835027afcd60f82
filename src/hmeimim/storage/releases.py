"""Release folders on disk: finding them, their manifests and the schema each was written with.

A release is `corpus/v<MAJOR>.<MINOR>.<PATCH>/` holding one Parquet file per non-empty
split (`train.parquet`, ...), `annotators.parquet` (raw per-annotator layers),
`entities.parquet` (the registry) and `manifest.json` (sha256, bytes and rows per file,
schema version, counts, parent version). Splits with no documents have no file because
`datasets` cannot read an empty Parquet file as a split.

Each release keeps the inputs it was built from under `corpus/inputs/v<version>/`:
`sources/` and `hmeimim.yaml`, the schema declaration as it stood. `release_schema`
reads that copy, so a release is always read and validated with its own schema, never
with the checkout's.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from hmeimim.errors import HmeimimError
from hmeimim.model import MANIFEST, RELEASE_DIR, SPLITS, Version
from hmeimim.paths import corpus_dir
from hmeimim.schema.declaration import Schema, load_schema, read_schema

INPUTS = "inputs"
SOURCES = "sources"
SCHEMA_COPY = "hmeimim.yaml"


def list_releases(root: Path | None = None) -> list[tuple[Version, Path]]:
    """Every release folder under `corpus/`, oldest first."""
    base = corpus_dir(root)
    found = []
    for child in base.iterdir() if base.is_dir() else []:
        if child.is_dir() and RELEASE_DIR.match(child.name):
            found.append((Version.parse(child.name), child))
    return sorted(found)


def release_dir(version: str | None = None, root: Path | None = None) -> Path:
    """The folder of `version`, or of the latest release when `version` is None."""
    releases = list_releases(root)
    if not releases:
        raise HmeimimError("E016", str(corpus_dir(root)))
    if version is None:
        return releases[-1][1]
    wanted = Version.parse(version)
    for found, path in releases:
        if found == wanted:
            return path
    known = ", ".join(str(v) for v, _ in releases)
    raise HmeimimError("E012", f"version {wanted}", known=known)


def inputs_dir(version: str, root: Path | None = None) -> Path:
    """Where the inputs of a release are kept: `corpus/inputs/v<version>/`."""
    return corpus_dir(root) / INPUTS / f"v{Version.parse(version)}"


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise HmeimimError("E004", str(path), reason=str(error)) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise HmeimimError("E008", str(path), key="files", expected="a mapping of file names")
    return manifest


def document_files(folder: Path) -> list[Path]:
    """The split files of a release, in split order."""
    return [
        folder / f"{split}.parquet" for split in SPLITS if (folder / f"{split}.parquet").is_file()
    ]


@cache
def _saved_schema(path: Path, mtime_ns: int) -> Schema:
    return read_schema(path)


def release_schema(folder: Path, manifest: dict[str, Any] | None = None) -> Schema:
    """The schema release `folder` was written with.

    It is the declaration kept with the release's inputs. Where that copy is absent (a
    release folder copied on its own), the checkout's declaration is used only if it has
    the release's schema version; otherwise the release cannot be read safely (E014). A
    manifest that names no schema version gets the checkout's.
    """
    manifest = manifest if manifest is not None else read_manifest(folder)
    if manifest.get("schema_version") is None:
        # Hand-made or foreign release folders may not say; only the checkout's can apply.
        return load_schema()
    declared = str(manifest["schema_version"])
    kept = folder.parent / str(manifest.get("inputs") or f"{INPUTS}/{folder.name}") / SCHEMA_COPY
    if kept.is_file():
        schema = _saved_schema(kept, kept.stat().st_mtime_ns)
        if schema.version == declared:
            return schema
    current = load_schema()
    if current.version == declared:
        return current
    raise HmeimimError(
        "E014", str(kept), release=folder.name, declared=declared, current=current.version
    )
