"""The stance view: one example per stance, with holder, target, evidence and polarity.

The target text is resolved whatever the target kind: a mention's text, a claim's
CONTENT span text, an entity id's canonical name from the release's registry, or a
registered claim's statement from the release's claim registry.
`markers=True` adds `marked_text`: the paragraphs around the holder, target and
evidence spans with inline markers (MARKERS), for sentence-pair models that take
(`marked_text`, `target_text`). Polarity names come from the schema's `polarity` enum.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from hmeimim.model import SPLITS
from hmeimim.schema.declaration import load_schema
from hmeimim.storage.records import iter_documents
from hmeimim.views.base import dataset_dict, paragraphs, span_ref, span_ref_feature
from hmeimim.views.load import claim_registry, entities

# role -> (opening, closing) marker inserted around the role's spans in `marked_text`.
MARKERS = {"holder": ("<h>", "</h>"), "target": ("<t>", "</t>"), "evidence": ("<e>", "</e>")}


def polarity_names() -> list[str]:
    """The ClassLabel names of `polarity`, in the schema's enum order."""
    return list(load_schema().enum_values("polarity"))


def mark(text: str, marked: list[tuple[int, int, str]]) -> tuple[int, str]:
    """(offset, text) of the paragraphs covering `marked` (start, end, role), with markers.

    Markers nest: at one position closing markers come before opening ones, an inner
    span closes before an outer one, and an outer span opens before an inner one.
    """
    if not marked:
        return 0, text
    lo = min(start for start, _, _ in marked)
    hi = max(end for _, end, _ in marked)
    for p_start, p_end in paragraphs(text):
        if p_start <= lo < p_end:
            lo = p_start
        if p_start < hi <= p_end:
            hi = p_end
    events: list[tuple[int, int, int, str]] = []
    for start, end, role in marked:
        opening, closing = MARKERS[role]
        events.append((start, 1, -end, opening))
        events.append((end, 0, -start, closing))
    pieces = []
    position = lo
    for offset, _, _, marker in sorted(events):
        pieces.append(text[position:offset])
        pieces.append(marker)
        position = offset
    pieces.append(text[position:hi])
    return lo, "".join(pieces)


def stance_examples_of(
    document: Mapping[str, Any],
    *,
    registry: Mapping[str, str],
    markers: bool = False,
    claims: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One example per stance of a document; `registry` maps entity_id to its name,
    `claims` claim_id to its statement."""
    off_document = ("entity", "registered_claim")
    by_id = {span["span_id"]: span for span in document["spans"]}
    examples = []
    for stance in document["stances"]:
        holder = by_id.get(stance["holder"]) if stance.get("holder") else None
        kind = stance["target_kind"]
        target_span = by_id.get(stance["target"]) if kind not in off_document else None
        if kind == "entity":
            target_entity: str | None = stance["target"]
            target_text = registry.get(stance["target"])
        elif kind == "registered_claim":
            target_entity = None
            target_text = (claims or {}).get(stance["target"])
        else:
            target_entity = target_span.get("entity_id") if target_span else None
            target_text = target_span["text"] if target_span else None
        evidence = [by_id[span_id] for span_id in stance["evidence"]]
        example: dict[str, Any] = {
            "id": stance["stance_id"],
            "doc_id": document["doc_id"],
            "text": document["text"],
            "holder_kind": stance["holder_kind"],
            "holder": span_ref(holder) if holder else None,
            "target_kind": stance["target_kind"],
            "target": stance["target"],
            "target_span": span_ref(target_span) if target_span else None,
            "target_entity_id": target_entity,
            "target_text": target_text,
            "evidence": [span_ref(span) for span in evidence],
            "polarity": stance["polarity"],
        }
        if markers:
            marked = [(s["start"], s["end"], "evidence") for s in evidence]
            if holder:
                marked.append((holder["start"], holder["end"], "holder"))
            if target_span:
                marked.append((target_span["start"], target_span["end"], "target"))
            offset, marked_text = mark(str(document["text"]), marked)
            example["marked_offset"] = offset
            example["marked_text"] = marked_text
        examples.append(example)
    return examples


def _registry(version: str | None) -> dict[str, str]:
    frame = entities(version)
    return dict(zip(frame["entity_id"], frame["name"], strict=True))


def _claims(version: str | None) -> dict[str, str]:
    frame = claim_registry(version)
    return dict(zip(frame["claim_id"], frame["statement"], strict=True))


def iter_stance_examples(
    version: str | None = None, split: str | None = None, *, markers: bool = False
) -> Iterator[dict[str, Any]]:
    """Streaming twin of `stance_examples`, with a `split` key."""
    registry, claims = _registry(version), _claims(version)
    for document in iter_documents(version, split):
        examples = stance_examples_of(document, registry=registry, markers=markers, claims=claims)
        for example in examples:
            yield {**example, "split": document["split"]}


def stance_features(markers: bool = False) -> Any:
    import datasets

    ref = span_ref_feature()
    extra = (
        {"marked_offset": datasets.Value("int32"), "marked_text": datasets.Value("string")}
        if markers
        else {}
    )
    return datasets.Features(
        {
            "id": datasets.Value("string"),
            "doc_id": datasets.Value("string"),
            "text": datasets.Value("string"),
            "holder_kind": datasets.Value("string"),
            "holder": ref,
            "target_kind": datasets.Value("string"),
            "target": datasets.Value("string"),
            "target_span": ref,
            "target_entity_id": datasets.Value("string"),
            "target_text": datasets.Value("string"),
            "evidence": datasets.List(ref),
            "polarity": datasets.ClassLabel(names=polarity_names()),
            **extra,
        }
    )


def stance_examples(version: str | None = None, *, markers: bool = False) -> Any:
    """The stance view as a `DatasetDict`: one example per stance; `polarity` is a ClassLabel.

    `holder` is null for the writer; `target_span` is null for entity-id and
    registered-claim targets.
    """
    rows: dict[str, list[dict[str, Any]]] = {split: [] for split in SPLITS}
    for example in iter_stance_examples(version, markers=markers):
        rows[example.pop("split")].append(example)
    return dataset_dict(rows, stance_features(markers))
