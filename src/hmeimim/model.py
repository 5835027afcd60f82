"""The corpus's records in memory, and the names every layer agrees on.

A document record is the plain dict form of one row of the documents table; an
annotator layer is one row of the per-annotator table; an entity or a claim is one row
of its registry. `CorpusRecords` carries them together, whether they were read from Parquet, from
the authoring files or from a Label Studio import. The file names of a release, the
split names and the version numbers live here so that no two modules define them.
"""

from __future__ import annotations

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
MANIFEST_EXTRAS = ("inputs", "bump", "notes", "removals")
ANNOTATORS_FILE = "annotators.parquet"
ENTITIES_FILE = "entities.parquet"
# The claim registry; only releases whose schema declares the `claims` table have one.
CLAIMS_FILE = "claims.parquet"
CLAIMS_TABLE = "claims"
RELEASE_DIR = re.compile(r"^v(\d+)\.(\d+)\.(\d+)$")


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
