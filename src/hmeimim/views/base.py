"""What every training view shares: blank spaCy pipelines, paragraphs, mention alignment.

This module owns the two rules the token view and the spaCy export must agree on
(docs/views.md):

- Alignment: a mention aligns when its start is the first character of a token and its
  end is one past the last character of a token of spaCy's blank tokenizer for the
  document's language (`Doc.char_span(..., alignment_mode="strict")`).
- Overlap: within one layer, aligned mentions are taken longest first, then earliest
  start, then smallest span_id; a mention sharing a token with one already taken is
  skipped (the order of `spacy.util.filter_spans`, made total by the span_id).

Skipped mentions are returned as records, never dropped silently. spaCy is imported
lazily: only the views that tokenize need the `views` extra.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from hmeimim.errors import HmeimimError
from hmeimim.model import SPLITS
from hmeimim.schema.declaration import load_schema

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MISALIGNED = "misaligned"
OVERLAP = "overlap"
CROSSES_PARAGRAPH = "crosses-paragraph"
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


def require_spacy() -> None:
    """Raise E501 when spaCy (the `views` extra) is not installed."""
    try:
        import spacy  # noqa: F401
    except ImportError:
        raise HmeimimError("E501", "spacy") from None


@cache
def blank_pipeline(language: str) -> Language:
    """spaCy's blank pipeline (tokenizer only, no model) for a BCP-47 language tag."""
    require_spacy()
    import spacy

    primary = language.split("-", 1)[0].lower()
    try:
        return spacy.blank(primary)
    except (ImportError, KeyError, ValueError) as error:
        raise HmeimimError(
            "E502", f"language={language}", language=primary, reason=error.__class__.__name__
        ) from None


def tokenize(document: Mapping[str, Any]) -> Doc:
    """The document's text through the blank pipeline of its language."""
    return blank_pipeline(str(document.get("language") or "en"))(str(document["text"]))


def check_option(name: str, value: object, allowed: Iterable[object]) -> None:
    """Raise E503 when a view option has a value outside `allowed`."""
    allowed = tuple(allowed)
    if value not in allowed:
        listed = ", ".join(repr(a) for a in allowed)
        raise HmeimimError("E503", f"option {name}", value=value, allowed=listed)


def check_layer(layer: str) -> None:
    check_option("layer", layer, load_schema().layers)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Half-open (start, end) of each paragraph: text between blank lines, stripped."""
    bounds: list[tuple[int, int]] = []
    position = 0
    for match in [*_PARAGRAPH_BREAK.finditer(text), None]:
        stop = match.start() if match else len(text)
        chunk = text[position:stop]
        if chunk.strip():
            start = position + len(chunk) - len(chunk.lstrip())
            bounds.append((start, position + len(chunk.rstrip())))
        position = match.end() if match else len(text)
    return bounds


@dataclass(frozen=True)
class Kept:
    """A mention that aligns with tokens `token_start` .. `token_end` (exclusive)."""

    span: Mapping[str, Any]
    token_start: int
    token_end: int


def skipped_record(
    span: Mapping[str, Any], reason: str, conflict: str | None = None
) -> dict[str, Any]:
    return {
        "span_id": span["span_id"],
        "label": span["label"],
        "start": span["start"],
        "end": span["end"],
        "text": span["text"],
        "reason": reason,
        "conflict": conflict,
    }


def align_layer(
    doc: Doc, spans: Sequence[Mapping[str, Any]], layer: str
) -> tuple[list[Kept], list[dict[str, Any]]]:
    """Mentions of `layer` that go into a tag sequence, and the ones skipped (with why).

    Kept mentions come back in text order; skipped ones in (start, end, span_id) order.
    """
    aligned: list[Kept] = []
    skipped: list[dict[str, Any]] = []
    for span in sorted(
        (s for s in spans if s["layer"] == layer),
        key=lambda s: (s["start"], s["end"], s["span_id"]),
    ):
        found = doc.char_span(span["start"], span["end"], alignment_mode="strict")
        if found is None:
            skipped.append(skipped_record(span, MISALIGNED))
        else:
            aligned.append(Kept(span, found.start, found.end))
    owner: dict[int, str] = {}
    kept: list[Kept] = []
    for item in sorted(
        aligned,
        key=lambda k: (k.token_start - k.token_end, k.span["start"], k.span["span_id"]),
    ):
        tokens = range(item.token_start, item.token_end)
        clash = next((owner[i] for i in tokens if i in owner), None)
        if clash is not None:
            skipped.append(skipped_record(item.span, OVERLAP, clash))
            continue
        for i in range(item.token_start, item.token_end):
            owner[i] = item.span["span_id"]
        kept.append(item)
    kept.sort(key=lambda k: k.token_start)
    skipped.sort(key=lambda s: (s["start"], s["end"], s["span_id"]))
    return kept, skipped


def span_ref(span: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a span a relation view carries: id, offsets, text."""
    return {
        "span_id": span["span_id"],
        "start": span["start"],
        "end": span["end"],
        "text": span["text"],
    }


def span_ref_feature() -> dict[str, Any]:
    import datasets

    return {
        "span_id": datasets.Value("string"),
        "start": datasets.Value("int32"),
        "end": datasets.Value("int32"),
        "text": datasets.Value("string"),
    }


def dataset_dict(rows_by_split: Mapping[str, list[dict[str, Any]]], features: Any) -> Any:
    """A `datasets.DatasetDict` with train, validation and test, built in memory."""
    import datasets

    def columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
        # Column-wise, so that an empty split still gets every column of `features`.
        return {name: [row[name] for row in rows] for name in features}

    return datasets.DatasetDict(
        {
            split: datasets.Dataset.from_dict(
                columns(rows_by_split.get(split, [])), features=features, split=split
            )
            for split in SPLITS
        }
    )
