"""What crosses the import boundary: task texts with their offsets, and values in messages.

- `normalize_text(raw)` gives the stored form of a task text (`\\n` line endings, then
  NFC) and, for every code point boundary of the raw text, the boundary it maps to. NFC
  can merge a run of code points into fewer (a letter and its combining mark into one
  precomposed letter, Hangul jamo into a syllable); a boundary inside such a run maps
  to nothing (`None`), because no offset of the stored text corresponds to it.
- `load_json(text)` reads JSON like `json.loads`, except that an integer too long for
  Python's int/str conversion becomes a `LongNumber` instead of an error.
- `shown(value)` wraps any value read from an export for a message template: its `repr`
  never fails (numbers of any length, nesting, lone surrogates) and is printable and
  short. `printable(text)` escapes, `ascii()`-style, only the code points of `text` that
  are not printable (controls, lone surrogates, separators), so that every message can
  be printed and encoded as UTF-8.
"""

from __future__ import annotations

import bisect
import json
import unicodedata
from dataclasses import dataclass, replace
from typing import Any

from hmeimim.authoring.text import normalize_newlines
from hmeimim.errors import Finding

# Longest repr of a value in a message, and longest id in a location.
_REPR_LIMIT = 200
_ID_LIMIT = 300
_DEPTH_LIMIT = 3
_ITEMS_LIMIT = 8


# -- values in messages ---------------------------------------------------------------------


@dataclass(frozen=True)
class LongNumber:
    """A JSON integer with more digits than Python converts (4,300 by default)."""

    digits: int

    def __repr__(self) -> str:
        return f"<a number of {self.digits} digits>"

    __str__ = __repr__


