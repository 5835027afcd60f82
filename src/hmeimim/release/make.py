"""Making a new release from the reviewable inputs, and rebuilding any release later.

`make_release(bump=...)` reads `corpus/sources/` (where the authoring files and the
imports of `hmeimim ls import` live), validates it, compares it with the latest
release and writes the next version. The bump must fit the change (`required_bump`):

- **major**: the schema's major version differs from the parent's (a schema break), or
  there is no parent yet (the first release is 1.0.0);
- **minor**: the schema's minor version differs, or anything was added (a document,
  span, frame, stance, registry entry or annotator layer), or a document was removed;
- **patch**: only corrections: changed fields of existing records, removed spans,
  frames, stances, registry entries or annotator layers, or a schema patch version;
- nothing changed: there is nothing to release (E602).

A bump other than the required one is refused (E601), and so is a change of the
schema's tables that keeps the parent's schema version (E603). Gold is never dropped
silently: leaving out a whole document, or more than `model.MAX_REMOVED_SHARE` of a
document's gold spans, is refused (E612) unless `allow_removal` is given; the manifest's
`removals` and the changelog then say what went.

Atomicity and reproducibility: the inputs are first copied into a temporary folder
under `corpus/inputs/` and read from that copy. The release is written into a
temporary folder (`storage.staged_release`) and checked there with the validator of
`hmeimim validate` (`validate_staged_release`): on any finding nothing is published
and the findings name the release's final path. Only then is the input copy renamed
to `corpus/inputs/v<version>/` (`sources/` plus the schema declaration `hmeimim.yaml`)
and the release folder renamed into place. A kill at any moment leaves no release
folder: at most `.tmp-*` temporaries, which readers ignore and the next release
removes (`remove_temporaries`), or an input copy without a release, which the next
release of that version replaces. A write the system refuses (a full disk, a folder
that may not be written) is E024 and leaves nothing behind. `rebuild_release` builds
a written release again from its input copy; the manifest's `sources_sha256` ties
the copy to the release.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import filelock

from hmeimim.errors import Finding, HmeimimError
from hmeimim.model import CLAIMS_TABLE, MAX_REMOVED_SHARE, CorpusRecords, Version
from hmeimim.paths import corpus_dir, project_root, schema_dir
from hmeimim.release.build import Rejected, apply_text_policy, sources_digest
from hmeimim.release.diff import KINDS, Diff, diff_records, gold_removals
from hmeimim.schema.declaration import Schema, read_schema
from hmeimim.storage.files import TEMP_PREFIX, remove_temporaries, writing
from hmeimim.storage.parquet import read_arrow_schema, table_from_records
from hmeimim.storage.records import read_release_records
from hmeimim.storage.releases import (
    INPUTS,
    SCHEMA_COPY,
    SOURCES,
    document_files,
    inputs_dir,
    list_releases,
)
from hmeimim.storage.writer import staged_release
from hmeimim.validation.validate import validate_staged_release

BUMPS = ("major", "minor", "patch")
LOCK_FILE = ".release.lock"


@dataclass
class ReleaseResult:
    findings: list[Finding] = field(default_factory=list)
    version: str | None = None
    path: Path | None = None
    bump: str | None = None
    diff: Diff | None = None
    # The documents released without their text (stand-off), by the text policy.
    standoff: list[str] = field(default_factory=list)


def next_version(parent: Version | None, bump: str) -> Version:
    base = parent or Version(0, 0, 0)
    if bump == "major":
        return Version(base.major + 1, 0, 0)
    if bump == "minor":
        return Version(base.major, base.minor + 1, 0)
    return Version(base.major, base.minor, base.patch + 1)


def required_bump(*, parent_schema: str | None, schema_version: str, diff: Diff) -> str | None:
    """The bump the change needs (see the module docstring); None when nothing changed."""
    if parent_schema is None:
        return "major"
    old, new = Version.parse(parent_schema), Version.parse(schema_version)
    if new.major != old.major or new < old:
        return "major"
    if new.minor != old.minor:
        return "minor"
    if any(diff.count(kind, "added") for kind in KINDS) or diff.count("document", "removed"):
        return "minor"
    if not diff.empty or new != old:
        return "patch"
    return None


def _reason(diff: Diff) -> str:
    parts = [
        f"{n} {kind}(s) {status}"
        for kind, counts in diff.summary().items()
        for status, n in counts.items()
        if n
    ]
    return ", ".join(parts) or "no record changed"


@contextmanager
def release_lock(root: Path) -> Iterator[None]:
    """One writer at a time per checkout; the lock dies with the process that holds it.

    A process may take it again while it holds it (`make_release` holds it across
    writing the release and the derived files).
    """
    base = corpus_dir(root)
    path = base / LOCK_FILE
    with writing(path):
        base.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(path.resolve(), timeout=0, is_singleton=True)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise HmeimimError("E605", str(path)) from None
    try:
        yield
    finally:
        lock.release()


def temporary_places(root: Path) -> list[Path]:
    """The folders where writers put their `.tmp-*` temporaries."""
    corpus = corpus_dir(root)
    return [root, corpus, corpus / INPUTS, schema_dir(root), schema_dir(root) / "derived"]


def remove_staging(root: Path | None = None) -> list[Path]:
    """Delete the `.tmp-*` files and folders left by killed writers; return them.

    Call it only while holding `release_lock`, so that no writer is running.
    """
    return remove_temporaries(temporary_places(root or project_root()))


def _normalized(records: Sequence[dict[str, Any]], schema: Schema, table: str) -> list[Any]:
    """Records as they read back from Parquet: every column, Arrow types, sorted."""
    rows: list[Any] = table_from_records(records, schema, table).to_pylist()
    return rows


def _check_schema_unchanged(root: Path, parent: Path, schema: Schema, parent_schema: str) -> None:
    files = document_files(parent)
    if not files or schema.version != parent_schema:
        return
    written = read_arrow_schema(files[0]).remove_metadata()
    if not written.equals(schema.arrow_schema("documents").remove_metadata()):
        raise HmeimimError(
            "E603", str(schema_dir(root) / SCHEMA_COPY), release=parent.name, version=schema.version
        )


def _stage_inputs(root: Path, sources: Path) -> Path:
    """Copy the sources and the schema declaration into a temporary input folder."""
    base = corpus_dir(root) / INPUTS
    with writing(base):
        base.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}inputs-", dir=base))
    try:
        with writing(base):
            shutil.copytree(sources, staging / SOURCES)
            shutil.copy2(schema_dir(root) / SCHEMA_COPY, staging / SCHEMA_COPY)
            staging.chmod(0o755)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def release_date(bump: str, released: str | None) -> str:
    """Check the options of a release (E607, E015); the release date, today by default."""
    if bump not in BUMPS:
        raise HmeimimError("E607", "--bump", value=bump, allowed=", ".join(BUMPS))
    released = released or dt.date.today().isoformat()
    try:
        dt.date.fromisoformat(released)
    except ValueError:
        raise HmeimimError("E015", "--released", value=released) from None
    return released


def write_next_release(
    *,
    bump: str,
    released: str | None = None,
    notes: str | None = None,
    root: Path | None = None,
    sources: Path | None = None,
    allow_removal: bool = False,
) -> ReleaseResult:
    """Write the next version from `corpus/sources` (see the module docstring).

    `sources` names another authoring folder, such as the output of `hmeimim ls
    import`; after a successful release it becomes the new `corpus/sources`.

    Returns findings without writing anything when the inputs, or the release written
    from them, do not validate; raises `HmeimimError` for a bump that is no bump kind
    (E607) or does not fit (E601), a release date that is no date (E015), nothing to
    release (E602), an undeclared schema change (E603), gold removed without
    `allow_removal` (E612), an existing version (E013), or a
    write the system refuses (E024).
    """
    released = release_date(bump, released)
    root = root or project_root()
    default = corpus_dir(root) / SOURCES
    sources = sources or default
    if not sources.is_dir():
        raise HmeimimError("E002", str(sources), expected="folder")
    with release_lock(root):
        remove_staging(root)
        staging = _stage_inputs(root, sources)
        try:
            result = _release_from(
                staging,
                root=root,
                bump=bump,
                released=released,
                notes=notes,
                allow_removal=allow_removal,
            )
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        if result.version is not None and sources.resolve() != default.resolve():
            # The kept inputs of a stand-off document hold no text; the lead's own folder
            # must keep it, so it is adopted from the folder given, not from the copy.
            saved = sources if result.standoff else inputs_dir(result.version, root) / SOURCES
            with writing(default):
                _adopt_sources(saved, default)
        return result


def _adopt_sources(saved: Path, default: Path) -> None:
    """Make `corpus/sources` equal the inputs just released (their saved copy).

    The saved copy under corpus/inputs/ is authoritative, so a crash here loses nothing:
    at worst `corpus/sources` is missing or old and can be copied from it again.
    """
    fresh = default.with_name(f"{TEMP_PREFIX}sources-new")
    old = default.with_name(f"{TEMP_PREFIX}sources-old")
    for leftover in (fresh, old):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.copytree(saved, fresh)
    if default.exists():
        default.rename(old)
    fresh.rename(default)
    shutil.rmtree(old, ignore_errors=True)


def _release_from(
    staging: Path,
    *,
    root: Path,
    bump: str,
    released: str,
    notes: str | None,
    allow_removal: bool,
) -> ReleaseResult:
    schema = read_schema(staging / SCHEMA_COPY)
    releases = list_releases(root)
    parent_version, parent_folder = releases[-1] if releases else (None, None)
    parent = read_release_records(parent_folder) if parent_folder is not None else None
    old_records = parent.records if parent else CorpusRecords()
    parent_schema = str(parent.manifest.get("schema_version")) if parent else None
    if parent_folder is not None and parent_schema is not None:
        _check_schema_unchanged(root, parent_folder, schema, parent_schema)
    applied = apply_text_policy(
        staging / SOURCES, schema, root=root, file=str(corpus_dir(root) / SOURCES)
    )
    read = applied.read
    if applied.findings:
        return ReleaseResult(findings=applied.findings)
    new_records = CorpusRecords(
        documents=_normalized(read.records.documents, schema, "documents"),
        annotator_layers=_normalized(read.records.annotator_layers, schema, "annotator_layers"),
        entities=_normalized(read.records.entities, schema, "entities"),
        claims=(
            _normalized(read.records.claims, schema, CLAIMS_TABLE)
            if CLAIMS_TABLE in schema.tables
            else []
        ),
    )
    diff = diff_records(
        old_records, new_records, old=str(parent_version) if parent_version else None
    )
    removals = gold_removals(old_records.documents, new_records.documents, share=MAX_REMOVED_SHARE)
    if removals and not allow_removal:
        raise HmeimimError(
            "E612",
            str(corpus_dir(root) / SOURCES),
            release=parent_version,
            removal="; ".join(r.describe() for r in removals),
        )
    needed = required_bump(parent_schema=parent_schema, schema_version=schema.version, diff=diff)
    if needed is None:
        raise HmeimimError("E602", str(corpus_dir(root) / SOURCES), release=parent_version)
    if bump != needed:
        raise HmeimimError(
            "E601",
            f"--bump {bump}",
            parent=parent_version or "nothing",
            change=_reason(diff),
            old_schema=parent_schema or "-",
            new_schema=schema.version,
            needed=needed,
        )
    version = str(next_version(parent_version, bump))
    diff.new = version
    target = corpus_dir(root) / f"v{version}"
    if target.exists():
        raise HmeimimError("E013", str(target))
    kept = inputs_dir(version, root)
    try:
        with staged_release(
            target,
            records=read.records,
            schema=schema,
            version=version,
            released=released,
            parent=str(parent_version) if parent_version else None,
            sources_digest=sources_digest(staging / SOURCES),
            extra={
                **_manifest_extra(bump, notes, version, [r.describe() for r in removals]),
                **applied.manifest_extra(schema),
            },
        ) as staged:
            found = validate_staged_release(staged, schema=schema, final=target)
            if found:
                raise Rejected(found)
            with writing(kept):
                if kept.exists():
                    # Left by a writer killed after keeping the inputs: no release matches it.
                    shutil.rmtree(kept)
                staging.rename(kept)
    except Rejected as rejected:
        return ReleaseResult(findings=rejected.findings)
    except BaseException:
        if kept.exists() and not target.exists():
            shutil.rmtree(kept, ignore_errors=True)  # inputs of a release that is not there
        raise
    return ReleaseResult(
        version=version, path=target, bump=bump, diff=diff, standoff=applied.standoff
    )


def _manifest_extra(
    bump: str | None, notes: str | None, version: str, removals: list[str]
) -> dict[str, Any]:
    extra: dict[str, Any] = {"inputs": f"{INPUTS}/v{version}"}
    if bump is not None:
        extra["bump"] = bump
    if notes:
        extra["notes"] = notes
    if removals:
        extra["removals"] = removals  # allowed by --allow-removal; the changelog lists them
    return extra
