"""The metadata rules of a new document: date, licence and doc_id.

- `published` is a YYYY-MM-DD date (E015), not later than today (E118).
- `license` is an SPDX licence identifier, checked against the SPDX list that the
  `license-expression` package ships (no network), and stored in its canonical spelling;
  or `all-rights-reserved`; or `unknown`, stored as given (null means only that no
  licence was recorded). Anything else is E123. Whether a release may carry the text
  follows from it (`text_policy` in corpus/release.yaml).
- a doc_id not given is derived from the metadata and the text, so the same report
  always gets the same id: `<published>-<slug of the title>-<first 6 hex digits of the
  sha256 of the stored text>`. The slug keeps ASCII letters and digits (accents are
  removed; other scripts are dropped, so an Arabic title gives `<published>-<hex>`);
  without a title, the first words of the text stand in.
- a doc_id must name a folder directly inside the documents folder (E125): no path
  separator, no `..`, not absolute, and the resolved path (through any symbolic link)
  inside the folder; then it must match the schema's pattern (E106).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from functools import cache
from pathlib import Path, PurePosixPath, PureWindowsPath

from license_expression import Licensing, get_spdx_licensing  # type: ignore[import-untyped]

from hmeimim.errors import HmeimimError

ALL_RIGHTS_RESERVED = "all-rights-reserved"
UNKNOWN_LICENCE = "unknown"
# 80 characters in all (the schema's pattern): date, two hyphens and 6 hex digits leave 62.
_SLUG_CHARS = 48
_SLUG_WORDS_OF_TEXT = 8


@cache
def _licensing() -> Licensing:
    return get_spdx_licensing()


def parse_date(text: str, where: str) -> dt.date:
    """A YYYY-MM-DD date, or E015 naming `where`."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise HmeimimError("E015", where, value=text) from None


def check_published(date: dt.date, where: str) -> None:
    """E118 for a date later than today."""
    today = dt.date.today()
    if date > today:
        raise HmeimimError("E118", where, value=date.isoformat(), today=today.isoformat())


def licence(value: str, where: str) -> str:
    """The stored form of a licence: a canonical SPDX id, `all-rights-reserved` or
    `unknown`."""
    if value in (UNKNOWN_LICENCE, ALL_RIGHTS_RESERVED):
        return value
    keys = _licensing().license_keys(value) if _is_one_identifier(value) else []
    info = _licensing().validate(value) if len(keys) == 1 else None
    if info is None or info.errors or info.invalid_symbols:
        raise HmeimimError("E123", where, value=value)
    return str(info.normalized_expression)


def _is_one_identifier(value: str) -> bool:
    # One licence, not an expression: "MIT OR Apache-2.0" is a choice the curator makes.
    return re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.+-]*", value) is not None


def derive_doc_id(*, published: dt.date, title: str | None, text: str) -> str:
    """`<published>-<slug>-<6 hex>` (or `<published>-<6 hex>` when no slug is left)."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]
    source = title if title else " ".join(text.split()[:_SLUG_WORDS_OF_TEXT])
    slug = slugify(source)
    return "-".join(part for part in (published.isoformat(), slug, digest) if part)


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens, at most `_SLUG_CHARS`, cut at a hyphen."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", bare).strip("-")
    if len(slug) > _SLUG_CHARS:
        slug = slug[: _SLUG_CHARS + 1].rsplit("-", 1)[0] if "-" in slug else slug
        slug = slug[:_SLUG_CHARS].strip("-")
    return slug


def check_doc_id_target(doc_id: str, base: Path, where: str) -> Path:
    """The folder `base/doc_id`, or E125 if the doc_id would leave `base`."""
    reason = None
    if "/" in doc_id or "\\" in doc_id:
        reason = "it holds a path separator"
    elif doc_id in ("", ".", ".."):
        reason = "it names a parent or the folder itself"
    elif PurePosixPath(doc_id).is_absolute() or PureWindowsPath(doc_id).is_absolute():
        reason = "it is an absolute path"
    target = base / doc_id
    if reason is None and target.resolve().parent != base.resolve():
        reason = f"it resolves to {target.resolve()}"
    if reason is not None:
        raise HmeimimError("E125", where, value=doc_id, reason=reason)
    return target
