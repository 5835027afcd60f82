"""The catalogue of codes, the findings of validation and the one exception type.

A finding says what is wrong (a stable code and a message), where (file, doc_id,
span_id or other record id) and what to do about it. Codes never change meaning; new
checks get new codes. Each finding code has one golden fixture under
tests/fixtures/invalid/. `HmeimimError` carries the same three things for input the
library cannot use at all; the CLI turns it into a message and exit status 2, and
nothing else in the library prints.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    fix: str
    # "finding": reported by validation; "error": input unusable, raised as HmeimimError;
    # "notice": reported, but nothing is wrong with the input (e.g. a skipped annotation).
    kind: str = "finding"


_CATALOGUE = [
    # Files and releases
    Code("E001", "unreadable-file", "rebuild the file with `hmeimim build` or restore it from git"),
    Code("E002", "missing-file", "restore the file, or rebuild the release it belongs to"),
    Code("E003", "schema-mismatch", "rebuild the file from the sources with `hmeimim build`"),
    Code("E004", "bad-manifest", "rebuild the release so that manifest.json is written again"),
    Code("E005", "hash-mismatch", "a written release never changes: restore the file from git"),
    Code("E006", "unlisted-file", "remove the file, or add it through a new release"),
    Code("E007", "wrong-split-file", "move the document to the file of its split, or fix `split`"),
    # Unusable input and usage errors (HmeimimError, exit status 2)
    Code("E010", "unreadable-schema", "restore schema/hmeimim.yaml from git", "error"),
    Code("E011", "bad-version", "write the version as MAJOR.MINOR.PATCH, e.g. 1.0.0", "error"),
    Code("E012", "no-such-release", "pick a version listed under corpus/", "error"),
    Code("E013", "release-exists", "a written release never changes: pick a new version", "error"),
    Code(
        "E014",
        "release-schema-missing",
        "restore the release's kept inputs (corpus/inputs/v<version>/) from git",
        "error",
    ),
    Code("E015", "bad-date", "write the date as YYYY-MM-DD, e.g. 2024-12-20", "error"),
    # Documents
    Code("E101", "missing-value", "fill in the required value"),
    Code("E102", "duplicate-doc-id", "give each document its own doc_id; ids are never reused"),
    Code("E103", "text-not-nfc", "normalize the text to NFC at ingest, before annotating"),
    Code("E104", "carriage-return", "replace \\r\\n and \\r by \\n at ingest, before annotating"),
    Code("E105", "value-not-allowed", "use one of the values the schema allows"),
    Code("E106", "bad-id-format", "write the id in the format the schema gives"),
    Code("E107", "wrong-type", "give the field the type the schema declares"),
    # Spans
    Code("E201", "duplicate-span-id", "span ids are unique in the whole corpus: give a new id"),
    Code("E202", "offsets-out-of-range", "set 0 <= start < end <= len(text), in code points"),
    Code("E203", "span-text-mismatch", "make `text` equal the document text at [start:end]"),
    Code("E204", "span-whitespace", "move start/end so that the span has no outer whitespace"),
    Code("E205", "unknown-layer", "use a layer declared in schema/hmeimim.yaml"),
    Code("E206", "unknown-label", "use a label of the span's layer from schema/hmeimim.yaml"),
    Code("E207", "unknown-entity", "add the entity to the registry or fix the entity_id"),
    Code("E208", "entity-id-off-layer", "only entity-layer spans carry entity_id: clear it"),
    Code("E209", "missing-entity-id", "link the entity mention to a registry entry"),
    # Frames and stances
    Code("E301", "duplicate-relation-id", "frame and stance ids are unique in the corpus"),
    Code("E302", "dangling-reference", "point to a span (or frame) of the same document"),
    Code("E303", "endpoint-label", "point to a span with a label the schema allows in that role"),
    Code("E304", "cardinality", "give the role as many spans as the schema requires"),
    Code("E305", "kind-conflict", "make the *_kind field agree with the filled-in fields"),
    Code("E306", "parent-cycle", "nested frames must form a tree: break the cycle"),
    # Entity registry
    Code("E401", "duplicate-entity-id", "give each registry entry its own entity_id"),
    # Training views and exports (HmeimimError, exit status 2)
    Code("E501", "missing-extra", "pip install 'hmeimim-corpus[views]'", "error"),
    Code("E502", "no-tokenizer", "fix the language tag, or add spaCy support for it", "error"),
    Code("E503", "bad-view-option", "pass one of the values the view lists", "error"),
    Code("E504", "bad-output-dir", "give a folder path that is not an existing file", "error"),
    # Releases (HmeimimError, exit status 2)
    Code("E601", "bump-mismatch", "release with the bump the change needs", "error"),
    Code("E602", "nothing-to-release", "change corpus/sources before releasing", "error"),
    Code(
        "E603",
        "undeclared-schema-change",
        "raise schema_version in schema/hmeimim.yaml (major for a break)",
        "error",
    ),
    Code("E604", "bad-release-declaration", "restore corpus/release.yaml from git", "error"),
    Code("E605", "release-in-progress", "wait for the other release to finish", "error"),
    Code(
        "E606", "inputs-missing", "restore corpus/inputs/v<version>/ from git; never edit", "error"
    ),
    # Label Studio round trip. Findings name "task <id> / annotation <id> / region <id>".
    Code("E701", "unreadable-export", "export the project again as JSON (full export)", "error"),
    Code(
        "E702",
        "json-min-export",
        "JSON_MIN has no region ids and no relations: export as JSON (`hmeimim ls pull`)",
        "error",
    ),
    Code("E703", "foreign-config", "annotate with the config of `hmeimim ls config`"),
    Code("E704", "unknown-ls-label", "use a label, choice or relation of `hmeimim ls config`"),
    Code("E705", "region-offsets", "redraw the region inside the text (code points, start < end)"),
    Code("E706", "region-text-mismatch", "redraw the region; its text differs from the offsets"),
    Code("E707", "missing-region", "point the relation or per-region value at an existing region"),
    Code("E708", "not-allowed-here", "link or annotate only the labels the mapping allows"),
    Code("E709", "duplicate-region-id", "give every region of an annotation its own id"),
    Code("E710", "cancelled-annotation", "nothing to do: skipped work is not imported", "notice"),
    Code("E711", "malformed-task", "export again; tasks need data.text and data.doc_id"),
    Code("E712", "text-changed", "keep the task text of a released document unchanged"),
    Code("E713", "dropped-stance-line", "write lines as `<stance_id> <target>`", "notice"),
    Code("E714", "superseded-annotation", "nothing to do: the latest annotation wins", "notice"),
    Code("E715", "not-exportable", "give each stance or frame its own hub span", "error"),
    Code("E716", "missing-api-key", "export LABEL_STUDIO_API_KEY=<your token>", "error"),
    Code("E717", "label-studio-failed", "check the URL, the token and the project", "error"),
    Code("E718", "bad-label-value", "rename the label in schema/hmeimim.yaml", "error"),
    Code("E719", "output-exists", "give a folder that does not exist yet", "error"),
]

CODES: dict[str, Code] = {code.code: code for code in _CATALOGUE}


@dataclass(frozen=True)
class Finding:
    """One problem found by validation."""

    code: str
    message: str
    file: str | None = None
    doc_id: str | None = None
    record_id: str | None = None

    @property
    def name(self) -> str:
        return CODES[self.code].name

    @property
    def fix(self) -> str:
        return CODES[self.code].fix

    @property
    def location(self) -> str:
        parts = [self.file or "<input>"]
        if self.doc_id:
            parts.append(f"doc={self.doc_id}")
        if self.record_id:
            parts.append(f"id={self.record_id}")
        return " ".join(parts)

    def render(self) -> str:
        return f"{self.location}: {self.code} {self.name}: {self.message}\n  fix: {self.fix}"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "name": self.name, "fix": self.fix}


class HmeimimError(Exception):
    """Input the library cannot use at all (as opposed to findings in usable input)."""

    def __init__(self, code: str, location: str, message: str, fix: str) -> None:
        super().__init__(f"{code} {location}: {message}")
        self.code = code
        self.location = location
        self.message = message
        self.fix = fix

    def render(self) -> str:
        return f"{self.location}: {self.code} {self.message}\n  fix: {self.fix}"
