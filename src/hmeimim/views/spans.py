"""The span view: every span of every layer, overlaps kept, for span-classification models.

One example per document: its text, spaCy tokens, and all spans of the chosen layers
with code-point offsets, the covering token range and whether the span aligns with
token boundaries exactly. Label names come from the schema (all layers, class-id order,
so that a label's id never moves when labels are added).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from hmeimim.model import SPLITS
from hmeimim.schema.declaration import load_schema
from hmeimim.storage.records import iter_documents
from hmeimim.views.base import check_layer, dataset_dict, tokenize


def span_label_names() -> list[str]:
    """The ClassLabel names of `spans.label`: every label of every layer, class-id order."""
    return list(load_schema().enum_values("labels"))


def span_examples_of(
    document: Mapping[str, Any], *, layers: Sequence[str] | None = None
) -> dict[str, Any]:
    """The span-view example of one document.

    `token_start`/`token_end` (exclusive) are the smallest token range covering the span;
    `aligned` says whether the span starts and ends exactly on token boundaries.
    """
    chosen = tuple(layers) if layers is not None else tuple(load_schema().layers)
    for layer in chosen:
        check_layer(layer)
    doc = tokenize(document)
    spans = []
    for span in sorted(
        (s for s in document["spans"] if s["layer"] in chosen),
        key=lambda s: (s["start"], s["end"], s["layer"], s["span_id"]),
    ):
        covering = doc.char_span(span["start"], span["end"], alignment_mode="expand")
        exact = doc.char_span(span["start"], span["end"], alignment_mode="strict")
        spans.append(
            {
                "span_id": span["span_id"],
                "layer": span["layer"],
                "label": span["label"],
                "start": span["start"],
                "end": span["end"],
                "text": span["text"],
                "entity_id": span.get("entity_id"),
                "token_start": covering.start if covering is not None else None,
                "token_end": covering.end if covering is not None else None,
                "aligned": exact is not None,
            }
        )
    return {
        "id": document["doc_id"],
        "doc_id": document["doc_id"],
        "text": document["text"],
        "tokens": [t.text for t in doc],
        "token_starts": [t.idx for t in doc],
        "spans": spans,
    }


def iter_span_examples(
    version: str | None = None,
    split: str | None = None,
    *,
    layers: Sequence[str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Streaming twin of `span_examples`: one example per document, with a `split` key."""
    for document in iter_documents(version, split):
        yield {**span_examples_of(document, layers=layers), "split": document["split"]}


def span_features() -> Any:
    """The `datasets.Features` of the span view."""
    import datasets

    return datasets.Features(
        {
            "id": datasets.Value("string"),
            "doc_id": datasets.Value("string"),
            "text": datasets.Value("string"),
            "tokens": datasets.List(datasets.Value("string")),
            "token_starts": datasets.List(datasets.Value("int32")),
            "spans": datasets.List(
                {
                    "span_id": datasets.Value("string"),
                    "layer": datasets.Value("string"),
                    "label": datasets.ClassLabel(names=span_label_names()),
                    "start": datasets.Value("int32"),
                    "end": datasets.Value("int32"),
                    "text": datasets.Value("string"),
                    "entity_id": datasets.Value("string"),
                    "token_start": datasets.Value("int32"),
                    "token_end": datasets.Value("int32"),
                    "aligned": datasets.Value("bool"),
                }
            ),
        }
    )


def span_examples(version: str | None = None, *, layers: Sequence[str] | None = None) -> Any:
    """The span view as a `DatasetDict`: all spans of `layers` (default: all), overlaps kept."""
    rows: dict[str, list[dict[str, Any]]] = {split: [] for split in SPLITS}
    for example in iter_span_examples(version, layers=layers):
        rows[example.pop("split")].append(example)
    return dataset_dict(rows, span_features())
