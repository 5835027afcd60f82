"""What a render reads: an authoring folder (the default) or a written release.

An authoring folder must read without findings (its YAML, its structure); checks of
meaning (offsets, links) are left to `hmeimim validate`, and a page shows a span whose
offsets do not fit the text in a list instead of in the text, so that a folder under
adjudication can still be reviewed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hmeimim.authoring.sources import read_sources
from hmeimim.errors import HmeimimError
from hmeimim.model import CorpusRecords
from hmeimim.schema.declaration import Schema, load_schema
from hmeimim.storage.records import read_release_records
from hmeimim.storage.releases import release_dir, release_schema

LATEST = "latest"


@dataclass(frozen=True)
class RenderInput:
    """The records to render, the schema they were written with, and what they came from."""

    records: CorpusRecords
    schema: Schema
    where: str
    description: str


def read_input(*, release: str | None, sources: Path | None, default: Path) -> RenderInput:
    """The records of `release` (`latest` for the latest) or of the authoring folder
    `sources` (`default` when neither is given); E804 when both are."""
    if release is not None and sources is not None:
        raise HmeimimError("E804", "--release/--sources", given="--release and --sources")
    if release is not None:
        folder = release_dir(None if release == LATEST else release)
        read = read_release_records(folder)
        schema = release_schema(folder, read.manifest)
        return RenderInput(read.records, schema, str(folder), f"release {read.version}")
    folder = sources if sources is not None else default
    if not (folder / "documents").is_dir():
        raise HmeimimError("E002", str(folder), expected="authoring folder (with documents/)")
    schema = load_schema()
    authored = read_sources(folder, schema)
    if authored.findings:
        first = authored.findings[0]
        raise HmeimimError(
            "E802",
            str(folder),
            count=len(authored.findings),
            first=f"{first.location}: {first.code} {first.message}",
        )
    return RenderInput(authored.records, schema, str(folder), f"authoring folder {folder}")
