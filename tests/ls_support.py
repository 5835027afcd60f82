"""Test data for the Label Studio round trip: a constructed document and export helpers.

The constructed document has an astral emoji before its spans, Arabic with combining
marks (harakat, which NFC keeps), and three lines; `crlf_task` sends it with `\\r\\n`
line endings as a document made outside the corpus would arrive.
"""

from __future__ import annotations

import copy
import unicodedata
from typing import Any

from hmeimim.labelstudio.tasks import build_tasks
from hmeimim.storage.records import read_documents
from hmeimim.storage.releases import list_releases

# The releases in the repository, oldest first: an import's base defaults to the latest,
# and the next `release --bump minor` of a copy of the repository follows it.
RELEASES = [version for version, _ in list_releases()]
LATEST = str(RELEASES[-1])
NEXT_MINOR = f"{RELEASES[-1].major}.{RELEASES[-1].minor + 1}.0"
SEED_DOC = "2024-12-20-russia-withdrawal-syria"

DOC_ID = "ls-test-constructed"
LINES = [
    "Witnesses 👀 said Moscow left Hmeimim.",
    "قالَ الشاهدُ إنّ موسكو غادرت.",
    "Syria called the Russians occupiers.",
]
TEXT = "\n".join(LINES)
assert unicodedata.is_normalized("NFC", TEXT)
assert any(unicodedata.category(ch) == "Mn" for ch in TEXT)  # combining marks survive NFC


def _span(
    span_id: str,
    layer: str,
    label: str,
    quote: str,
    entity: str | None = None,
    metonymy: bool | None = None,
) -> dict:
    start = TEXT.index(quote)
    return {
        "span_id": span_id,
        "start": start,
        "end": start + len(quote),
        "text": quote,
        "layer": layer,
        "label": label,
        "entity_id": entity,
        "metonymy": metonymy,
        "claim_id": None,
    }


def constructed_document() -> dict[str, Any]:
    """Its gold: one frame, one stance by the writer. Offsets hand-checked in the tests."""
    return {
        "doc_id": DOC_ID,
        "text": TEXT,
        "title": None,
        "published": None,
        "language": "en",
        "outlet": None,
        "url": None,
        "author": None,
        "provenance": "constructed",
        "license": None,
        "split": "test",
        "spans": [
            _span("k-s1", "attribution", "SOURCE", "Witnesses"),
            _span("k-c1", "attribution", "CUE", "said"),
            _span("k-t1", "attribution", "CONTENT", "Moscow left Hmeimim"),
            _span("k-e1", "entity", "GPE", "Moscow", "russia", metonymy=True),
            _span("k-e2", "entity", "FAC", "Hmeimim", "hmeimim-air-base", metonymy=False),
            _span("k-e3", "entity", "GPE", "Syria", "syria", metonymy=True),
            _span("k-e4", "entity", "NORP", "Russians", "russia", metonymy=False),
            _span("k-v1", "stance", "STANCE", "occupiers"),
        ],
        "attributions": [
            {
                "frame_id": "k-a1",
                "cue": "k-c1",
                "sources": ["k-s1"],
                "contents": ["k-t1"],
                "source_kind": "explicit",
                "source_type": "witnesses",
                "parent": None,
            }
        ],
        "stances": [
            {
                "stance_id": "k-st1",
                "holder_kind": "writer",
                "holder": None,
                "target_kind": "mention",
                "target": "k-e4",
                "polarity": "against",
                "evidence": ["k-v1"],
            }
        ],
    }


def latest_documents() -> list[dict[str, Any]]:
    """The documents of the latest release, the base an import defaults to."""
    return read_documents(LATEST)


def latest_seed() -> dict[str, Any]:
    """The seed report as the latest release holds it (schema 1.1.0: metonymy flags)."""
    (seed,) = [d for d in latest_documents() if d["doc_id"] == SEED_DOC]
    return seed


def crlf_offset(text: str, offset: int) -> int:
    """The offset in the `\\r\\n` form of `text` (each earlier `\\n` gains a `\\r`)."""
    return offset + text.count("\n", 0, offset)


def to_crlf(task: dict[str, Any]) -> dict[str, Any]:
    """The task as Label Studio would hold it with `\\r\\n` text: offsets in that text."""
    out = copy.deepcopy(task)
    text = task["data"]["text"]
    out["data"]["text"] = text.replace("\n", "\r\n")
    for kind in ("predictions", "annotations"):
        for item in out.get(kind, []):
            for region in item["result"]:
                value = region.get("value")
                if value and "start" in value:
                    value["start"] = crlf_offset(text, value["start"])
                    value["end"] = crlf_offset(text, value["end"])
    return out


def constructed_task(as_: str = "predictions", crlf: bool = True) -> dict[str, Any]:
    """The constructed document as a task, metadata in data (a new document)."""
    doc = constructed_document()
    task = build_tasks([doc], version="1.0.0", as_=as_)[0]
    task["data"].update(language="en", provenance="constructed", split="test")
    return to_crlf(task) if crlf else task


def as_label_studio_export(
    tasks: list[dict[str, Any]], annotator: str = "ann@example.com"
) -> list[dict[str, Any]]:
    """Our `--as annotations` tasks as Label Studio exports them: ids and completed_by."""
    out = copy.deepcopy(tasks)
    for number, task in enumerate(out, start=1):
        task["id"] = number
        for index, annotation in enumerate(task["annotations"]):
            annotation.update(
                id=100 * number + index,
                completed_by={"id": 7, "email": annotator},
                updated_at="2025-01-01T00:00:00Z",
            )
    return out
