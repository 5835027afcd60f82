"""Building a release folder from an authoring folder, reproducibly, into a folder you name.

The same inputs, version, date and parent give byte-identical Parquet and manifest.
Nothing is written unless every input validates, and unless the folder written from
them passes `hmeimim validate` before it is renamed into place. `build_release` writes
wherever it is told and never into `corpus/`: new versions go there only through
`hmeimim release` (`release.make`), which keeps their inputs, checks the bump and
writes the changelog.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from hmeimim.errors import Finding, HmeimimError
from hmeimim.model import Version
from hmeimim.schema.declaration import Schema, load_schema
from hmeimim.storage.files import read_bytes
from hmeimim.storage.writer import staged_release
from hmeimim.validation.validate import read_valid_sources, validate_staged_release


@dataclass
class BuildResult:
    findings: list[Finding]
    release: Path | None


class Rejected(Exception):
    """A staged release has findings: abandon it (raised inside `staged_release`)."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(f"{len(findings)} finding(s)")
        self.findings = findings


def sources_digest(root: Path) -> str:
    """sha256 over every authoring file's relative path and bytes, in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(read_bytes(path)).digest())
    return digest.hexdigest()


def build_release(
    *,
    version: str,
    sources: Path,
    out: Path,
    released: str | None = None,
    parent: str | None = None,
    schema: Schema | None = None,
) -> BuildResult:
    """Build release `version` from the authoring folder `sources` into the new folder `out`.

    Returns the findings of the inputs, or of the folder written from them; the folder
    is renamed into place only when there are none.
    """
    schema = schema or load_schema()
    parsed = Version.parse(version)
    if not sources.is_dir():
        raise HmeimimError("E002", str(sources), expected="folder")
    if released is None:
        released = dt.date.today().isoformat()
    read, findings = read_valid_sources(sources, schema)
    if findings:
        return BuildResult(findings, None)
    try:
        with staged_release(
            out,
            records=read.records,
            schema=schema,
            version=str(parsed),
            released=released,
            parent=parent,
            sources_digest=sources_digest(sources),
        ) as staged:
            found = validate_staged_release(staged, schema=schema, final=out)
            if found:
                raise Rejected(found)
    except Rejected as rejected:
        return BuildResult(rejected.findings, None)
    return BuildResult([], out)
