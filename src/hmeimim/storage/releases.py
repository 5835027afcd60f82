"""Release folders on disk: finding them, their manifests and the schema each was written with.

A release is `corpus/v<MAJOR>.<MINOR>.<PATCH>/` holding the documents of each non-empty
split (`train.parquet`, ...; a large split in several files, `train-00000-of-00003.parquet`
and so on, see `storage.writer`), `annotators.parquet` (raw per-annotator layers),
`entities.parquet` (the registry), `claims.parquet` (the claim registry, from schema
1.1.0 on) and `manifest.json` (table, split, sha256, bytes, rows and, from release 1.3.0
on, rows per row group of each file; schema version, counts, parent version). Splits
with no documents have no file because `datasets` cannot read an empty Parquet file as
a split.

Readers find a release's files through its manifest (`split_listing`, `document_files`),
never by guessing names; the names themselves (`split_file_names`) follow the patterns
by which Hugging Face `datasets` assigns files to splits, so that `datasets`, DuckDB and
Spark read the folder as it is.

Each release keeps the inputs it was built from under `corpus/inputs/v<version>/`:
`sources/` and `hmeimim.yaml`, the schema declaration as it stood. `release_schema`
reads that copy, so a release is always read and validated with its own schema, never
with the checkout's.

`read_manifest` refuses what a manifest written by `hmeimim release` never holds and
what would crash a reader: numbers out of range (`1e400`, integers of more than 20
digits), NaN and Infinity, and nesting deeper than the JSON parser can follow (E004).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import stat
from functools import cache
from pathlib import Path, PurePath, PurePosixPath
from typing import Any

from hmeimim.errors import HmeimimError
from hmeimim.model import (
    ANNOTATORS_FILE,
    CLAIMS_FILE,
    ENTITIES_FILE,
    MANIFEST,
    RELEASE_DIR,
    SPLITS,
    STANDOFF_KEY,
    Version,
)
from hmeimim.paths import corpus_dir
from hmeimim.schema.declaration import Schema, load_schema, read_schema
from hmeimim.storage.files import list_folder, os_reason

# The key of a manifest's file entry that gives the rows per row group the file was
# written with (every group holds that many but the last, which holds at most that many).
ROW_GROUP_KEY = "row_group_rows"
# The longest integer a manifest holds is a byte count; 20 digits pass 2**64.
_MAX_DIGITS = 20
# The table of each file a release may hold, in the order validation reads them: the
# registries first (their ids check the entity and claim links), then the splits, then
# the raw layers (which need the documents' texts). Only releases whose schema declares
# the `claims` table have `claims.parquet`.
FILE_TABLES: dict[str, str] = {
    ENTITIES_FILE: "entities",
    CLAIMS_FILE: "claims",
    **{f"{split}.parquet": "documents" for split in SPLITS},
    ANNOTATORS_FILE: "annotator_layers",
}
# The name of one file of a split written in several: `<split>-<index>-of-<count>.parquet`,
# both numbers of five digits, the index from 0 (the names Hugging Face gives shards).
_SHARD = re.compile(r"(?P<split>[a-z]+)-(?P<index>[0-9]{5})-of-(?P<count>[0-9]{5})\.parquet")

INPUTS = "inputs"
SOURCES = "sources"
SCHEMA_COPY = "hmeimim.yaml"


def split_file_names(split: str, count: int) -> list[str]:
    """The names of the `count` files holding split `split`: `train.parquet` for one file,
    `train-00000-of-00003.parquet` ... `train-00002-of-00003.parquet` for three."""
    if count == 1:
        return [f"{split}.parquet"]
    return [f"{split}-{index:05d}-of-{count:05d}.parquet" for index in range(count)]


def split_of_name(name: str) -> str | None:
    """The split whose documents a file of this name holds (None: not a split file's name)."""
    if name in FILE_TABLES and FILE_TABLES[name] == "documents":
        return name.removesuffix(".parquet")
    shard = _SHARD.fullmatch(name)
    if shard is None or shard["split"] not in SPLITS:
        return None
    index, count = int(shard["index"]), int(shard["count"])
    return shard["split"] if count > 1 and index < count else None


def file_table(name: str) -> str | None:
    """The table a release file of this name holds (None: no release file has this name)."""
    return FILE_TABLES.get(name) or ("documents" if split_of_name(name) else None)


def split_listing(manifest: dict[str, Any]) -> dict[str, list[str]]:
    """The document files a manifest lists, by split (in `SPLITS` order), each split's in
    shard order. An entry's `table` and `split` say what it holds (a hand-made entry
    without them is taken by its name); only files with a split file's name are listed,
    the ones validation reads. Validation checks that entries, names and the documents
    inside agree."""
    found: dict[str, list[str]] = {}
    files = manifest.get("files")
    for name, entry in (files if isinstance(files, dict) else {}).items():
        said = entry if isinstance(entry, dict) else {}
        table = said.get("table", file_table(name))
        split = said.get("split", split_of_name(name))
        if table == "documents" and split in SPLITS and file_table(name) == "documents":
            found.setdefault(str(split), []).append(name)
    return {split: sorted(found[split]) for split in SPLITS if split in found}


def list_releases(root: Path | None = None) -> list[tuple[Version, Path]]:
    """Every release folder under `corpus/`, oldest first."""
    base = corpus_dir(root)
    try:
        names = list_folder(base)
    except HmeimimError as error:
        if error.code == "E002":
            return []
        raise
    found = []
    for name in names:
        child = base / name
        if RELEASE_DIR.match(name) and child.is_dir():
            found.append((Version.parse(name), child))
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


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


def _bounded(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_DIGITS:
        raise ValueError(f"an integer of {len(text.lstrip('-'))} digits is out of range")
    return int(text)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def parse_manifest(text: str) -> Any:
    """Parse manifest JSON, refusing out-of-range numbers; ValueError says why not."""
    try:
        return json.loads(
            text, parse_float=_finite, parse_int=_bounded, parse_constant=_no_constant
        )
    except RecursionError:
        raise ValueError("it is nested more deeply than JSON can be read here") from None


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    try:
        manifest = parse_manifest(path.read_bytes().decode("utf-8"))
    except FileNotFoundError as error:
        raise HmeimimError("E004", str(path), reason=os_reason(error)) from None
    except OSError as error:
        raise HmeimimError("E023", str(path), reason=os_reason(error)) from None
    except ValueError as error:  # UnicodeDecodeError and JSONDecodeError too
        raise HmeimimError("E004", str(path), reason=str(error)) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise HmeimimError("E008", str(path), key="files", expected="a mapping of file names")
    return manifest


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_counts(value: Any, depth: int = 3) -> bool:
    """A count, or a mapping of counts (nested `depth` levels at most)."""
    if _is_count(value):
        return True
    return (
        depth > 0
        and isinstance(value, dict)
        and all(_is_counts(v, depth - 1) for v in value.values())
    )


def is_row_group_size(value: Any) -> bool:
    """Whether `value` can be a manifest's `row_group_rows`: a whole number of 1 or more."""
    return _is_count(value) and value >= 1


def is_date(value: Any) -> bool:
    try:
        dt.date.fromisoformat(value if isinstance(value, str) else "")
    except ValueError:
        return False
    return True


def published_manifest(folder: Path) -> dict[str, Any]:
    """The manifest, with everything that publishing and rebuilding a release read from it.

    `read_manifest` only needs a `files` mapping (validation reports the rest, key by
    key); the writers of CHANGELOG, CITATION, croissant.json and `reproduce` need the
    keys `hmeimim release` always writes, and refuse a manifest without them (E008).
    """
    manifest = read_manifest(folder)
    where = str(folder / MANIFEST)

    def need(ok: bool, key: str, expected: str) -> None:
        if not ok:
            raise HmeimimError("E008", where, key=key, expected=expected)

    version, released = manifest.get("version"), manifest.get("released")
    need(
        isinstance(version, str) and RELEASE_DIR.match(f"v{version}") is not None,
        "version",
        "a version of the form MAJOR.MINOR.PATCH",
    )
    need(is_date(released), "released", "a date of the form YYYY-MM-DD")
    for name, entry in manifest["files"].items():
        table = file_table(name)
        need(
            isinstance(entry, dict)
            and isinstance(entry.get("sha256"), str)
            and _is_count(entry.get("bytes"))
            and _is_count(entry.get("rows"))
            and isinstance(entry.get("table"), str)
            and entry.get("table") == (table or entry.get("table"))
            and (entry.get("table") != "documents" or isinstance(entry.get("split"), str))
            and (table != "documents" or entry.get("split") == split_of_name(name))
            # Manifests before release 1.3.0 do not state it.
            and (ROW_GROUP_KEY not in entry or is_row_group_size(entry[ROW_GROUP_KEY])),
            f"files.{name}",
            "a mapping with sha256, bytes, rows, the file's table (and split, and rows per "
            "row group if given)",
        )
    need(ENTITIES_FILE in manifest["files"], f"files.{ENTITIES_FILE}", "the registry's entry")
    need(_is_counts(manifest.get("counts", {})), "counts", "a mapping of counts")
    for key in ("parent", "schema_version", "bump", "notes", "sources_sha256"):
        value = manifest.get(key)
        need(value is None or isinstance(value, str), key, "a string or null")
    for key in ("removals", STANDOFF_KEY):
        value = manifest.get(key)
        need(
            value is None or (isinstance(value, list) and all(isinstance(r, str) for r in value)),
            key,
            "a list of strings, or absent",
        )
    return manifest


def standoff_listing(manifest: dict[str, Any]) -> list[str]:
    """The doc_ids a release's manifest lists as held without their text (stand-off)."""
    listed = manifest.get(STANDOFF_KEY)
    if not isinstance(listed, list):
        return []
    return [doc_id for doc_id in listed if isinstance(doc_id, str)]


def outside_problem(folder: Path, name: str) -> str | None:
    """Why release file `name` is not a regular file directly in `folder` (None: it may be)."""
    pure = PurePath(name)
    if not name or "\0" in name or pure.is_absolute() or name != pure.name or name in (".", ".."):
        return "is not the name of a file in the release folder"
    try:
        mode = (folder / name).lstat().st_mode
    except OSError:
        return None  # missing (E002) or unreadable (E023): reported where it is read
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    if not stat.S_ISREG(mode):
        return "is not a regular file"
    return None


def release_file(folder: Path, name: str) -> Path:
    """`folder / name`, refused (E019) when it is a link or not a regular file: readers
    open only what `validate` would open."""
    problem = outside_problem(folder, name)
    if problem is not None:
        raise HmeimimError("E019", str(folder / MANIFEST), name=name, problem=problem)
    return folder / name


def split_files_of(folder: Path, manifest: dict[str, Any] | None = None) -> dict[str, list[Path]]:
    """The document files of a release by split, as its manifest lists them (E019 for a
    link or a non-file; a listed file that is missing is E002 where it is opened)."""
    manifest = manifest if manifest is not None else read_manifest(folder)
    return {
        split: [release_file(folder, name) for name in names]
        for split, names in split_listing(manifest).items()
    }


def document_files(folder: Path, manifest: dict[str, Any] | None = None) -> list[Path]:
    """The document files of a release as its manifest lists them, in split order and
    each split's in shard order (see `split_files_of`)."""
    return [path for paths in split_files_of(folder, manifest).values() for path in paths]


@cache
def _saved_schema(path: Path, mtime_ns: int) -> Schema:
    return read_schema(path)


def kept_schema_path(folder: Path, manifest: dict[str, Any]) -> Path:
    """Where the schema declaration of release `folder` is kept (`inputs/v<version>/`).

    The manifest's `inputs` names the folder, relative to `corpus/`; an absolute path or
    one that climbs out of `corpus/` is ignored for the default.
    """
    default = f"{INPUTS}/{folder.name}"
    given = manifest.get("inputs")
    relative = PurePosixPath(given) if isinstance(given, str) and given else None
    if relative is None or relative.is_absolute() or ".." in relative.parts:
        relative = PurePosixPath(default)
    return folder.parent / relative / SCHEMA_COPY


def kept_schema(folder: Path, manifest: dict[str, Any]) -> Schema | None:
    """The schema declaration kept with the release's inputs, if it is there."""
    kept = kept_schema_path(folder, manifest)
    try:
        if not kept.is_file():
            return None
        mtime = kept.stat().st_mtime_ns
    except OSError:
        return None
    return _saved_schema(kept, mtime)


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
    kept = kept_schema_path(folder, manifest)
    schema = kept_schema(folder, manifest)
    if schema is not None and schema.version == declared:
        return schema
    current = load_schema()
    if current.version == declared:
        return current
    raise HmeimimError(
        "E014", str(kept), release=folder.name, declared=declared, current=current.version
    )
