"""Release folders on disk: finding them, writing them atomically, reading their Parquet.

A release is `corpus/v<MAJOR>.<MINOR>.<PATCH>/` holding one Parquet file per non-empty
split (`train.parquet`, ...), `annotators.parquet` (raw per-annotator layers),
`entities.parquet` (the registry) and `manifest.json` (sha256, bytes and rows per file,
schema version, counts, parent version). Splits with no documents have no file because
`datasets` cannot read an empty Parquet file as a split.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq

from hmeimim.errors import HmeimimError
from hmeimim.paths import corpus_dir
from hmeimim.schema import Schema
from hmeimim.stats import annotation_counts

SPLITS = ("train", "validation", "test")
MANIFEST = "manifest.json"
ANNOTATORS_FILE = "annotators.parquet"
ENTITIES_FILE = "entities.parquet"
_RELEASE_DIR = re.compile(r"^v(\d+)\.(\d+)\.(\d+)$")
_SORT_KEYS = {"documents": ("doc_id",), "annotator_layers": ("doc_id", "annotator")}


class Version(NamedTuple):
    major: int
    minor: int
    patch: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    @classmethod
    def parse(cls, text: str) -> Version:
        match = _RELEASE_DIR.match(text if text.startswith("v") else f"v{text}")
        if not match:
            raise HmeimimError(
                "E011", text, "is not a version of the form MAJOR.MINOR.PATCH", "write e.g. 1.0.0"
            )
        return cls(*(int(part) for part in match.groups()))


def list_releases(root: Path | None = None) -> list[tuple[Version, Path]]:
    """Every release folder under `corpus/`, oldest first."""
    base = corpus_dir(root)
    found = []
    for child in base.iterdir() if base.is_dir() else []:
        if child.is_dir() and _RELEASE_DIR.match(child.name):
            found.append((Version.parse(child.name), child))
    return sorted(found)


def release_dir(version: str | None = None, root: Path | None = None) -> Path:
    """The folder of `version`, or of the latest release when `version` is None."""
    releases = list_releases(root)
    if not releases:
        raise HmeimimError(
            "E012", str(corpus_dir(root)), "holds no release", "build one with `hmeimim build`"
        )
    if version is None:
        return releases[-1][1]
    wanted = Version.parse(version)
    for found, path in releases:
        if found == wanted:
            return path
    known = ", ".join(str(v) for v, _ in releases)
    raise HmeimimError("E012", f"version {wanted}", f"is not released (have: {known})", "pick one")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def table_from_records(
    records: Sequence[Mapping[str, Any]], schema: Schema, table: str
) -> pa.Table:
    arrow_schema = schema.arrow_schema(table)
    keys = _SORT_KEYS.get(table, ("entity_id",))
    ordered = sorted(records, key=lambda r: tuple(str(r[k]) for k in keys))
    rows = [{name: r.get(name) for name in arrow_schema.names} for r in ordered]
    return pa.Table.from_pylist(rows, schema=arrow_schema)


def write_parquet(table: pa.Table, path: Path) -> None:
    # Fixed settings so that the same records always give the same bytes.
    pq.write_table(
        table,
        path,
        compression="zstd",
        compression_level=9,
        row_group_size=1024,
        use_dictionary=True,
        write_statistics=True,
        store_schema=True,
    )


def write_release(
    out_dir: Path,
    *,
    documents: Sequence[Mapping[str, Any]],
    annotator_layers: Sequence[Mapping[str, Any]],
    entities: Sequence[Mapping[str, Any]],
    schema: Schema,
    version: str,
    released: str,
    parent: str | None,
    sources_digest: str,
    extra: Mapping[str, Any] | None = None,
) -> Path:
    """Write a release folder atomically: into a temporary sibling, then one rename.

    An existing folder is never touched. A crash leaves at most a `.tmp-*` folder, which
    is not a release and is ignored by every reader. `extra` adds keys to the manifest.
    """
    if out_dir.exists():
        raise HmeimimError(
            "E013",
            str(out_dir),
            "already exists; a written release never changes",
            "choose a new version",
        )
    with staged_folder(out_dir) as staging:
        files: dict[str, dict[str, Any]] = {}
        for split in SPLITS:
            records = [d for d in documents if d.get("split") == split]
            if records:
                files[f"{split}.parquet"] = {
                    "table": "documents",
                    "split": split,
                    "records": records,
                }
        files[ANNOTATORS_FILE] = {"table": "annotator_layers", "records": annotator_layers}
        files[ENTITIES_FILE] = {"table": "entities", "records": entities}
        listing = {}
        for name, spec in files.items():
            path = staging / name
            write_parquet(table_from_records(spec["records"], schema, spec["table"]), path)
            listing[name] = {
                "table": spec["table"],
                **({"split": spec["split"]} if "split" in spec else {}),
                "rows": len(spec["records"]),
                "bytes": path.stat().st_size,
                "sha256": sha256_of(path),
            }
        manifest = {
            "name": "hmeimim-corpus",
            "version": version,
            "released": released,
            "parent": parent,
            "schema_version": schema.version,
            "sources_sha256": sources_digest,
            "files": listing,
            "counts": annotation_counts(documents),
            **(extra or {}),
        }
        write_text_atomic(staging / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return out_dir


@contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """Fill a temporary sibling of `target`, then rename it into place in one step.

    On any error (or a kill) the temporary `.tmp-*` folder is all that can remain, and
    readers ignore dot folders. The folder and its files are made world-readable first,
    since mkdtemp and mkstemp create private modes.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".tmp-{target.name}-", dir=target.parent))
    try:
        yield staging
        staging.chmod(0o755)
        for child in staging.rglob("*"):
            child.chmod(0o755 if child.is_dir() else 0o644)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write a file through a temporary sibling and a rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HmeimimError("E004", str(path), "is missing", "rebuild the release") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise HmeimimError("E004", str(path), f"is not valid JSON ({error})", "rebuild") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise HmeimimError("E004", str(path), "has no `files` mapping", "rebuild the release")
    return manifest


def document_files(folder: Path) -> list[Path]:
    """The split files of a release, in split order."""
    return [
        folder / f"{split}.parquet" for split in SPLITS if (folder / f"{split}.parquet").is_file()
    ]


def open_parquet(path: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except FileNotFoundError:
        raise HmeimimError("E002", str(path), "does not exist", "check the path") from None
    except (OSError, pa.ArrowException) as error:
        raise HmeimimError(
            "E001",
            str(path),
            f"is not a readable Parquet file ({error})",
            "restore the file from git or rebuild the release",
        ) from None


def iter_records(path: Path, batch_size: int = 256) -> Iterator[dict[str, Any]]:
    """Stream the rows of one Parquet file as plain dicts, a batch at a time."""
    parquet = open_parquet(path)
    try:
        for batch in parquet.iter_batches(batch_size=batch_size):
            yield from batch.to_pylist()
    except (OSError, pa.ArrowException) as error:
        raise HmeimimError(
            "E001",
            str(path),
            f"cannot be read to the end ({error})",
            "restore the file from git or rebuild the release",
        ) from None


def read_records(path: Path) -> list[dict[str, Any]]:
    return list(iter_records(path))
