"""A summary of one release: what it holds, counted from its Parquet."""

from __future__ import annotations

from typing import Any

from hmeimim.storage.counts import annotation_counts
from hmeimim.storage.records import iter_documents
from hmeimim.storage.releases import read_manifest, release_dir, standoff_listing


def summarize(version: str | None = None) -> dict[str, Any]:
    """Version, parent, schema version and annotation counts of a release (latest by default)."""
    folder = release_dir(version)
    manifest = read_manifest(folder)
    return {
        "version": manifest.get("version"),
        "released": manifest.get("released"),
        "parent": manifest.get("parent"),
        "schema_version": manifest.get("schema_version"),
        "path": str(folder),
        # Stand-off documents count too: their annotations are there, only the text is not.
        **annotation_counts(iter_documents(folder.name.removeprefix("v"), standoff=True)),
        "standoff": standoff_listing(manifest),
    }
