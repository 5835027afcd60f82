"""The corpus's records in memory, and the names every layer agrees on.

A document record is the plain dict form of one row of the documents table; an
annotator layer is one row of the per-annotator table; an entity or a claim is one row
of its registry. `CorpusRecords` carries them together, whether they were read from Parquet, from
the authoring files or from a Label Studio import. The file names of a release, the
split names and the version numbers live here so that no two modules define them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from hmeimim.errors import HmeimimError

Record = dict[str, Any]

SPLITS = ("train", "validation", "test")
# The nested columns of a document (and of an annotator layer), in schema order.
ANNOTATION_KEYS = ("spans", "attributions", "stances")
# The struct of each nested column, and the field that identifies one of its items.
NESTED_STRUCTS = {"spans": "span", "attributions": "attribution", "stances": "stance"}
NESTED_IDS = {"spans": "span_id", "attributions": "frame_id", "stances": "stance_id"}
ENTITY_LAYER = "entity"
# The share of a document's gold spans that an import or a release may remove without
# an explicit --allow-removal; removing a whole document always needs the flag.
MAX_REMOVED_SHARE = 0.5

MANIFEST = "manifest.json"
# Manifest keys that `release` adds beyond the files and counts; a rebuild keeps them.
MANIFEST_EXTRAS = ("inputs", "bump", "notes", "removals", "standoff")
ANNOTATORS_FILE = "annotators.parquet"
ENTITIES_FILE = "entities.parquet"
# The claim registry; only releases whose schema declares the `claims` table have one.
CLAIMS_FILE = "claims.parquet"
CLAIMS_TABLE = "claims"
RELEASE_DIR = re.compile(r"^v(\d+)\.(\d+)\.(\d+)$")
# A document's text in an authoring folder, and what stands in for it when the text may
# not be shared (a stand-off document: its sha256 and length, no text).
TEXT_FILE = "text.txt"
STANDOFF_FILE = "text.standoff.yaml"
# The text and the columns derived from it: never metadata (meta.yaml, a task's meta).
TEXT_COLUMNS = ("text", "text_sha256", "text_length")
# Manifest key listing the documents a release holds without their text.
STANDOFF_KEY = "standoff"


def text_fingerprint(text: str) -> tuple[str, int]:
    """The sha256 of a text's UTF-8 bytes and its length in code points: what identifies
    the text of a stand-off document."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), len(text)


def with_text(record: Record, text: str) -> Record:
    """A stand-off document, or one of its raw layers, with the text back: `text` (on a
    document) and every span's text as the slice of its offsets."""
    spans = [{**s, "text": text[s["start"] : s["end"]]} for s in record.get("spans") or []]
    filled = {**record, "spans": spans}
    if "text" in record:
        filled["text"] = text
    return filled


def with_fingerprint(doc: Record, columns: frozenset[str]) -> Record:
    """`doc` with `text_sha256` and `text_length` computed from its text, where the
    schema's documents table (`columns`) has them and the text is there."""
    text = doc.get("text")
    if not {"text_sha256", "text_length"} <= columns or not isinstance(text, str):
        return doc
    digest, length = text_fingerprint(text)
    return {**doc, "text_sha256": digest, "text_length": length}


@dataclass
class CorpusRecords:
    """Documents, raw annotator layers, the entity registry and the claim registry (empty
    where the schema has no `claims` table), as plain dicts."""

    documents: list[Record] = field(default_factory=list)
    annotator_layers: list[Record] = field(default_factory=list)
    entities: list[Record] = field(default_factory=list)
    claims: list[Record] = field(default_factory=list)


class Version(NamedTuple):
    major: int
    minor: int
    patch: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    @classmethod
    def parse(cls, text: str) -> Version:
        match = RELEASE_DIR.match(text if text.startswith("v") else f"v{text}")
        if not match:
            raise HmeimimError("E011", text)
        return cls(*(int(part) for part in match.groups()))
