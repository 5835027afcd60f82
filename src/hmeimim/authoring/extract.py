"""Reading the files given to ingest: plain text, web pages and JSON Lines.

This module turns one input file into reports (text and the metadata found with it);
it decides nothing about the corpus. A file is read only if it is a regular file of at
most `MAX_INGEST_BYTES` (E112, E113), in one bounded read. The kind of file goes by its
extension (`INGEST_EXTENSIONS`; anything else is E120). Before any decoding, a file holding a NUL
byte or starting with the magic number of a common binary format is refused (E119).
Bytes must be UTF-8 (E001); a leading byte-order mark is removed (notice E116).

A web page's article text is extracted by trafilatura, without comments, tables or
images, so that navigation, advertising, share buttons, related links, comments and
footers are gone. Its paragraphs become lines separated by one blank line ("\\n\\n"),
with a final "\\n", as in the texts of corpus/sources; a first line equal to the page's
title is the headline, kept as metadata and not as text. Title, date, author, site name
(the outlet) and canonical URL are read from the page's metadata; the date only from
explicit markup (meta tags, structured data, `<time>`), never guessed from the prose.
A page with no article text left is E121.

A JSON Lines file holds one report a line: an object with `text` or `html` and the
optional metadata keys of `JSONL_KEYS`, each a string. A line that is not such an
object is E126, located by its line number.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hmeimim.errors import Finding, HmeimimError

# 4 MiB of UTF-8 is some 600,000 words: far beyond any news report, small in memory.
MAX_INGEST_BYTES = 4 * 1024 * 1024
INGEST_EXTENSIONS = (".txt", ".html", ".htm", ".jsonl")
METADATA_KEYS = (
    "doc_id",
    "title",
    "published",
    "outlet",
    "url",
    "author",
    "language",
    "license",
    "provenance",
    "perspective",
    "split",
)
JSONL_KEYS = ("text", "html", *METADATA_KEYS)
_BOM = "\ufeff"
# Leading bytes of formats a report is often saved in by mistake (office files are ZIP).
_MAGIC = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"PK\x03\x04", "ZIP"),
    (b"\x1f\x8b", "GZIP"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"\xd0\xcf\x11\xe0", "OLE2 (old Office)"),
)
# Only explicit date markup: htmldate's extensive search would guess from any date in
# the prose (a copyright line, a date the report mentions), and a guess is worse than E122.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


@dataclass(frozen=True)
class Report:
    """One report as read from its file, before any check of the corpus's rules."""

    # Where it came from, for messages: the path, or "<path> line <n>" in JSON Lines.
    source: str
    text: str
    found: dict[str, str]
    # "txt", "html" or "jsonl"; only plain text may start with a header to strip.
    kind: str
    notices: list[Finding] = field(default_factory=list)


def read_reports(path: Path) -> tuple[list[Report], list[HmeimimError]]:
    """The reports in one file, and the errors of its JSON lines that are unusable.

    An error of the whole file (missing, binary, undecodable, another extension) is
    raised instead.
    """
    suffix = path.suffix.lower()
    # What the path is (a folder, a FIFO, missing) says more than its name.
    data = read_report_file(path)
    if suffix not in INGEST_EXTENSIONS:
        allowed = ", ".join(INGEST_EXTENSIONS)
        raise HmeimimError("E120", str(path), extension=path.suffix, allowed=allowed)
    binary = binary_evidence(data)
    if binary is not None:
        raise HmeimimError("E119", str(path), evidence=binary)
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HmeimimError("E001", str(path), format="UTF-8 text", reason=str(error)) from None
    notices = []
    if decoded.startswith(_BOM):
        decoded = decoded[len(_BOM) :]
        notices.append(Finding.of("E116", file=str(path)))
    if suffix == ".jsonl":
        reports, errors = _jsonl_reports(path, decoded)
        if reports:
            reports[0].notices.extend(notices)
        return reports, errors
    if suffix == ".txt":
        return [Report(str(path), decoded, {}, "txt", notices)], []
    text, found = extract_html(decoded, str(path))
    return [Report(str(path), text, found, "html", notices)], []


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


def binary_evidence(data: bytes) -> str | None:
    """Why `data` is a binary file (a NUL byte, a known magic number), or None."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return f"starts like a {name} file"
    offset = data.find(b"\x00")
    if offset >= 0:
        return f"NUL byte at byte {offset}"
    return None


def extract_html(html: str, location: str) -> tuple[str, dict[str, str]]:
    """The article text of a page ("\\n\\n" between paragraphs) and the metadata found."""
    # Imported here, as datasketch is in authoring.duplicates: only `ingest` needs it.
    from trafilatura import bare_extraction
    from trafilatura.settings import Document

    document = bare_extraction(
        html,
        include_comments=False,
        include_tables=False,
        include_images=False,
        with_metadata=True,
        date_extraction_params=dict(_DATE_PARAMS),
    )
    fields: dict[str, Any] = (
        document.as_dict() if isinstance(document, Document) else dict(document or {})
    )
    lines = [line.strip() for line in str(fields.get("text") or "").split("\n")]
    paragraphs = [line for line in lines if line]
    title = fields.get("title")
    if paragraphs and isinstance(title, str) and paragraphs[0].casefold() == title.casefold():
        paragraphs = paragraphs[1:]
    if not paragraphs:
        raise HmeimimError("E121", location)
    found = {
        key: value.strip()
        for key, value in (
            ("title", title),
            ("published", fields.get("date")),
            ("author", fields.get("author")),
            ("outlet", fields.get("sitename")),
            ("url", fields.get("url")),
        )
        if isinstance(value, str) and value.strip()
    }
    return "\n\n".join(paragraphs) + "\n", found


def _jsonl_reports(path: Path, decoded: str) -> tuple[list[Report], list[HmeimimError]]:
    reports: list[Report] = []
    errors: list[HmeimimError] = []
    lines = decoded.splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        source = f"{path} line {number}"
        try:
            reports.append(_line_report(source, line))
        except HmeimimError as error:
            errors.append(error)
    if not reports and not errors:
        raise HmeimimError("E114", str(path))
    return reports, errors


def _line_report(source: str, line: str) -> Report:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as error:
        raise HmeimimError("E126", source, problem=f"invalid JSON: {error.msg}") from None
    if not isinstance(value, dict):
        raise HmeimimError("E126", source, problem=f"a JSON {type(value).__name__}, not an object")
    unknown = sorted(set(value) - set(JSONL_KEYS))
    if unknown:
        allowed = ", ".join(JSONL_KEYS)
        problem = f"unknown key(s) {', '.join(unknown)}; allowed: {allowed}"
        raise HmeimimError("E126", source, problem=problem)
    wrong = sorted(key for key, item in value.items() if not isinstance(item, str | None))
    if wrong:
        raise HmeimimError("E126", source, problem=f"not a string: {', '.join(wrong)}")
    body = [key for key in ("text", "html") if value.get(key) is not None]
    if len(body) != 1:
        raise HmeimimError("E126", source, problem="give exactly one of `text` and `html`")
    given = {key: value[key] for key in METADATA_KEYS if value.get(key) is not None}
    if body == ["text"]:
        return Report(source, value["text"], given, "jsonl")
    text, found = extract_html(value["html"], source)
    return Report(source, text, {**found, **given}, "jsonl")
