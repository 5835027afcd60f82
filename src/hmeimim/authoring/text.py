"""The stored form of a document's text, and offsets across newline normalization.

Corpus offsets are Unicode code points, half-open, into the document text (Python
string indices). Text from outside may carry \\r\\n: `normalize_newlines` replaces
line breaks and maps every offset of the raw text to the new one.
"""

from __future__ import annotations

import unicodedata


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
