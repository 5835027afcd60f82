"""Writing a release folder: Parquet per split, the raw layers, the registries, the manifest.

A split of at most `SHARD_ROWS` documents is one file, `train.parquet`; a larger one is
cut into the fewest files of at most that many documents each (`-(-rows // SHARD_ROWS)`
files, sizes differing by one document at most), in doc_id order and named as Hugging
Face names shards: `train-00000-of-00003.parquet`, ... (`releases.split_file_names`).
`datasets` maps such names to their split by its default patterns, and DuckDB and Spark
read a split's files together (`train*.parquet`, or the manifest's list).

50,000 documents of the size of a real report (5 kB of text with some 30 spans, 6 frames
and 4 stances: 1 to 5 kB a row compressed, see `storage.parquet`) make files of 50 to
250 MB: a size the Hub and `datasets` handle well (one download and one cache entry a
file), and one that Spark and DuckDB cut by row group (some fifty of
`parquet.ROW_GROUP_ROWS` rows a file) to read in parallel. Every release up to 1.2.0 has
splits far below that, so they keep their single files and `hmeimim reproduce` gives
them byte for byte.

Each file's manifest entry gives its table, split, rows, bytes, sha256 and
`row_group_rows` (the rows per row group it was written with; manifests before release
1.3.0 do not give it, and their rebuild leaves it out again).

The folder is filled in a temporary sibling and renamed into place in one step
(`files.staged_folder`); an existing folder is never touched. `staged_release` stops
before the rename and hands the filled temporary folder to the caller, who can check
it (`hmeimim release` validates it) and abandons it by raising.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hmeimim.errors import HmeimimError
from hmeimim.model import (
    ANNOTATORS_FILE,
    CLAIMS_FILE,
    CLAIMS_TABLE,
    ENTITIES_FILE,
    MANIFEST,
    SPLITS,
    CorpusRecords,
)
from hmeimim.schema.declaration import Schema
from hmeimim.storage.counts import annotation_counts
from hmeimim.storage.files import sha256_of, staged_folder, write_text_atomic, writing
from hmeimim.storage.parquet import ROW_GROUP_ROWS, table_from_records, write_parquet
from hmeimim.storage.releases import ROW_GROUP_KEY, split_file_names

# Documents per split file at most; a larger split is written in several files.
SHARD_ROWS = 50_000


def shard_count(rows: int, shard_rows: int = SHARD_ROWS) -> int:
    """How many files a split of `rows` documents is written in (one for an empty one)."""
    if shard_rows < 1:
        raise ValueError(f"shard_rows must be 1 or more, not {shard_rows}")
    return max(1, -(-rows // shard_rows))


def shard_bounds(rows: int, count: int) -> list[tuple[int, int]]:
    """The (start, stop) row ranges of `count` files holding `rows` sorted rows: contiguous
    ranges whose sizes differ by one row at most."""
    return [(index * rows // count, (index + 1) * rows // count) for index in range(count)]


def split_shards(
    split: str, documents: Sequence[Mapping[str, Any]], count: int
) -> dict[str, list[Mapping[str, Any]]]:
    """The documents of one split by file name, cut into `count` files in doc_id order
    (the order `table_from_records` writes them in)."""
    ordered = sorted(documents, key=lambda d: str(d["doc_id"]))
    names = split_file_names(split, count)
    return {
        name: ordered[start:stop]
        for name, (start, stop) in zip(names, shard_bounds(len(ordered), count), strict=True)
    }


def write_release(
    out_dir: Path,
    *,
    records: CorpusRecords,
    schema: Schema,
    version: str,
    released: str,
    parent: str | None,
    sources_digest: str,
    extra: Mapping[str, Any] | None = None,
    shard_rows: int = SHARD_ROWS,
    row_group_rows: int = ROW_GROUP_ROWS,
    files_per_split: Mapping[str, int] | None = None,
    state_row_groups: bool = True,
) -> Path:
    """Write a release folder atomically: into a temporary sibling, then one rename.

    An existing folder is never touched. A crash leaves at most a `.tmp-*` folder, which
    is not a release and is ignored by every reader. `extra` adds keys to the manifest.
    `shard_rows` is the most documents a split file holds; `files_per_split` fixes the
    number of files of some splits instead (a rebuild, as the release lists them);
    `state_row_groups` false leaves `row_group_rows` out of the manifest (a rebuild of
    a release from before it was stated).
    """
    with staged_release(
        out_dir,
        records=records,
        schema=schema,
        version=version,
        released=released,
        parent=parent,
        sources_digest=sources_digest,
        extra=extra,
        shard_rows=shard_rows,
        row_group_rows=row_group_rows,
        files_per_split=files_per_split,
        state_row_groups=state_row_groups,
    ):
        pass
    return out_dir


@contextmanager
def staged_release(
    out_dir: Path,
    *,
    records: CorpusRecords,
    schema: Schema,
    version: str,
    released: str,
    parent: str | None,
    sources_digest: str,
    extra: Mapping[str, Any] | None = None,
    shard_rows: int = SHARD_ROWS,
    row_group_rows: int = ROW_GROUP_ROWS,
    files_per_split: Mapping[str, int] | None = None,
    state_row_groups: bool = True,
) -> Iterator[Path]:
    """Write the release into a temporary sibling of `out_dir` and yield that folder.

    When the block ends normally the folder is renamed to `out_dir` in one step; when it
    raises, the temporary folder is deleted and nothing is written. The keywords after
    `extra` are those of `write_release`.
    """
    if out_dir.exists():
        raise HmeimimError("E013", str(out_dir))
    documents = records.documents
    with staged_folder(out_dir) as staging:
        files: dict[str, dict[str, Any]] = {}
        for split in SPLITS:
            in_split = [d for d in documents if d.get("split") == split]
            if in_split:
                fixed = (files_per_split or {}).get(split)
                count = fixed or shard_count(len(in_split), shard_rows)
                for name, shard in split_shards(split, in_split, count).items():
                    files[name] = {"table": "documents", "split": split, "records": shard}
        files[ANNOTATORS_FILE] = {"table": "annotator_layers", "records": records.annotator_layers}
        files[ENTITIES_FILE] = {"table": "entities", "records": records.entities}
        if CLAIMS_TABLE in schema.tables:
            files[CLAIMS_FILE] = {"table": CLAIMS_TABLE, "records": records.claims}
        listing = {}
        for name, spec in files.items():
            path = staging / name
            table = table_from_records(spec["records"], schema, spec["table"])
            write_parquet(table, path, row_group_rows)
            with writing(path):
                size, digest = path.stat().st_size, sha256_of(path)
            listing[name] = {
                "table": spec["table"],
                **({"split": spec["split"]} if "split" in spec else {}),
                "rows": len(spec["records"]),
                "bytes": size,
                "sha256": digest,
                **({ROW_GROUP_KEY: row_group_rows} if state_row_groups else {}),
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
        yield staging
