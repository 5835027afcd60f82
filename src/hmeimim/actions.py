"""The user actions that span several subpackages, each one plain function.

Most actions live in the subpackage of their job and the CLI calls them directly. The
two here join jobs that must not know of each other: validation knows nothing of Label
Studio, and the release writer knows nothing of the published files.

- `validate_paths`: releases, authoring folders, Parquet files, and Label Studio
  exports (`.json`, checked as `hmeimim ls import` would, nothing written).
- `make_release`: write the next version, then refresh every derived file (README
  configs, DATASHEET statistics, CHANGELOG, CITATION.cff, croissant.json), so a library
  user gets exactly what `hmeimim release` gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hmeimim.labelstudio.importer import check_export
from hmeimim.publish.derived import write_generated
from hmeimim.release.make import ReleaseResult, write_next_release
from hmeimim.schema.declaration import Schema
from hmeimim.validation import validate


def validate_paths(
    paths: Sequence[Path] | None = None, *, schema: Schema | None = None
) -> validate.Report:
    """Validate releases (default: all), authoring folders, Parquet files and LS exports."""
    return validate.validate_paths(paths, schema=schema, handlers={".json": check_export})


def make_release(
    *,
    bump: str,
    released: str | None = None,
    notes: str | None = None,
    root: Path | None = None,
    sources: Path | None = None,
) -> ReleaseResult:
    """Write the next version (see `release.make`) and refresh the derived files."""
    result = write_next_release(
        bump=bump, released=released, notes=notes, root=root, sources=sources
    )
    if result.path is not None:
        write_generated(root)
    return result
