"""Offset arithmetic between the corpus's code points and other units.

Corpus offsets are Unicode code points, half-open, into the document text (Python
string indices). Browsers and JavaScript tools count UTF-16 code units, byte-oriented
tools count UTF-8 bytes, and text from outside may carry \\r\\n. These helpers convert
without ever touching the text itself.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from itertools import accumulate


def utf16_offsets(text: str) -> list[int]:
    """UTF-16 offset of every code point boundary 0..len(text)."""
    return [0, *accumulate(2 if ord(ch) > 0xFFFF else 1 for ch in text)]


def utf8_offsets(text: str) -> list[int]:
    """UTF-8 byte offset of every code point boundary 0..len(text)."""
    return [0, *accumulate(len(ch.encode("utf-8")) for ch in text)]


def to_units(table: list[int], offset: int) -> int:
    """Code point offset -> offset in the units of `table` (from utf16/utf8_offsets)."""
    if not 0 <= offset < len(table):
        raise IndexError(f"offset {offset} is outside 0..{len(table) - 1}")
    return table[offset]


def from_units(table: list[int], units: int) -> int:
    """Offset in other units -> code point offset; an offset inside a character is an error."""
    index = bisect_right(table, units) - 1
    if index < 0 or table[index] != units:
        raise ValueError(f"offset {units} falls inside a character")
    return index


def normalize_newlines(raw: str) -> tuple[str, list[int]]:
    """Replace \\r\\n and lone \\r by \\n.

    Returns the new text and, for every code point boundary 0..len(raw) of the raw text,
    the boundary it maps to in the new text. The boundary between \\r and \\n maps to
    the position after the new \\n: a span cannot end inside a line break.
    """
    out: list[str] = []
    mapping: list[int] = []
    i = 0
    while i < len(raw):
        mapping.append(len(out))
        ch = raw[i]
        if ch == "\r":
            out.append("\n")
            if i + 1 < len(raw) and raw[i + 1] == "\n":
                mapping.append(len(out))
                i += 1
        else:
            out.append(ch)
        i += 1
    mapping.append(len(out))
    return "".join(out), mapping


def ingest_text(raw: str) -> str:
    """The stored form of a new document's text: NFC with \\n line endings.

    Applied once, before anything is annotated; offsets are never carried across NFC.
    """
    text, _ = normalize_newlines(raw)
    return unicodedata.normalize("NFC", text)
