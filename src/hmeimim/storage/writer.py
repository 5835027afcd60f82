"""Writing a release folder: Parquet per split, the raw layers, the registries, the manifest.

The folder is filled in a temporary sibling and renamed into place in one step
(`files.staged_folder`); an existing folder is never touched. `staged_release` stops
before the rename and hands the filled temporary folder to the caller, who can check
it (`hmeimim release` validates it) and abandons it by raising.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
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
from hmeimim.storage.parquet import table_from_records, write_parquet


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
) -> Path:
    """Write a release folder atomically: into a temporary sibling, then one rename.

    An existing folder is never touched. A crash leaves at most a `.tmp-*` folder, which
    is not a release and is ignored by every reader. `extra` adds keys to the manifest.
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
) -> Iterator[Path]:
    """Write the release into a temporary sibling of `out_dir` and yield that folder.

    When the block ends normally the folder is renamed to `out_dir` in one step; when it
    raises, the temporary folder is deleted and nothing is written.
    """
    if out_dir.exists():
        raise HmeimimError("E013", str(out_dir))
    documents = records.documents
    with staged_folder(out_dir) as staging:
        files: dict[str, dict[str, Any]] = {}
        for split in SPLITS:
            in_split = [d for d in documents if d.get("split") == split]
            if in_split:
                files[f"{split}.parquet"] = {
                    "table": "documents",
                    "split": split,
                    "records": in_split,
                }
        files[ANNOTATORS_FILE] = {"table": "annotator_layers", "records": records.annotator_layers}
        files[ENTITIES_FILE] = {"table": "entities", "records": records.entities}
        if CLAIMS_TABLE in schema.tables:
            files[CLAIMS_FILE] = {"table": CLAIMS_TABLE, "records": records.claims}
        listing = {}
        for name, spec in files.items():
            path = staging / name
            write_parquet(table_from_records(spec["records"], schema, spec["table"]), path)
            with writing(path):
                size, digest = path.stat().st_size, sha256_of(path)
            listing[name] = {
                "table": spec["table"],
                **({"split": spec["split"]} if "split" in spec else {}),
                "rows": len(spec["records"]),
                "bytes": size,
                "sha256": digest,
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
