"""Adding a new document to the authoring folder.

The text is fixed here, once, before anyone annotates it: NFC and `\\n` line endings.
Metadata that is not known stays null. Files are written into a temporary folder that
is renamed into place, so a failed ingest leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from hmeimim.authoring.text import ingest_text
from hmeimim.errors import HmeimimError
from hmeimim.paths import corpus_dir
from hmeimim.schema.declaration import load_schema
from hmeimim.storage.files import staged_folder

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
) -> Path:
    """`ingest_document` for a file on disk, with the date given as YYYY-MM-DD text."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise HmeimimError("E002", str(path), expected="file") from None
    except OSError as error:
        raise HmeimimError("E001", str(path), format="UTF-8 text", reason=str(error)) from None
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
) -> Path:
    """Write `documents/<doc_id>/` (text.txt, meta.yaml, empty gold.yaml); return the folder."""
    schema = load_schema()
    location = f"doc_id {doc_id}"
    if not re.fullmatch(schema.id_patterns["doc_id"], doc_id):
        pattern = schema.id_patterns["doc_id"]
        raise HmeimimError("E106", location, field="doc_id", value=doc_id, pattern=pattern)
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
    text = ingest_text(decoded)
    base = (sources or corpus_dir() / "sources") / "documents"
    target = base / doc_id
    if target.exists():
        raise HmeimimError("E102", str(target), first=str(base))
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
        (staging / "meta.yaml").write_text(
            yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
        )
        (staging / "gold.yaml").write_text(EMPTY_GOLD)
    return target
