"""Counting documents and annotations; feeds the manifest, the summary and the datasheet."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any


def annotation_counts(records: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts per split, layer and label, source type and polarity, with sorted keys."""
    splits: Counter[str] = Counter()
    labels: dict[str, Counter[str]] = {}
    source_types: Counter[str] = Counter()
    source_kinds: Counter[str] = Counter()
    polarities: Counter[str] = Counter()
    linked = 0
    characters = 0
    for record in records:
        splits[str(record.get("split"))] += 1
        text = record.get("text")
        # A stand-off document has no text, but its length (schema 1.2.0 on).
        characters += len(text) if isinstance(text, str) else int(record.get("text_length") or 0)
        for span in record.get("spans") or []:
            labels.setdefault(str(span["layer"]), Counter())[str(span["label"])] += 1
            linked += span.get("entity_id") is not None
        for frame in record.get("attributions") or []:
            source_kinds[str(frame["source_kind"])] += 1
            if frame.get("source_type") is not None:
                source_types[str(frame["source_type"])] += 1
        for stance in record.get("stances") or []:
            polarities[str(stance["polarity"])] += 1
    return {
        "documents": sum(splits.values()),
        "characters": characters,
        "splits": dict(sorted(splits.items())),
        "spans": {layer: dict(sorted(c.items())) for layer, c in sorted(labels.items())},
        "spans_total": sum(sum(c.values()) for c in labels.values()),
        "entity_links": linked,
        "attributions": sum(source_kinds.values()),
        "source_kinds": dict(sorted(source_kinds.items())),
        "source_types": dict(sorted(source_types.items())),
        "stances": sum(polarities.values()),
        "polarities": dict(sorted(polarities.items())),
    }
