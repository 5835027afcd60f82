"""Adding a new document to the authoring folder.

The text is fixed here, once, before anyone annotates it: NFC and `\\n` line endings,
with a leading byte-order mark removed (notice E116). Input that cannot become a
document is refused with a coded error and nothing is written:

- a path that is not a regular file (a folder, a FIFO, a device: E112), or a file over
  `MAX_INGEST_BYTES` (E113; the file is read in one bounded read, never whole);
- bytes that are not UTF-8 (E001), text that is empty or only white space (E114), or
  that holds a control character other than line breaks and tabs (E115);
- a doc_id, language tag, provenance or split the schema does not allow (E106, E105),
  a publication date in the future (E118);
- an existing doc_id (E102), or a text identical to an existing document's (E117).

Metadata that is not known stays null. Files are written into a temporary folder that
is renamed into place, so a failed ingest leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from hmeimim.authoring.text import ingest_text
from hmeimim.authoring.write import dump_yaml
from hmeimim.errors import Finding, HmeimimError
from hmeimim.paths import corpus_dir
from hmeimim.schema.declaration import load_schema
from hmeimim.storage.files import staged_folder

# 4 MiB of UTF-8 is some 600,000 words: far beyond any news report, small in memory.
MAX_INGEST_BYTES = 4 * 1024 * 1024
_ALLOWED_CONTROLS = frozenset("\n\t")
_BOM = "\ufeff"


@dataclass(frozen=True)
class Ingested:
    """The new document's folder, and the notices about what was changed on the way in."""

    folder: Path
    notices: list[Finding] = field(default_factory=list)


def read_report_file(path: Path) -> bytes:
    """The bytes of a regular file of at most `MAX_INGEST_BYTES`, read in one bounded read."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise HmeimimError("E002", str(path), expected="file") from None
    except OSError as error:
        raise HmeimimError("E001", str(path), format="UTF-8 text", reason=str(error)) from None
    kind = (
        "folder"
        if stat.S_ISDIR(mode)
        else "named pipe (FIFO)"
        if stat.S_ISFIFO(mode)
        else "device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "socket"
        if stat.S_ISSOCK(mode)
        else None
    )
    if kind is not None or not stat.S_ISREG(mode):
        raise HmeimimError("E112", str(path), kind=kind or "special file")
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_INGEST_BYTES + 1)
    except OSError as error:
        raise HmeimimError("E001", str(path), format="UTF-8 text", reason=str(error)) from None
    if len(data) > MAX_INGEST_BYTES:
        raise HmeimimError("E113", str(path), limit=MAX_INGEST_BYTES)
    return data


EMPTY_GOLD = "spans: []\nattributions: []\nstances: []\n"


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


def parse_date(text: str, where: str) -> dt.date:
    """A YYYY-MM-DD date, or E015 naming `where`."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise HmeimimError("E015", where, value=text) from None


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
    sources: Path | None = None,
) -> Ingested:
    """Write `documents/<doc_id>/` (text.txt, meta.yaml, empty gold.yaml)."""
    schema = load_schema()
    location = f"doc_id {doc_id}"
    for name, value in (("doc_id", doc_id), ("language", language)):
        pattern = schema.id_patterns[name]
        if not re.fullmatch(pattern, value):
            raise HmeimimError("E106", location, field=name, value=value, pattern=pattern)
    today = dt.date.today()
    if published is not None and published > today:
        raise HmeimimError("E118", location, value=published.isoformat(), today=today.isoformat())
    for name, value, enum in (("provenance", provenance, "provenance"), ("split", split, "split")):
        if value not in schema.enum_values(enum):
            allowed = ", ".join(schema.enum_values(enum))
            raise HmeimimError("E105", location, field=name, value=value, allowed=allowed)
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HmeimimError("E001", location, format="UTF-8 text", reason=str(error)) from None
    if strip_prefix is not None:
        if not decoded.startswith(strip_prefix):
            raise HmeimimError("E017", location, prefix=strip_prefix)
        decoded = decoded[len(strip_prefix) :]
    notices = []
    if decoded.startswith(_BOM):
        decoded = decoded[len(_BOM) :]
        notices.append(Finding.of("E116", file=location))
    text = ingest_text(decoded)
    _check_text(text, location)
    base = (sources or corpus_dir() / "sources") / "documents"
    target = base / doc_id
    if target.exists():
        raise HmeimimError("E102", str(target), first=str(base))
    twin = _same_text(base, text)
    if twin is not None:
        raise HmeimimError("E117", location, twin=twin)
    meta = {
        "doc_id": doc_id,
        "title": title,
        "published": published,
        "language": language,
        "outlet": outlet,
        "url": url,
        "author": author,
        "provenance": provenance,
        "license": license,
        "split": split,
    }
    with staged_folder(target) as staging:
        (staging / "text.txt").write_bytes(text.encode("utf-8"))
        (staging / "meta.yaml").write_bytes(dump_yaml(meta).encode("utf-8"))
        (staging / "gold.yaml").write_bytes(EMPTY_GOLD.encode("utf-8"))
    return Ingested(target, notices)


def _check_text(text: str, location: str) -> None:
    if not text.strip():
        raise HmeimimError("E114", location)
    for offset, char in enumerate(text):
        if char not in _ALLOWED_CONTROLS and unicodedata.category(char) == "Cc":
            raise HmeimimError("E115", location, character=f"U+{ord(char):04X}", offset=offset)


def _same_text(base: Path, text: str) -> str | None:
    """The doc_id of a document whose stored text equals `text`, if any."""
    data = text.encode("utf-8")
    for folder in sorted(base.iterdir()) if base.is_dir() else []:
        stored = folder / "text.txt"
        if (
            not folder.name.startswith(".")
            and stored.is_file()
            and stored.stat().st_size == len(data)
            and stored.read_bytes() == data
        ):
            return folder.name
    return None
