"""The claim view: one row per (registered claim, frame or stance) across documents.

A frame is linked to a claim when one of its CONTENT spans carries the claim's
`claim_id`; a stance when its target is such a CONTENT span (target_kind `claim`) or
the claim_id itself (target_kind `registered_claim`). Each row gives the claim's
statement, where it occurs and what is said of it: for a frame, the text of its content
spans, its holder (the source spans' text, or `writer`/`implicit`) and source_type; for
a stance, the target span's text (if any), the holder (span text or `writer`) and the
polarity. Releases whose schema has no claim registry (1.0.0) give no rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd

from hmeimim.storage.records import iter_documents
from hmeimim.views.load import claim_registry

CLAIM_COLUMNS = (
    "claim_id",
    "statement",
    "doc_id",
    "split",
    "kind",
    "record_id",
    "text",
    "holder",
    "source_type",
    "polarity",
)
# Joins the texts of several content or source spans into one cell.
JOINER = " … "


def _frame_rows(
    document: Mapping[str, Any], by_id: Mapping[str, Any], statements: Mapping[str, str]
) -> Iterator[dict[str, Any]]:
    for frame in document.get("attributions") or []:
        contents = [by_id[c] for c in frame.get("contents") or [] if c in by_id]
        linked = dict.fromkeys(s.get("claim_id") for s in contents if s.get("claim_id"))
        sources = [by_id[s]["text"] for s in frame.get("sources") or [] if s in by_id]
        for claim_id in linked:
            yield {
                "claim_id": claim_id,
                "statement": statements.get(str(claim_id)),
                "kind": "frame",
                "record_id": frame["frame_id"],
                "text": JOINER.join(s["text"] for s in contents),
                "holder": JOINER.join(sources) if sources else frame.get("source_kind"),
                "source_type": frame.get("source_type"),
                "polarity": None,
            }


def _stance_rows(
    document: Mapping[str, Any], by_id: Mapping[str, Any], statements: Mapping[str, str]
) -> Iterator[dict[str, Any]]:
    for stance in document.get("stances") or []:
        target, kind = stance.get("target"), stance.get("target_kind")
        span = by_id.get(target) if kind == "claim" else None
        claim_id = target if kind == "registered_claim" else (span or {}).get("claim_id")
        if not claim_id:
            continue
        holder = by_id.get(stance.get("holder")) if stance.get("holder") else None
        yield {
            "claim_id": claim_id,
            "statement": statements.get(str(claim_id)),
            "kind": "stance",
            "record_id": stance["stance_id"],
            "text": span["text"] if span else None,
            "holder": holder["text"] if holder else stance.get("holder_kind"),
            "source_type": None,
            "polarity": stance.get("polarity"),
        }


def claim_rows_of(
    document: Mapping[str, Any], *, statements: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The claim-view rows of one document; `statements` maps claim_id to its statement."""
    by_id = {span["span_id"]: span for span in document.get("spans") or []}
    where = {"doc_id": document["doc_id"], "split": document.get("split")}
    rows = [*_frame_rows(document, by_id, statements), *_stance_rows(document, by_id, statements)]
    return [{name: {**row, **where}[name] for name in CLAIM_COLUMNS} for row in rows]


def iter_claims(version: str | None = None, split: str | None = None) -> Iterator[dict[str, Any]]:
    """Streaming twin of `claims`: one row (a dict) at a time, document by document."""
    registry = claim_registry(version)
    statements = dict(zip(registry["claim_id"], registry["statement"], strict=True))
    if not statements:
        return
    for document in iter_documents(version, split):
        yield from claim_rows_of(document, statements=statements)


def claims(version: str | None = None, split: str | None = None) -> pd.DataFrame:
    """One row per (claim, frame or stance) linked to the claim registry, across documents.

    Columns: claim_id, statement, doc_id, split, kind ("frame" or "stance"), record_id
    (frame_id or stance_id), text (content span texts, or the stance's target span
    text), holder, source_type (frames), polarity (stances).
    """
    rows = list(iter_claims(version, split))
    return pd.DataFrame(rows, columns=list(CLAIM_COLUMNS))
