"""Checks on annotated document records, one document at a time.

A record is the plain dict form of one row of the documents table (or of the
per-annotator table): the same shape whether it was read from Parquet, from the
authoring files or from a Label Studio import. `CorpusChecker` keeps the little state
needed across documents (ids must be unique in the whole corpus), so validation
streams over any number of documents in one pass.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hmeimim.errors import Finding
from hmeimim.model import text_fingerprint
from hmeimim.schema.declaration import Column, Endpoint, Schema

Record = Mapping[str, Any]


@dataclass
class CorpusChecker:
    """Validates document records and remembers ids across them."""

    schema: Schema
    entity_ids: frozenset[str] | None = None
    file: str | None = None
    # The claim registry's ids; None: claim links are not checked.
    claim_ids: frozenset[str] | None = None
    seen_docs: dict[str, str] = field(default_factory=dict)
    seen_spans: dict[str, str] = field(default_factory=dict)
    seen_relations: dict[str, str] = field(default_factory=dict)
    # Document texts by doc_id, so raw annotator layers (which hold no text) get offset checks.
    texts: dict[str, str] = field(default_factory=dict)
    # Text lengths of stand-off documents (no text), for the offset checks of their layers.
    lengths: dict[str, int] = field(default_factory=dict)

    def check_documents(self, records: Iterable[Record], table: str = "documents") -> list[Finding]:
        findings: list[Finding] = []
        for record in records:
            findings.extend(self.check_document(record, table=table))
        return findings

    def check_document(self, record: Record, table: str = "documents") -> list[Finding]:
        doc_id = record.get("doc_id")
        out = _DocumentCheck(self, record, doc_id if isinstance(doc_id, str) else None)
        out.run(table)
        return out.findings

    def check_layers(self, layers: Iterable[Record]) -> list[Finding]:
        """Annotator layers: every check, and that each names a document checked before."""
        findings: list[Finding] = []
        for layer in layers:
            findings.extend(self.check_document(layer, table="annotator_layers"))
            doc_id, annotator = layer.get("doc_id"), layer.get("annotator")
            if isinstance(doc_id, str) and doc_id not in self.seen_docs:
                findings.append(
                    Finding.of(
                        "E302",
                        file=self.file,
                        doc_id=doc_id,
                        record_id=annotator if isinstance(annotator, str) else None,
                        field="doc_id",
                        kind="document",
                        target=doc_id,
                        scope="the corpus",
                    )
                )
        return findings

    def check_row(self, row: Record, table: str, record_id: Any) -> list[Finding]:
        """Column checks only (types, nulls, enums, id formats), e.g. for registry rows."""
        out = _DocumentCheck(self, row, None)
        out.check_columns(row, self.schema.tables[table], record_id)
        return out.findings


class _DocumentCheck:
    def __init__(self, corpus: CorpusChecker, record: Record, doc_id: str | None) -> None:
        self.corpus = corpus
        self.schema = corpus.schema
        self.record = record
        self.doc_id = doc_id
        self.findings: list[Finding] = []
        self.spans: dict[str, Record] = {}
        self.relation_ids: set[str] = set()
        # Raw annotator layers legitimately repeat the gold ids; there, ids are per row.
        self.corpus_wide_ids = True

    def add(self, code: str, record_id: str | None = None, /, **params: Any) -> None:
        self.findings.append(
            Finding.of(
                code, file=self.corpus.file, doc_id=self.doc_id, record_id=record_id, **params
            )
        )

    def run(self, table: str) -> None:
        self.corpus_wide_ids = table == "documents"
        self.check_columns(self.record, self.schema.tables[table], None)
        if table == "documents":
            self.check_document_fields()
        text = self.record.get("text")
        length: int | None = None
        if table == "documents":
            length = self.check_fingerprint(text)
            if not isinstance(text, str) and length is None:
                return
            if self.doc_id is not None and isinstance(text, str):
                self.corpus.texts.setdefault(self.doc_id, text)
            elif self.doc_id is not None and length is not None:
                self.corpus.lengths.setdefault(self.doc_id, length)
        elif self.doc_id is not None:
            text = self.corpus.texts.get(self.doc_id)
            length = self.corpus.lengths.get(self.doc_id)
        for span in self.record.get("spans") or []:
            self.check_columns(span, self.schema.structs["span"], span.get("span_id"))
            self.check_span(span, text if isinstance(text, str) else None, table, length)
        frames = self.record.get("attributions") or []
        frame_ids = {f.get("frame_id") for f in frames}
        for frame in frames:
            self.check_columns(frame, self.schema.structs["attribution"], frame.get("frame_id"))
            self.check_attribution(frame, frame_ids)
        self.check_parent_cycles(frames)
        for stance in self.record.get("stances") or []:
            self.check_columns(stance, self.schema.structs["stance"], stance.get("stance_id"))
            self.check_stance(stance)

    # -- generic column checks ------------------------------------------------------------

    def check_columns(self, row: Record, columns: tuple[Column, ...], record_id: Any) -> None:
        rid = record_id if isinstance(record_id, str) else None
        for column in columns:
            value = row.get(column.name)
            if value is None:
                if column.required:
                    self.add("E101", rid, field=column.name)
                continue
            # Layers and labels get their own codes (E205, E206) in check_span.
            generic_enum = column.enum and column.enum not in ("layers", "labels")
            if generic_enum and value not in self.schema.enum_values(str(column.enum)):
                allowed = ", ".join(self.schema.enum_values(str(column.enum)))
                self.add("E105", rid, field=column.name, value=value, allowed=allowed)
            if column.pattern and isinstance(value, str):
                pattern = self.schema.id_patterns[column.pattern]
                if not re.fullmatch(pattern, value):
                    self.add("E106", rid, field=column.name, value=value, pattern=pattern)

    def check_document_fields(self) -> None:
        doc_id = self.doc_id
        if doc_id is not None:
            first = self.corpus.seen_docs.get(doc_id)
            if first is not None:
                self.add("E102", first=first)
            else:
                self.corpus.seen_docs[doc_id] = self.corpus.file or "<input>"
        self.check_split_rule()
        text = self.record.get("text")
        if isinstance(text, str):
            if "\r" in text:
                self.add("E104", offset=text.index("\r"))
            if not unicodedata.is_normalized("NFC", text):
                self.add("E103")

    def check_fingerprint(self, text: Any) -> int | None:
        """E318 when `text_sha256` or `text_length` disagree with the text (schemas with
        those columns). Returns the length of a stand-off document's text (text null, a
        valid length), against which its offsets are checked; else None."""
        if not {"text_sha256", "text_length"} <= self.schema.column_names("documents"):
            return None
        digest, length = self.record.get("text_sha256"), self.record.get("text_length")
        if isinstance(text, str):
            actual_digest, actual_length = text_fingerprint(text)
            if isinstance(digest, str) and digest != actual_digest:
                self.add("E318", field="text_sha256", given=digest, actual=actual_digest)
            if isinstance(length, int) and length != actual_length:
                self.add("E318", field="text_length", given=length, actual=actual_length)
            return None
        if isinstance(length, int) and not isinstance(length, bool) and length >= 0:
            return length
        return None

    def check_split_rule(self) -> None:
        """E317 when the document's split is not the one its perspective decides."""
        schema = self.schema
        if schema.split_by is None:
            return
        value, split = self.record.get(schema.split_by), self.record.get("split")
        wanted = schema.split_of.get(value) if isinstance(value, str) else None
        if wanted is not None and split != wanted:
            self.add("E317", field=schema.split_by, value=value, split=split, wanted=wanted)

    # -- spans ------------------------------------------------------------------------------

    def check_span(
        self, span: Record, text: str | None, table: str, length: int | None = None
    ) -> None:
        span_id = span.get("span_id")
        if not isinstance(span_id, str):
            return
        if span_id in self.spans:
            self.add("E201", span_id, span_id=span_id, document=self.doc_id)
        elif self.corpus_wide_ids:
            seen_in = self.corpus.seen_spans.setdefault(span_id, str(self.doc_id))
            if seen_in != self.doc_id:
                self.add("E201", span_id, span_id=span_id, document=seen_in)
        self.spans[span_id] = span
        layer, label = span.get("layer"), span.get("label")
        if layer is not None and layer not in self.schema.layers:
            self.add("E205", span_id, layer=layer)
        elif layer is not None and label is not None:
            allowed = self.schema.layers[layer].label_names
            if label not in allowed:
                self.add("E206", span_id, label=label, layer=layer, allowed=", ".join(allowed))
        self.check_entity_link(span, span_id)
        self.check_metonymy(span, span_id)
        self.check_claim_link(span, span_id)
        if text is not None:
            self.check_offsets(span, span_id, text)
        elif length is not None:
            self.check_standoff_offsets(span, span_id, length)

    def check_entity_link(self, span: Record, span_id: str) -> None:
        entity_id = span.get("entity_id")
        if span.get("layer") != "entity":
            if entity_id is not None:
                self.add("E208", span_id, layer=span.get("layer"), entity_id=entity_id)
            return
        if self.schema.is_value_label(span.get("label")):
            if entity_id is not None:
                self.add("E310", span_id, label=span.get("label"), entity_id=entity_id)
            return
        known = self.corpus.entity_ids
        if entity_id is None:
            if known is not None:
                self.add("E209", span_id)
        elif known is not None and entity_id not in known:
            self.add("E207", span_id, field="entity_id", entity_id=entity_id)

    def check_metonymy(self, span: Record, span_id: str) -> None:
        """Name mentions say true or false; value mentions and other layers say nothing
        (schemas with a `metonymy` span field only)."""
        if not self.schema.has_column("span", "metonymy"):
            return
        layer, value = span.get("layer"), span.get("metonymy")
        declared = self.schema.layers.get(layer) if isinstance(layer, str) else None
        if declared is None or span.get("label") not in declared.label_names:
            return  # E205 or E206 says what is wrong with the span
        is_name = layer == "entity" and not self.schema.is_value_label(span.get("label"))
        if is_name and value is None:
            self.add("E312", span_id, label=span.get("label"))
        elif not is_name and value is not None:
            what = "value mention" if span.get("layer") == "entity" else str(span.get("layer"))
            self.add("E311", span_id, what=what, value=value)

    def check_claim_link(self, span: Record, span_id: str) -> None:
        """Only CONTENT spans link to the claim registry, and only to claims it holds."""
        claim_id = span.get("claim_id")
        if claim_id is None:
            return
        layer, label = span.get("layer"), span.get("label")
        if (layer, label) != ("attribution", "CONTENT"):
            self.add("E313", span_id, layer=layer, label=label, claim_id=claim_id)
        elif self.corpus.claim_ids is not None and claim_id not in self.corpus.claim_ids:
            self.add("E314", span_id, field="claim_id", claim_id=claim_id)

    def check_offsets(self, span: Record, span_id: str, text: str) -> None:
        start, end, quoted = span.get("start"), span.get("end"), span.get("text")
        for name, value in (("start", start), ("end", end)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                # Arrow would store 99999.0 as 99999 and 1.5 as 1: an offset is a whole number.
                reason = f"{value!r} is a {type(value).__name__}, not an integer"
                self.add("E107", span_id, field=f"spans/{span_id}/{name}", reason=reason)
        if not isinstance(start, int) or not isinstance(end, int):
            return
        if not 0 <= start < end <= len(text):
            self.add("E202", span_id, start=start, end=end, length=len(text))
            return
        actual = text[start:end]
        # Where span text is required (schemas before 1.2.0), E101 has said so already.
        optional = any(c.name == "text" and not c.required for c in self.schema.structs["span"])
        if quoted is None and optional:
            self.add("E320", span_id, actual=actual)
        if quoted is not None and quoted != actual:
            self.add("E203", span_id, quoted=quoted, start=start, end=end, actual=actual)
        if actual != actual.strip():
            self.add("E204", span_id, text=actual)

    def check_standoff_offsets(self, span: Record, span_id: str, length: int) -> None:
        """A stand-off document's spans: offsets within its text's length, and no text."""
        start, end, quoted = span.get("start"), span.get("end"), span.get("text")
        if quoted is not None:
            self.add("E319", span_id, quoted=quoted)
        if isinstance(start, int) and isinstance(end, int) and not 0 <= start < end <= length:
            self.add("E202", span_id, start=start, end=end, length=length)

    # -- frames and stances -----------------------------------------------------------------

    def claim_id(self, kind: str, relation_id: Any) -> str | None:
        """Register a frame or stance id; ids are unique per document and corpus-wide."""
        if not isinstance(relation_id, str):
            return None
        key = f"{kind}:{relation_id}"
        if key in self.relation_ids:
            self.add("E301", relation_id, kind=kind, relation_id=relation_id, document=self.doc_id)
        elif self.corpus_wide_ids:
            seen_in = self.corpus.seen_relations.setdefault(key, str(self.doc_id))
            if seen_in != self.doc_id:
                self.add("E301", relation_id, kind=kind, relation_id=relation_id, document=seen_in)
        self.relation_ids.add(key)
        return relation_id

    def check_role(self, rid: str, role: str, ids: list[Any], endpoint: Endpoint) -> None:
        count = len(ids)
        if count < endpoint.min or (endpoint.max is not None and count > endpoint.max):
            upper = "n" if endpoint.max is None else str(endpoint.max)
            self.add("E304", rid, role=role, count=count, min=endpoint.min, max=upper)
        for span_id in ids:
            self.check_endpoint(rid, role, span_id, endpoint)

    def check_endpoint(self, rid: str, role: str, span_id: Any, endpoint: Endpoint) -> None:
        span = self.spans.get(span_id) if isinstance(span_id, str) else None
        if span is None:
            self.add("E302", rid, field=role, kind="span", target=span_id, scope="this document")
            return
        if span.get("layer") not in endpoint.layers or span.get("label") not in endpoint.labels:
            self.add(
                "E303",
                rid,
                role=role,
                layer=span.get("layer"),
                label=span.get("label"),
                span_id=span_id,
                allowed=", ".join(endpoint.labels),
            )

    def check_attribution(self, frame: Record, frame_ids: set[Any]) -> None:
        rid = self.claim_id("frame", frame.get("frame_id"))
        if rid is None:
            return
        roles = self.schema.frames["attribution"]
        cue = frame.get("cue")
        self.check_role(rid, "cue", [cue] if cue is not None else [], roles["cue"])
        sources = list(frame.get("sources") or [])
        self.check_role(rid, "sources", sources, roles["sources"])
        self.check_role(rid, "contents", list(frame.get("contents") or []), roles["contents"])
        kind = frame.get("source_kind")
        conflict = {"kind_field": "source_kind", "kind": kind}
        if kind == "explicit" and not sources:
            self.add("E305", rid, **conflict, field="sources", state="empty")
        if kind in ("writer", "implicit") and sources:
            self.add("E305", rid, **conflict, field="sources", state="not empty")
        if kind == "explicit" and frame.get("source_type") is None:
            self.add("E305", rid, **conflict, field="source_type", state="null")
        parent = frame.get("parent")
        if parent is not None and parent not in frame_ids:
            self.add(
                "E302", rid, field="parent", kind="frame", target=parent, scope="this document"
            )

    def check_parent_cycles(self, frames: list[Record]) -> None:
        parents = {f.get("frame_id"): f.get("parent") for f in frames}
        for start in parents:
            seen = {start}
            node = parents.get(start)
            while node is not None and node in parents:
                if node in seen:
                    self.add("E306", start, frame_id=start)
                    break
                seen.add(node)
                node = parents.get(node)

    def check_stance(self, stance: Record) -> None:
        rid = self.claim_id("stance", stance.get("stance_id"))
        if rid is None:
            return
        roles = self.schema.frames["stance"]
        holder, holder_kind = stance.get("holder"), stance.get("holder_kind")
        conflict = {"kind_field": "holder_kind", "kind": holder_kind, "field": "holder"}
        if holder_kind == "writer" and holder is not None:
            self.add("E305", rid, **conflict, state="not null")
        elif holder_kind == "span":
            if holder is None:
                self.add("E305", rid, **conflict, state="null")
            else:
                self.check_endpoint(rid, "holder", holder, roles["holder"])
        self.check_role(rid, "evidence", list(stance.get("evidence") or []), roles["evidence"])
        target, kind = stance.get("target"), stance.get("target_kind")
        if target is None:
            return
        if kind == "mention":
            self.check_endpoint(rid, "target", target, roles["target_mention"])
        elif kind == "claim":
            self.check_endpoint(rid, "target", target, roles["target_claim"])
        elif (
            kind == "entity"
            and self.corpus.entity_ids is not None
            and target not in self.corpus.entity_ids
        ):
            self.add("E207", rid, field="target", entity_id=target)
        elif (
            kind == "registered_claim"
            and self.corpus.claim_ids is not None
            and target not in self.corpus.claim_ids
        ):
            self.add("E314", rid, field="target", claim_id=target)
