"""Adding new documents to the authoring folder, all of a batch or none.

`ingest_paths` takes .txt, .html/.htm and .jsonl files (read by `authoring/extract.py`)
and checks every report first, against the corpus and against the rest of the batch;
only if all pass are they written, each folder staged and renamed into place, and a
failure while renaming removes the folders already renamed. If any report fails, nothing
is written and every failure is reported: one error as it is, several as E127 carrying
them all (`IngestRefused`), each located by its file (and JSON line).

The text is fixed here, once, before anyone annotates it: NFC and `\\n` line endings,
with a leading byte-order mark removed (notice E116). Input that cannot become a
document is refused with a coded error:

- a path that is not a regular file (E112), a file over `MAX_INGEST_BYTES` (E113), an
  extension other than .txt, .html, .htm, .jsonl (E120), a binary file (E119), bytes
  that are not UTF-8 (E001), a JSON line that is not a report (E126);
- text that is empty or only white space (E114), a page with no article text (E121),
  or text that holds a control character other than line breaks and tabs (E115);
- no publication date (E122), a date that is not YYYY-MM-DD (E015) or is in the
  future (E118); a licence that is not an SPDX id, `unknown` or `all-rights-reserved`
  (E123); a language tag, provenance, perspective or split the schema does not allow
  (E106, E105; a split must be the one the perspective decides, and is derived from it
  when not given);
- a doc_id that would leave the documents folder (E125) or breaks the schema's pattern
  (E106), or that is taken, in the folder or earlier in the batch (E102);
- a text identical to an existing document's or an earlier one of the batch (E117), or
  a near duplicate of one: estimated Jaccard similarity of word 5-gram shingles at or
  over `NEAR_DUPLICATE_THRESHOLD` = 0.5 (E124; see `authoring/duplicates.py`).

A doc_id not given is derived from date, title and text (`authoring/metadata.py`).
Metadata that is not known stays null. Given values (command-line options) override
the metadata found in a page or a JSON line.

`ingest_document` and `ingest_file` add one document from bytes with a doc_id given
(the seed script and older callers); there the date may be left out.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hmeimim.authoring.duplicates import NEAR_DUPLICATE_THRESHOLD, NearDuplicates
from hmeimim.authoring.extract import (
    MAX_INGEST_BYTES,
    METADATA_KEYS,
    Report,
    read_report_file,
    read_reports,
)
from hmeimim.authoring.metadata import (
    check_doc_id_target,
    check_published,
    derive_doc_id,
    licence,
    parse_date,
)
from hmeimim.authoring.text import ingest_text
from hmeimim.authoring.write import dump_yaml
from hmeimim.errors import Finding, HmeimimError
from hmeimim.paths import corpus_dir
from hmeimim.schema.declaration import Schema, load_schema
from hmeimim.storage.files import staged_folder

__all__ = [
    "EMPTY_GOLD",
    "MAX_INGEST_BYTES",
    "NEAR_DUPLICATE_THRESHOLD",
    "IngestRefused",
    "Ingested",
    "ingest_document",
    "ingest_file",
    "ingest_paths",
    "parse_date",
    "read_report_file",
]

_ALLOWED_CONTROLS = frozenset("\n\t")
_BOM = "\ufeff"
EMPTY_GOLD = "spans: []\nattributions: []\nstances: []\n"
_DEFAULTS = {"language": "en", "provenance": "published"}
# Where a publication date could have come from, by kind of input (for E122).
_LOOKED = {
    "txt": "--published",
    "html": "--published, the page's metadata",
    "jsonl": "`published` of the line, --published",
}


@dataclass(frozen=True)
class Ingested:
    """The new document's folder, and the notices about what was changed on the way in."""

    folder: Path
    notices: list[Finding] = field(default_factory=list)

    @property
    def doc_id(self) -> str:
        return self.folder.name


class IngestRefused(HmeimimError):
    """E127: several inputs of one batch refused; `errors` holds each, located."""

    def __init__(self, errors: list[HmeimimError], total: int) -> None:
        super().__init__("E127", "ingest", failed=len(errors), total=total)
        self.errors = errors

    def render(self) -> str:
        return "\n".join([super().render(), *(error.render() for error in self.errors)])


@dataclass(frozen=True)
class _Planned:
    target: Path
    text: str
    meta: dict[str, Any]
    notices: list[Finding]
    source: str


