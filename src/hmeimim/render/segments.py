"""Cutting a text at every span boundary, so that overlapping and nested spans render.

A segment is a maximal run of code points covered by the same set of spans; a span is
then the contiguous run of segments that carry its id. Spans whose offsets do not fit
the text are left out here and reported by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    # Ids of the spans covering the segment, in the order the spans were given.
    ids: tuple[str, ...]
    # Ids of the spans that begin and that end exactly at this segment.
    starting: tuple[str, ...] = ()
    ending: tuple[str, ...] = ()


def fits(start: object, end: object, length: int) -> bool:
    """Whether [start, end) is a non-empty range inside a text of `length` code points."""
    return (
        isinstance(start, int)
        and isinstance(end, int)
        and not isinstance(start, bool)
        and not isinstance(end, bool)
        and 0 <= start < end <= length
    )


def segment(length: int, spans: Iterable[tuple[str, int, int]]) -> list[Segment]:
    """The segments of a text of `length` code points under `spans` (id, start, end).

    Every code point belongs to exactly one segment, so the segments' texts joined give
    the text back; uncovered stretches are segments with no ids.
    """
    ranges = [(sid, start, end) for sid, start, end in spans if fits(start, end, length)]
    cuts = sorted({0, length, *(s for _, s, _ in ranges), *(e for _, _, e in ranges)})
    opening: dict[int, list[str]] = {}
    closing: dict[int, list[str]] = {}
    for sid, start, end in ranges:
        opening.setdefault(start, []).append(sid)
        closing.setdefault(end, []).append(sid)
    order = {sid: index for index, (sid, _, _) in enumerate(ranges)}
    active: set[str] = set()
    out: list[Segment] = []
    for left, right in pairwise(cuts):
        active.difference_update(closing.get(left, ()))
        active.update(opening.get(left, ()))
        ids = tuple(sorted(active, key=order.__getitem__))
        out.append(
            Segment(
                left,
                right,
                ids,
                tuple(opening.get(left, ())),
                tuple(sid for sid in ids if sid in set(closing.get(right, ()))),
            )
        )
    return out
