"""Where a raw annotator layer and the gold differ, for the adjudicator.

A span agrees when the other side has a span with the same (start, end, layer, label).
Frames and stances are compared by what they point at, read as span keys, so that
different span ids of the same spans still agree; only their counts are shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SpanKey = tuple[Any, Any, Any, Any]


def span_key(span: Mapping[str, Any]) -> SpanKey:
    return (span.get("start"), span.get("end"), span.get("layer"), span.get("label"))


@dataclass(frozen=True)
class LayerDifference:
    """A raw layer against the gold: span ids on each side that the other side lacks."""

    extra_spans: list[str] = field(default_factory=list)  # raw span ids, not in gold
    missing_spans: list[str] = field(default_factory=list)  # gold span ids, not in raw
    extra_frames: int = 0
    missing_frames: int = 0
    extra_stances: int = 0
    missing_stances: int = 0


def _keys_by_id(spans: Sequence[Mapping[str, Any]]) -> dict[str, SpanKey]:
    return {str(s.get("span_id")): span_key(s) for s in spans}


def _frame_signatures(record: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    keys = _keys_by_id(record.get("spans") or [])

    def key(sid: Any) -> Any:
        return keys.get(str(sid), ("?", sid))

    return [
        (
            key(frame.get("cue")),
            tuple(sorted(map(repr, (key(s) for s in frame.get("sources") or [])))),
            tuple(sorted(map(repr, (key(c) for c in frame.get("contents") or [])))),
            frame.get("source_kind"),
            frame.get("source_type"),
        )
        for frame in record.get("attributions") or []
    ]


def _stance_signatures(record: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    keys = _keys_by_id(record.get("spans") or [])

    def key(sid: Any) -> Any:
        return keys.get(str(sid), ("?", sid))

    signatures = []
    for stance in record.get("stances") or []:
        target = stance.get("target")
        if stance.get("target_kind") in ("mention", "claim"):
            target = key(target)
        holder = key(stance.get("holder")) if stance.get("holder") is not None else None
        signatures.append(
            (
                stance.get("holder_kind"),
                repr(holder),
                stance.get("target_kind"),
                repr(target),
                stance.get("polarity"),
                tuple(sorted(map(repr, (key(e) for e in stance.get("evidence") or [])))),
            )
        )
    return signatures


def _unmatched(mine: list[tuple[Any, ...]], theirs: list[tuple[Any, ...]]) -> int:
    """How many of `mine` have no counterpart in `theirs` (as multisets)."""
    left = list(theirs)
    count = 0
    for item in mine:
        if item in left:
            left.remove(item)
        else:
            count += 1
    return count


def compare_layer(raw: Mapping[str, Any], gold: Mapping[str, Any]) -> LayerDifference:
    """What `raw` (an annotator layer) has that `gold` lacks, and the other way round."""
    raw_spans, gold_spans = raw.get("spans") or [], gold.get("spans") or []
    gold_keys = {span_key(s) for s in gold_spans}
    raw_keys = {span_key(s) for s in raw_spans}
    raw_frames, gold_frames = _frame_signatures(raw), _frame_signatures(gold)
    raw_stances, gold_stances = _stance_signatures(raw), _stance_signatures(gold)
    return LayerDifference(
        extra_spans=[str(s.get("span_id")) for s in raw_spans if span_key(s) not in gold_keys],
        missing_spans=[str(s.get("span_id")) for s in gold_spans if span_key(s) not in raw_keys],
        extra_frames=_unmatched(raw_frames, gold_frames),
        missing_frames=_unmatched(gold_frames, raw_frames),
        extra_stances=_unmatched(raw_stances, gold_stances),
        missing_stances=_unmatched(gold_stances, raw_stances),
    )