@dataclass
class _Corpus:
    """What a new report is compared with: the folder's documents, then the batch's."""

    base: Path
    doc_ids: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    near: NearDuplicates = field(default_factory=NearDuplicates)

    @classmethod
    def of(cls, base: Path) -> _Corpus:
        corpus = cls(base)
        for folder in sorted(base.iterdir()) if base.is_dir() else []:
            stored = folder / "text.txt"
            if folder.name.startswith(".") or not stored.is_file():
                continue
            text = stored.read_bytes().decode("utf-8", errors="replace")
            corpus.add(folder.name, text, str(base))
        return corpus

    def add(self, doc_id: str, text: str, where: str) -> None:
        self.doc_ids[doc_id] = where
        self.texts.setdefault(text, doc_id)
        self.near.add(doc_id, text)


def ingest_paths(
    paths: Sequence[Path],
    *,
    given: Mapping[str, str | None] | None = None,
    strip_prefix: str | None = None,
    sources: Path | None = None,
) -> list[Ingested]:
    """Check every report in `paths`, then write them all; or raise and write nothing.

    `given` holds metadata values (keys of `METADATA_KEYS`) that override those found.
    """
    overrides = {key: value for key, value in (given or {}).items() if value is not None}
    unknown = sorted(set(overrides) - set(METADATA_KEYS))
    if unknown:
        raise TypeError(f"unknown metadata key(s) {unknown}")
    reports: list[Report] = []
    errors: list[HmeimimError] = []
    for path in paths:
        try:
            found, bad_lines = read_reports(path)
        except HmeimimError as error:
            errors.append(error)
            continue
        reports.extend(found)
        errors.extend(bad_lines)
    schema = load_schema()
    base = _documents(sources)
    corpus = _Corpus.of(base)
    planned = []
    for report in reports:
        meta = {**_DEFAULTS, **report.found, **overrides}
        prefix = strip_prefix if report.kind == "txt" else None
        try:
            planned.append(
                _plan(
                    report.text,
                    meta,
                    prefix,
                    report.source,
                    schema,
                    corpus,
                    kind=report.kind,
                    require_date=True,
                )
            )
        except HmeimimError as error:
            errors.append(_located(error, report.source))
        else:
            planned[-1].notices[:0] = report.notices
    total = len(errors) + len(planned)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise IngestRefused(errors, total)
    return _write_all(planned)


def ingest_file(
    *,
    path: Path,
    doc_id: str,
    published: str | None = None,
    strip_prefix: str | None = None,
    language: str = "en",
    provenance: str = "published",
    split: str = "train",
    sources: Path | None = None,
) -> Ingested:
    """`ingest_document` for a file on disk, with the date given as YYYY-MM-DD text."""
    raw = read_report_file(path)
    date = parse_date(published, "--published") if published else None
    return ingest_document(
        raw=raw,
        doc_id=doc_id,
        published=date,
        strip_prefix=strip_prefix,
        language=language,
        provenance=provenance,
        split=split,
        sources=sources,
    )


def ingest_document(
    *,
    raw: bytes,
    doc_id: str,
    strip_prefix: str | None = None,
    published: dt.date | None = None,
    language: str = "en",
    provenance: str = "published",
    split: str = "train",
    title: str | None = None,
    outlet: str | None = None,
    url: str | None = None,
    author: str | None = None,
    license: str | None = None,
    perspective: str | None = None,
    sources: Path | None = None,
) -> Ingested:
    """Write `documents/<doc_id>/` (text.txt, meta.yaml, empty gold.yaml)."""
    location = f"doc_id {doc_id}"
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HmeimimError("E001", location, format="UTF-8 text", reason=str(error)) from None
    notices = []
    if decoded.startswith(_BOM):
        decoded = decoded[len(_BOM) :]
        notices.append(Finding.of("E116", file=location))
    given = {
        "doc_id": doc_id,
        "published": published.isoformat() if published else None,
        "language": language,
        "provenance": provenance,
        "split": split,
        "title": title,
        "outlet": outlet,
        "url": url,
        "author": author,
        "license": license,
        "perspective": perspective,
    }
    meta = {key: value for key, value in given.items() if value is not None}
    planned = _plan(
        decoded,
        meta,
        strip_prefix,
        location,
        load_schema(),
        _Corpus.of(_documents(sources)),
        kind="txt",
        require_date=False,
    )
    (written,) = _write_all([planned])
    return Ingested(written.folder, notices)


def _documents(sources: Path | None) -> Path:
    return (sources or corpus_dir() / "sources") / "documents"


def _located(error: HmeimimError, source: str) -> HmeimimError:
    """`error` located by its input too, unless its location names the input already."""
    if error.location.startswith(source) or isinstance(error, IngestRefused):
        return error
    return HmeimimError(error.code, f"{source} {error.location}", **error.params)