def printable(text: str) -> str:
    """`text` with every code point that is not printable escaped as `ascii()` would."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def int_text(number: int) -> str:
    """The digits of `number`, or its size when Python refuses to convert it."""
    try:
        return str(number)
    except ValueError:
        return f"<a number of about {int(number.bit_length() * 0.30103) + 1} digits>"


def _repr(value: Any, depth: int) -> str:
    if value is None or isinstance(value, bool | float):
        return repr(value)
    if isinstance(value, int):
        return int_text(value)
    if isinstance(value, str):
        return repr(value[: _REPR_LIMIT + 1])  # repr escapes what is not printable
    if isinstance(value, list | tuple):
        if depth >= _DEPTH_LIMIT:
            return "[…]"
        items = [_repr(v, depth + 1) for v in value[:_ITEMS_LIMIT]]
        return "[" + ", ".join(items + (["…"] if len(value) > _ITEMS_LIMIT else [])) + "]"
    if isinstance(value, dict):
        if depth >= _DEPTH_LIMIT:
            return "{…}"
        pairs = [
            f"{_repr(k, depth + 1)}: {_repr(v, depth + 1)}"
            for k, v in list(value.items())[:_ITEMS_LIMIT]
        ]
        return "{" + ", ".join(pairs + (["…"] if len(value) > _ITEMS_LIMIT else [])) + "}"
    if isinstance(value, LongNumber):
        return repr(value)
    return f"<{printable(type(value).__name__)}>"


def shown_repr(value: Any) -> str:
    """A printable, bounded `repr` of a JSON value that never raises."""
    return _clip(_repr(value, 0), _REPR_LIMIT)


@dataclass(frozen=True)
class Shown:
    """A value for a message template: `{x!r}` and `{x}` both render it safely."""

    value: Any

    def __repr__(self) -> str:
        return shown_repr(self.value)

    def __str__(self) -> str:
        if isinstance(self.value, str):
            return _clip(printable(self.value), _REPR_LIMIT)
        return shown_repr(self.value)


def shown(value: Any) -> Shown:
    return Shown(value)


def ident(value: Any) -> str:
    """An id read from an export as it appears in a location: printable and bounded."""
    if isinstance(value, str):
        return _clip(printable(value), _ID_LIMIT)
    if isinstance(value, int) and not isinstance(value, bool):
        return _clip(int_text(value), _ID_LIMIT)
    return _clip(shown_repr(value), _ID_LIMIT)


def printable_finding(finding: Finding) -> Finding:
    """The finding with message and location escaped where they are not printable."""
    fields = {
        name: printable(value)
        for name in ("message", "file", "doc_id", "record_id")
        if isinstance(value := getattr(finding, name), str) and not value.isprintable()
    }
    return replace(finding, **fields) if fields else finding


# -- JSON -----------------------------------------------------------------------------------


def _parse_int(digits: str) -> int | LongNumber:
    try:
        return int(digits)
    except ValueError:
        return LongNumber(len(digits.lstrip("-")))


# `json.loads` with this hook builds the same decoder; `parse` also decodes one task at a
# time with it (`JSONDecoder.raw_decode`).
JSON_DECODER = json.JSONDecoder(parse_int=_parse_int)


def load_json(text: str) -> Any:
    """`json.loads`, with integers too long to convert read as `LongNumber`."""
    return JSON_DECODER.decode(text)


# -- task texts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TextMap:
    """A raw task text, its stored form and the offset map between them."""

    raw: str
    text: str
    # For each boundary 0..len(raw) of the raw text: the boundary in `text`, or None
    # when it falls inside a sequence that NFC merges.
    positions: tuple[int | None, ...]
    # Boundaries in the newline-normalized text of each raw boundary (None: identity).
    _newlines: tuple[int, ...] | None
    # Sequences of the newline-normalized text that NFC changes, as (start, end), sorted.
    _merged: tuple[tuple[int, int], ...]
    _lines: str

    @property
    def changed(self) -> bool:
        return self.text != self.raw

    def merged_at(self, offset: int) -> tuple[str, str]:
        """The raw sequence that NFC merges around raw boundary `offset`, and its NFC."""
        at = self._newlines[offset] if self._newlines is not None else offset
        index = bisect.bisect_right(self._merged, (at, len(self._lines) + 1)) - 1
        start, end = self._merged[max(index, 0)] if self._merged else (0, len(self._lines))
        sequence = self._lines[start:end]
        return sequence, unicodedata.normalize("NFC", sequence)


def _clusters(text: str) -> list[tuple[int, int]]:
    """Runs of a code point of combining class 0 and the combining marks after it."""
    starts = [i for i, ch in enumerate(text) if i == 0 or unicodedata.combining(ch) == 0]
    return list(zip(starts, [*starts[1:], len(text)], strict=True))


def _nfc_groups(text: str) -> list[tuple[int, int]]:
    """Runs of `text` that NFC normalizes independently of each other.

    Clusters are joined while normalizing them together differs from normalizing them
    apart (a composition or reordering across them). If the runs do not add up to the
    NFC of the whole text, the whole text is one run.
    """
    nfc = unicodedata.normalize
    groups: list[tuple[int, int]] = []
    clusters = _clusters(text)
    if not clusters:
        return []
    start, end = clusters[0]
    norm = nfc("NFC", text[start:end])
    for c_start, c_end in clusters[1:]:
        alone = nfc("NFC", text[c_start:c_end])
        together = nfc("NFC", text[start:c_end])
        if together == norm + alone:
            groups.append((start, end))
            start, end, norm = c_start, c_end, alone
        else:
            end, norm = c_end, together
    groups.append((start, end))
    if "".join(nfc("NFC", text[a:b]) for a, b in groups) != nfc("NFC", text):
        return [(0, len(text))]
    return groups


def normalize_text(raw: str) -> TextMap:
    """The stored form of a task text and its offset map (module docstring)."""
    lines, newline_map = normalize_newlines(raw) if "\r" in raw else (raw, None)
    newlines = tuple(newline_map) if newline_map is not None else None
    if unicodedata.is_normalized("NFC", lines):
        positions: tuple[int | None, ...] = newlines or tuple(range(len(raw) + 1))
        return TextMap(raw, lines, positions, newlines, (), lines)
    at: list[int | None] = [None] * (len(lines) + 1)
    parts: list[str] = []
    merged: list[tuple[int, int]] = []
    length = 0
    for start, end in _nfc_groups(lines):
        piece = lines[start:end]
        norm = unicodedata.normalize("NFC", piece)
        at[start] = length
        if norm == piece:
            for k in range(1, end - start):
                at[start + k] = length + k
        else:
            merged.append((start, end))
        parts.append(norm)
        length += len(norm)
    at[len(lines)] = length
    mapped = tuple(at[i] for i in newlines) if newlines is not None else tuple(at)
    return TextMap(raw, "".join(parts), mapped, newlines, tuple(merged), lines)
