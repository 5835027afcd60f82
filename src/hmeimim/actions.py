"""The user actions that span several subpackages, each one plain function.

Most actions live in the subpackage of their job and the CLI calls them directly. The
two here join jobs that must not know of each other: validation knows nothing of Label
Studio, and the release writer knows nothing of the published files.

- `validate_paths`: releases, authoring folders, Parquet files, and Label Studio
  exports (`.json`, checked as `hmeimim ls import` would, nothing written). With no
  paths (every release), derived files that do not reflect the latest release are a
  finding too (E610).
- `make_release`: write the next version, then refresh every derived file (README
  configs, DATASHEET statistics, CHANGELOG, CITATION.cff, croissant.json), so a library
  user gets exactly what `hmeimim release` gives. It refuses to start while derived
  files lag behind the releases (E610: a publish was cut short), and a refresh that
  fails after the release is written is E611, which names `hmeimim generate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hmeimim.errors import Finding, HmeimimError
from hmeimim.paths import project_root
from hmeimim.schema.declaration import Schema
from hmeimim.validation import validate

if TYPE_CHECKING:
    from hmeimim.release.make import ReleaseResult


def validate_paths(
    paths: Sequence[Path] | None = None, *, schema: Schema | None = None, engine: str = "duckdb"
) -> validate.Report:
    """Validate releases (default: all), authoring folders, Parquet files and LS exports.

    `engine`: "duckdb" (vectorized rules, Python checks on flagged rows) or "python"
    (Python checks on every row); the findings are the same."""
    report = validate.validate_paths(
        paths, schema=schema, handlers={".json": _check_export}, engine=engine
    )
    if not paths:
        report.findings.extend(_stale_derived_files())
    return report


def _check_export(path: Path, report: validate.Report, schema: Schema) -> None:
    # Imported here: the Label Studio importer is needed only when an export is given.
    from hmeimim.labelstudio.importer import check_export

    check_export(path, report, schema)


def _stale_derived_files() -> list[Finding]:
    from hmeimim.publish.derived import behind_releases

    root = project_root()
    try:
        behind = behind_releases(root)
    except HmeimimError:
        return []  # a manifest that cannot be read is already a finding of its release
    if behind is None or not behind[1]:
        return []
    version, stale = behind
    files = ", ".join(p.relative_to(root).as_posix() for p in stale)
    return [Finding.of("E610", file=str(root), files=files, version=version)]


def make_release(
    *,
    bump: str,
    released: str | None = None,
    notes: str | None = None,
    root: Path | None = None,
    sources: Path | None = None,
    allow_removal: bool = False,
) -> ReleaseResult:
    """Write the next version (see `release.make`) and refresh the derived files."""
    from hmeimim.publish.derived import check_published, write_generated
    from hmeimim.release.make import release_date, release_lock, write_next_release

    released = release_date(bump, released)
    root = root or project_root()
    with release_lock(root):
        check_published(root)
        result = write_next_release(
            bump=bump,
            released=released,
            notes=notes,
            root=root,
            sources=sources,
            allow_removal=allow_removal,
        )
        if result.path is not None:
            try:
                write_generated(root)
            except HmeimimError as error:
                if error.code != "E024":
                    raise
                raise HmeimimError(
                    "E611", error.location, version=result.version, reason=error.params["reason"]
                ) from None
    return result
