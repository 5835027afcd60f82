"""Building a release folder from an authoring folder, reproducibly, into a folder you name.

The same inputs, version, date and parent give byte-identical Parquet and manifest.
Nothing is written unless every input validates, and unless the folder written from
them passes `hmeimim validate` before it is renamed into place. `build_release`
writes wherever it is told and never into `corpus/`: new versions go there only through
`hmeimim release` (`release.make`), which keeps their inputs, checks the bump and
writes the changelog.

Texts follow the text policy of `corpus/release.yaml` (`release.policy`): a document
whose license does not allow sharing is built stand-off from a copy of the inputs
(`apply_text_policy`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hmeimim.authoring.sources import Sources
from hmeimim.authoring.standoff import withhold_texts
from hmeimim.errors import Finding, HmeimimError
from hmeimim.model import STANDOFF_KEY, Version
from hmeimim.release.policy import read_text_policy
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


@dataclass
class PolicyApplied:
    """An authoring folder read after the text policy: the records to release, the
    documents held without text, and what is wrong with the folder."""

    read: Sources
    findings: list[Finding]
    standoff: list[str] = field(default_factory=list)

    def manifest_extra(self, schema: Schema) -> dict[str, Any]:
        fingerprinted = {"text_sha256", "text_length"} <= schema.column_names("documents")
        return {STANDOFF_KEY: self.standoff} if fingerprinted else {}


def apply_text_policy(
    folder: Path, schema: Schema, *, root: Path | None = None, file: str | None = None
) -> PolicyApplied:
    """Validate the authoring folder `folder` (with its texts), then make the documents
    the text policy withholds stand-off IN PLACE: call it on a copy only.

    Schemas without text fingerprints (before 1.2.0) carry every text, as they did.
    """
    read, findings = read_valid_sources(folder, schema, file=file)
    if findings or not {"text_sha256", "text_length"} <= schema.column_names("documents"):
        return PolicyApplied(read, findings)
    policy = read_text_policy(root)
    to_withhold = policy.withheld(d for d in read.records.documents if d.get("text") is not None)
    if to_withhold:
        withhold_texts(folder, to_withhold, schema)
        read, findings = read_valid_sources(folder, schema, file=file)
    standoff = sorted(str(d["doc_id"]) for d in read.records.documents if d.get("text") is None)
    return PolicyApplied(read, findings, standoff)


@contextmanager
def _copy_of(sources: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="hmeimim-build-") as tmp:
        copy = Path(tmp) / "sources"
        shutil.copytree(sources, copy)
        yield copy


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
    with _copy_of(sources) as copy:
        applied = apply_text_policy(copy, schema, file=str(sources))
        if applied.findings:
            return BuildResult(applied.findings, None)
        try:
            with staged_release(
                out,
                records=applied.read.records,
                schema=schema,
                version=str(parsed),
                released=released,
                parent=parent,
                sources_digest=sources_digest(copy),
                extra=applied.manifest_extra(schema),
            ) as staged:
                found = validate_staged_release(staged, schema=schema, final=out)
                if found:
                    raise Rejected(found)
        except Rejected as rejected:
            return BuildResult(rejected.findings, None)
    return BuildResult([], out)