def _plan(
    decoded: str,
    meta: dict[str, str],
    strip_prefix: str | None,
    source: str,
    schema: Schema,
    corpus: _Corpus,
    *,
    kind: str,
    require_date: bool,
) -> _Planned:
    """One report checked against the schema, the corpus and the batch so far."""
    given_id = meta.get("doc_id")
    location = f"doc_id {given_id}" if given_id else "text"
    if strip_prefix is not None:
        if not decoded.startswith(strip_prefix):
            raise HmeimimError("E017", location, prefix=strip_prefix)
        decoded = decoded[len(strip_prefix) :]
    text = ingest_text(decoded)
    _check_text(text, location)
    looked = _LOOKED[kind]
    published = _published(meta.get("published"), looked if require_date else None, location)
    language = meta.get("language", _DEFAULTS["language"])
    pattern = schema.id_patterns["language"]
    if not re.fullmatch(pattern, language):
        raise HmeimimError("E106", location, field="language", value=language, pattern=pattern)
    stored_licence = licence(meta["license"], "license") if "license" in meta else None
    split = _check_enums(meta, schema, location)
    doc_id = given_id
    if doc_id is None:
        if published is None:
            raise HmeimimError("E122", location, looked=looked)
        doc_id = derive_doc_id(published=published, title=meta.get("title"), text=text)
    location = f"doc_id {doc_id}"
    target = check_doc_id_target(doc_id, corpus.base, location)
    pattern = schema.id_patterns["doc_id"]
    if not re.fullmatch(pattern, doc_id):
        raise HmeimimError("E106", location, field="doc_id", value=doc_id, pattern=pattern)
    if doc_id in corpus.doc_ids or target.exists():
        first = corpus.doc_ids.get(doc_id, str(corpus.base))
        raise HmeimimError("E102", str(target), first=first)
    twin = corpus.texts.get(text)
    if twin is not None:
        raise HmeimimError("E117", location, twin=twin)
    near = corpus.near.twin(text)
    if near is not None:
        raise HmeimimError(
            "E124",
            location,
            twin=near[0],
            similarity=f"{near[1]:.2f}",
            threshold=f"{NEAR_DUPLICATE_THRESHOLD:.2f}",
        )
    corpus.add(doc_id, text, source)
    record = {
        "doc_id": doc_id,
        "title": meta.get("title"),
        "published": published,
        "language": language,
        "outlet": meta.get("outlet"),
        "url": meta.get("url"),
        "author": meta.get("author"),
        "provenance": meta.get("provenance", _DEFAULTS["provenance"]),
        "license": stored_licence,
        "perspective": meta.get("perspective"),
        "split": split,
    }
    return _Planned(target, text, record, [], source)


def _published(value: str | None, looked: str | None, location: str) -> dt.date | None:
    """The date, or None when it may be unknown (`looked` is None)."""
    if value is None:
        if looked is not None:
            raise HmeimimError("E122", location, looked=looked)
        return None
    date = parse_date(value, "published")
    check_published(date, "published")
    return date


def _check_enums(meta: Mapping[str, str], schema: Schema, location: str) -> str:
    """The split, after checking provenance, perspective and split against the schema."""
    for name in ("provenance", "perspective", "split"):
        value = meta.get(name)
        if value is not None and value not in schema.enum_values(name):
            allowed = ", ".join(schema.enum_values(name))
            raise HmeimimError("E105", location, field=name, value=value, allowed=allowed)
    perspective = meta.get("perspective")
    wanted = schema.split_of.get(perspective) if perspective is not None else None
    split = meta.get("split") or wanted or "train"
    if wanted is not None and split != wanted:
        raise HmeimimError("E105", location, field="split", value=split, allowed=wanted)
    return split


def _check_text(text: str, location: str) -> None:
    if not text.strip():
        raise HmeimimError("E114", location)
    for offset, char in enumerate(text):
        if char not in _ALLOWED_CONTROLS and unicodedata.category(char) == "Cc":
            raise HmeimimError("E115", location, character=f"U+{ord(char):04X}", offset=offset)


def _write_all(planned: list[_Planned]) -> list[Ingested]:
    """Write every planned folder; if one fails, remove those already in place."""
    done: list[Path] = []
    try:
        for plan in planned:
            with staged_folder(plan.target) as staging:
                (staging / "text.txt").write_bytes(plan.text.encode("utf-8"))
                (staging / "meta.yaml").write_bytes(dump_yaml(plan.meta).encode("utf-8"))
                (staging / "gold.yaml").write_bytes(EMPTY_GOLD.encode("utf-8"))
            done.append(plan.target)
    except BaseException:
        for folder in done:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return [Ingested(plan.target, plan.notices) for plan in planned]
