"""The token view: spaCy tokens with BIO or BILOU tags of one layer, for NER training.

`ner()` gives a `DatasetDict`; `iter_ner()` streams the same examples; `ner_examples_of()`
builds them for one document; `ner_skipped()` lists the mentions that are not in the
tags (misaligned, overlapping, or crossing a paragraph) with doc_id and span_id.
Tag names (`ner_label_names`) are "O" followed by the prefixes of each label of the
layer, in class-id order (so a tag's id never moves when labels are added); on the
entity layer these are the name and the value labels. Whitespace-only tokens are left out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pandas as pd

from hmeimim.model import SPLITS
from hmeimim.schema.declaration import load_schema
from hmeimim.storage.records import iter_documents
from hmeimim.views.base import (
    CROSSES_PARAGRAPH,
    align_layer,
    check_layer,
    check_option,
    dataset_dict,
    paragraphs,
    skipped_record,
    tokenize,
)

SCHEMES = {"BIO": ("B", "I"), "BILOU": ("B", "I", "L", "U")}
UNITS = ("document", "paragraph")
SKIPPED_COLUMNS = ("doc_id", "split", "span_id", "label", "start", "end", "text", "reason")


def ner_label_names(scheme: str = "BIO", layer: str = "entity") -> list[str]:
    """The ClassLabel names of `ner_tags`: "O", then B-/I-(/L-/U-) per label, class-id order."""
    check_option("scheme", scheme, SCHEMES)
    check_layer(layer)
    labels = [label.name for label in load_schema().labels_by_class_id(layer)]
    return ["O", *(f"{prefix}-{label}" for label in labels for prefix in SCHEMES[scheme])]


def ner_examples_of(
    document: Mapping[str, Any],
    *,
    scheme: str = "BIO",
    layer: str = "entity",
    unit: str = "document",
) -> list[dict[str, Any]]:
    """Token-view examples of one document (one per document or per paragraph).

    Each example: id, doc_id, tokens, token_starts, token_ends (code points into the
    document text), ner_tags (tag names) and skipped (mentions left out, with reason).
    """
    check_option("scheme", scheme, SCHEMES)
    check_option("unit", unit, UNITS)
    check_layer(layer)
    doc = tokenize(document)
    from spacy.training import biluo_to_iob, offsets_to_biluo_tags

    kept, skipped = align_layer(doc, document["spans"], layer)
    text = str(document["text"])
    bounds = [(0, len(text))] if unit == "document" else paragraphs(text)
    units: list[tuple[list[int], list[dict[str, Any]]]] = []
    tagged: list[tuple[int, int, str]] = []  # kept mentions inside their unit, in characters
    for lo, hi in bounds:
        indices = [t.i for t in doc if not t.is_space and lo <= t.idx < hi]
        unit_skipped = [s for s in skipped if lo <= s["start"] < hi]
        for item in kept:
            if not lo <= item.span["start"] < hi:
                continue
            last = doc[item.token_end - 1]
            if item.span["end"] > hi or last.is_space or not lo <= last.idx < hi:
                unit_skipped.append(skipped_record(item.span, CROSSES_PARAGRAPH))
                continue
            start = doc[item.token_start].idx
            tagged.append((start, last.idx + len(last.text), item.span["label"]))
        unit_skipped.sort(key=lambda s: (s["start"], s["end"], s["span_id"]))
        units.append((indices, unit_skipped))
    # One tag per token of the whole Doc (whitespace tokens included), then each unit
    # keeps the tags of its own tokens.
    tags = offsets_to_biluo_tags(doc, tagged)
    if scheme == "BIO":
        tags = biluo_to_iob(tags)
    doc_id = str(document["doc_id"])
    examples = []
    for number, (indices, unit_skipped) in enumerate(units):
        examples.append(
            {
                "id": doc_id if unit == "document" else f"{doc_id}/p{number:03d}",
                "doc_id": doc_id,
                "tokens": [doc[i].text for i in indices],
                "token_starts": [doc[i].idx for i in indices],
                "token_ends": [doc[i].idx + len(doc[i].text) for i in indices],
                "ner_tags": [tags[i] for i in indices],
                "skipped": unit_skipped,
            }
        )
    return examples


def decode_tags(
    tags: Sequence[str], token_starts: Sequence[int], token_ends: Sequence[int]
) -> list[tuple[int, int, str]]:
    """(start, end, label) character spans of a BIO or BILOU tag sequence.

    A span opens at B- or U- (or at an I-/L- whose label differs from the open one) and
    closes at L-, U-, O or a new opening, so both schemes decode with one function.
    """
    spans: list[tuple[int, int, str]] = []
    open_start: int | None = None
    open_label = ""
    open_end = 0
    for tag, start, end in zip(tags, token_starts, token_ends, strict=True):
        prefix, _, label = tag.partition("-")
        continues = prefix in ("I", "L") and open_start is not None and label == open_label
        if not continues and open_start is not None:
            spans.append((open_start, open_end, open_label))
            open_start = None
        if prefix == "O":
            continue
        if not continues:
            open_start, open_label = start, label
        open_end = end
        if prefix in ("L", "U"):
            spans.append((open_start if open_start is not None else start, end, label))
            open_start = None
    if open_start is not None:
        spans.append((open_start, open_end, open_label))
    return spans


def iter_ner(
    version: str | None = None,
    split: str | None = None,
    *,
    scheme: str = "BIO",
    layer: str = "entity",
    unit: str = "document",
) -> Iterator[dict[str, Any]]:
    """Streaming twin of `ner`: token-view examples with a `split` key, in release order."""
    for document in iter_documents(version, split):
        for example in ner_examples_of(document, scheme=scheme, layer=layer, unit=unit):
            yield {**example, "split": document["split"]}


def ner_features(scheme: str = "BIO", layer: str = "entity") -> Any:
    """The `datasets.Features` of the token view."""
    import datasets

    return datasets.Features(
        {
            "id": datasets.Value("string"),
            "doc_id": datasets.Value("string"),
            "tokens": datasets.List(datasets.Value("string")),
            "token_starts": datasets.List(datasets.Value("int32")),
            "token_ends": datasets.List(datasets.Value("int32")),
            "ner_tags": datasets.List(datasets.ClassLabel(names=ner_label_names(scheme, layer))),
            "skipped": datasets.List(
                {
                    "span_id": datasets.Value("string"),
                    "label": datasets.Value("string"),
                    "start": datasets.Value("int32"),
                    "end": datasets.Value("int32"),
                    "text": datasets.Value("string"),
                    "reason": datasets.Value("string"),
                    "conflict": datasets.Value("string"),
                }
            ),
        }
    )


def ner(
    version: str | None = None,
    *,
    scheme: str = "BIO",
    layer: str = "entity",
    unit: str = "document",
) -> Any:
    """The token view as a `DatasetDict` (train, validation, test); `ner_tags` are ClassLabels.

    Mentions not in the tags are in each example's `skipped` column and in `ner_skipped()`.
    """
    features = ner_features(scheme, layer)
    rows: dict[str, list[dict[str, Any]]] = {split: [] for split in SPLITS}
    for example in iter_ner(version, scheme=scheme, layer=layer, unit=unit):
        split = example.pop("split")
        rows[split].append(example)
    return dataset_dict(rows, features)


def ner_skipped(
    version: str | None = None, *, layer: str = "entity", unit: str = "document"
) -> pd.DataFrame:
    """One row per mention of `layer` that the token view leaves out, and why.

    Columns: doc_id, split, span_id, label, start, end, text, reason, conflict. `reason`
    is misaligned, overlap (`conflict` names the mention kept) or crosses-paragraph.
    """
    rows = [
        {"doc_id": example["doc_id"], "split": example["split"], **skipped}
        for example in iter_ner(version, layer=layer, unit=unit)
        for skipped in example["skipped"]
    ]
    return pd.DataFrame(rows, columns=[*SKIPPED_COLUMNS, "conflict"])
