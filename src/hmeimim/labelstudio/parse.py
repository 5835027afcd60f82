"""Reading a Label Studio JSON export back into spans, frames and stances.

`read_export(path)` parses the full JSON export (a list of tasks; a snapshot export of
`hmeimim ls pull` is the same shape) into one record per task and annotation, using the
mapping of `ls_config` in reverse (see docs/labelstudio.md). It never trusts Label
Studio for anything it can check:

- offsets index the task's `data.text` in code points; a region's `value.text` is only
  compared with the slice (E706), never used;
- every task text is brought into the stored form (`\\n` line endings, then NFC; see
  `boundary.normalize_text`) and every offset is mapped through it; a region boundary
  inside a sequence that NFC merges is E730;
- unknown controls (E703), labels, choices and relation types (E704), offsets (E705),
  relations or per-region values on missing regions (E707) or on labels the mapping does
  not allow there (E708), duplicate region ids (E709), a region with labels of two
  layers (E729) and malformed tasks (E711) are findings located as
  `task <id> / annotation <id> / region <id>`.

Nothing read from the export reaches a message unescaped: ids and values are shown
through `boundary.ident` and `boundary.shown`, so that numbers of any length, lists where
strings belong and lone surrogates are reported, never raised.

Cancelled annotations are skipped (notice E710); of several annotations by one
annotator on one task the most recently updated wins (notice E714).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hmeimim.errors import Finding, HmeimimError
from hmeimim.labelstudio.boundary import (
    JSON_DECODER,
    LongNumber,
    TextMap,
    ident,
    load_json,
    normalize_text,
    printable,
    printable_finding,
    shown,
)
from hmeimim.labelstudio.mapping import TEXT_CONTROL, LabelKey, LsMapping, ls_mapping
from hmeimim.labelstudio.tasks import CLAIM_TARGET, ENTITY_TARGET
from hmeimim.progress import counted
from hmeimim.schema.declaration import Schema, load_schema

_WS = re.compile(r"\s+")
_JSON_MIN_KEYS = {"annotator", "annotation_id"}
# Span fields read from per-region controls besides entity_id (schema 1.1.0 on): a name
# mention's `metonymy` Choices ("true"/"false") and a CONTENT region's `claim_id`.
_SPAN_FIELDS = ("metonymy", "claim_id")
# No Label Studio user id comes near this; a larger number is not a user id.
_MAX_USER_ID = 10**30


@dataclass
class ParsedAnnotation:
    task_id: str
    annotation_id: str
    annotator: str
    ground_truth: bool
    updated_at: str
    record: dict[str, Any]

    @property
    def where(self) -> str:
        return f"task {self.task_id} / annotation {self.annotation_id}"


@dataclass
class ParsedTask:
    task_id: str
    doc_id: str
    text: str
    raw_text: str
    data: dict[str, Any]
    meta: dict[str, Any]
    annotations: list[ParsedAnnotation] = field(default_factory=list)


@dataclass
class ParsedExport:
    file: str
    tasks: list[ParsedTask] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notices: list[Finding] = field(default_factory=list)

    def by_annotator(self) -> dict[str, dict[str, dict[str, Any]]]:
        """doc_id -> annotator -> record (spans, attributions, stances)."""
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for task in self.tasks:
            for ann in task.annotations:
                out.setdefault(task.doc_id, {})[ann.annotator] = ann.record
        return out


# -- reading the JSON ---------------------------------------------------------------------


def load_export_json(path: Path) -> list[Any]:
    """The task list of an export file; E701 for anything but a JSON list, E702 for JSON_MIN."""
    try:
        data = load_json(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise HmeimimError("E002", str(path), expected="file") from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        raise HmeimimError("E701", str(path), reason=printable(str(error))) from None
    return check_export_shape(data, str(path))


class _NotStreamable(Exception):
    """The export is not a well-formed JSON list of tasks: read it whole to say why."""


_CHUNK = 1 << 20
_JSON_SPACE = " \t\n\r"


def _streamed_tasks(path: Path) -> Iterator[Any]:
    """The items of the JSON list in `path`, decoded one at a time from a window of the
    file, so that the raw export (hundreds of megabytes for ten thousand tasks) is never
    in memory whole. Raises `_NotStreamable` on anything but a well-formed list whose
    first object is no JSON_MIN row: `load_export_json` then reads the file whole and
    reports the problem exactly as it always has."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as file:
        window, at, eof = "", 0, False

        def more() -> None:
            nonlocal window, at, eof
            # At least as much again as the window holds: a task cut off by the window,
            # or a malformed one, costs a linear number of decoding attempts.
            chunk = file.read(max(_CHUNK, len(window) - at))
            eof = not chunk
            try:
                window = window[at:] + decoder.decode(chunk, final=eof)
            except UnicodeDecodeError:
                raise _NotStreamable from None
            at = 0

        def next_char() -> str:
            """The next character that is not JSON whitespace ("" at the end)."""
            nonlocal at
            while True:
                while at < len(window) and window[at] in _JSON_SPACE:
                    at += 1
                if at < len(window) or eof:
                    return window[at : at + 1]
                more()

        more()
        if next_char() != "[":
            raise _NotStreamable
        at += 1
        if next_char() == "]":
            at += 1
        else:
            shape_checked = False
            while True:
                try:
                    item, end = JSON_DECODER.raw_decode(window, at)
                except (json.JSONDecodeError, RecursionError):
                    item, end = None, -1
                if end < 0 or (end == len(window) and not eof):
                    # Cut off by the window (a number may go on): decode again with more.
                    if eof:
                        raise _NotStreamable
                    more()
                    continue
                at = end
                if not shape_checked and isinstance(item, dict):
                    shape_checked = True
                    check_export_shape([item], str(path))
                yield item
                sign = next_char()
                at += 1
                if sign == "]":
                    break
                if sign != "," or next_char() in ("]", ""):
                    raise _NotStreamable
        if next_char() != "":
            raise _NotStreamable


def check_export_shape(data: Any, file: str) -> list[Any]:
    if not isinstance(data, list):
        raise HmeimimError("E701", file, reason=_kind(data))
    first = next((t for t in data if isinstance(t, dict)), None)
    if (
        first is not None
        and _JSON_MIN_KEYS & set(first)
        and not {"annotations", "data"} & set(first)
    ):
        raise HmeimimError("E702", file)
    return data


# -- one annotation -----------------------------------------------------------------------


def _squash(text: str) -> str:
    """Label Studio's lossy `value.text`: literal `\\n`, collapsed whitespace."""
    return _WS.sub(" ", text.replace("\\n", "\n")).strip()


def _kind(value: Any) -> str:
    """What a malformed value is (E701, E711): its JSON type; null, true and false as such."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    names = {str: "a string", list: "a list", dict: "an object", int: "a number", float: "a number"}
    names[LongNumber] = "a number"
    return names.get(type(value), printable(type(value).__name__))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _lines(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, str):
            out += [line.strip() for line in item.splitlines() if line.strip()]
    return out


def _first(values: list[str] | None) -> str | None:
    return values[0] if values else None


def _text_order(spans: Mapping[str, Mapping[str, Any]], ids: Iterable[str]) -> list[str]:
    unique = list(dict.fromkeys(ids))
    return sorted(unique, key=lambda i: (spans[i]["start"], spans[i]["end"], i))


class _AnnotationReader:
    """Turns one Label Studio result list into a record, or findings."""

    def __init__(
        self,
        mapping: LsMapping,
        *,
        file: str,
        doc_id: str | None,
        where: str,
        text: TextMap,
    ) -> None:
        self.mapping = mapping
        self.file = file
        self.doc_id = doc_id
        self.where = where
        self.raw_text = text.raw
        self.text = text.text
        self.textmap = text
        self.findings: list[Finding] = []
        self.notices: list[Finding] = []
        self.spans: dict[str, dict[str, Any]] = {}
        self.keys: dict[str, LabelKey] = {}
        self.values: dict[tuple[str, str], list[str]] = {}
        self.relations: list[tuple[str, str, str, str]] = []  # (type, from, to, region id)
        # The layer of the first labels result of each region id, valid or not.
        self.layer_of: dict[str, str] = {}
        # Regions already reported: what points at them is not reported again.
        self.rejected: set[str] = set()

    def add(self, code: str, region: Any = None, /, **params: Any) -> None:
        rid = self.where + (f" / region {ident(region)}" if region is not None else "")
        self.findings.append(
            Finding.of(code, file=self.file, doc_id=self.doc_id, record_id=rid, **params)
        )

    def read(self, result: Any) -> dict[str, Any] | None:
        if not isinstance(result, list):
            self.add("E711", key="result", expected="a list", found=_kind(result))
            return None
        deferred = []
        for index, item in enumerate(result):
            if not isinstance(item, dict):
                self.add(
                    "E711",
                    f"#{index}",
                    key=f"result[{index}]",
                    expected="an object",
                    found=_kind(item),
                )
            elif item.get("type") == "relation":
                self.read_relation(item, index)
            else:
                kind = self.check_control(item, index)
                if kind == "labels":
                    self.read_labels(item)
                elif kind is not None:
                    deferred.append((item, kind))
        for item, kind in deferred:
            self.read_value(item, kind)
        self.check_relations()
        if self.findings:
            return None
        return self.build()

    def check_control(self, item: dict[str, Any], index: int) -> str | None:
        region = item.get("id", f"#{index}")
        from_name, to_name, kind = item.get("from_name"), item.get("to_name"), item.get("type")
        expected = self.mapping.control_kind(from_name) if isinstance(from_name, str) else None
        if expected is None or to_name != TEXT_CONTROL or kind != expected:
            self.add(
                "E703",
                region,
                from_name=shown(from_name),
                to_name=shown(to_name),
                result_type=shown(kind),
            )
            return None
        if not isinstance(item.get("id"), str) or not item["id"]:
            self.add(
                "E711", region, key="id", expected="a non-empty string", found=_kind(item.get("id"))
            )
            return None
        if not isinstance(item.get("value"), dict):
            self.add(
                "E711", region, key="value", expected="an object", found=_kind(item.get("value"))
            )
            return None
        return expected

    def read_labels(self, item: dict[str, Any]) -> None:
        region, layer = item["id"], item["from_name"]
        count = len(self.findings)
        first = self.layer_of.get(region)
        if first is None:
            self.layer_of[region] = layer
            span = self.read_region(item)
            if span is not None:
                self.keys[region] = (layer, span["label"])
                self.spans[region] = span
        elif first == layer:
            self.add("E709", region, region=shown(region), control=layer)
        else:
            # One region, labels of two Labels controls: the editor shows one region.
            self.add("E729", region, region=shown(region), layers=f"{first}, {layer}")
            self.read_region(item)  # its own problems are reported too; nothing is kept
        if len(self.findings) > count:
            self.rejected.add(region)

    def map_offset(self, region: str, offset: int) -> int | None:
        """The offset in the stored text, or None after reporting E730."""
        mapped = self.textmap.positions[offset]
        if mapped is None:
            sequence, merged = self.textmap.merged_at(offset)
            self.add(
                "E730",
                region,
                offset=offset,
                sequence=_code_points(sequence),
                merged=_code_points(merged),
            )
        return mapped

    def read_region(self, item: dict[str, Any]) -> dict[str, Any] | None:
        """The span of one labels result, or None after reporting why not."""
        region, layer, value = item["id"], item["from_name"], item["value"]
        labels = value.get("labels")
        if not isinstance(labels, list) or len(labels) != 1 or not isinstance(labels[0], str):
            self.add(
                "E711",
                region,
                key="value.labels",
                expected="a list of one label",
                found=shown(labels),
            )
            return None
        label = labels[0]
        if label not in self.mapping.layers[layer]:
            allowed = ", ".join(self.mapping.layers[layer])
            self.add("E704", region, control=layer, value=shown(label), allowed=allowed)
            return None
        start, end = value.get("start"), value.get("end")
        if not (_is_int(start) and _is_int(end) and 0 <= start < end <= len(self.raw_text)):
            self.add("E705", region, start=shown(start), end=shown(end), length=len(self.raw_text))
            return None
        quoted = value.get("text")
        actual = self.raw_text[start:end]
        if quoted is not None and (
            not isinstance(quoted, str) or _squash(quoted) != _squash(actual)
        ):
            self.add("E706", region, quoted=shown(quoted), start=start, end=end, actual=actual)
            return None
        if self.textmap.changed:
            mapped_start = self.map_offset(region, start)
            mapped_end = self.map_offset(region, end)
            if mapped_start is None or mapped_end is None:
                return None
            start, end = mapped_start, mapped_end
            if start >= end:
                # The region covers only a line break, which `\r\n` -> `\n` leaves empty.
                self.add("E705", region, start=start, end=end, length=len(self.text))
                return None
        return {
            "span_id": region,
            "start": start,
            "end": end,
            "text": self.text[start:end],
            "layer": layer,
            "label": label,
            "entity_id": None,
            # Span fields of schema 1.1.0, where the config has their controls.
            **{name: None for name in _SPAN_FIELDS if name in self.mapping.fields},
        }

    def read_value(self, item: dict[str, Any], kind: str) -> None:
        region, name, value = item["id"], item["from_name"], item["value"]
        spec = self.mapping.fields[name]
        if region in self.rejected:
            return
        if region not in self.keys:
            self.add("E707", region, kind="value", name=name, regions=ident(region))
            return
        if self.keys[region] not in spec.labels:
            self.add("E708", region, kind="value", name=name, labels="/".join(self.keys[region]))
            return
        if (region, name) in self.values:
            self.add("E709", region, region=shown(region), control=name)
            return
        if kind == "choices":
            choices = value.get("choices")
            if not isinstance(choices, list) or len(choices) != 1:
                self.add(
                    "E711",
                    region,
                    key="value.choices",
                    expected="a list of one choice",
                    found=shown(choices),
                )
                return
            if not isinstance(choices[0], str) or choices[0] not in spec.choices:
                allowed = ", ".join(spec.choices)
                self.add("E704", region, control=name, value=shown(choices[0]), allowed=allowed)
                return
            self.values[(region, name)] = [choices[0]]
        else:
            self.values[(region, name)] = _lines(value.get("text"))

    def read_relation(self, item: dict[str, Any], index: int) -> None:
        from_id, to_id = item.get("from_id"), item.get("to_id")
        where = f"relation {ident(from_id)}->{ident(to_id)}"
        labels = item.get("labels")
        if not isinstance(from_id, str) or not isinstance(to_id, str):
            self.add(
                "E711",
                where,
                key=f"result[{index}].from_id/to_id",
                expected="two strings",
                found=f"{shown(from_id)!r}/{shown(to_id)!r}",
            )
            return
        allowed = ", ".join(self.mapping.relations)
        if not isinstance(labels, list) or not labels:
            self.add("E704", where, control="relation", value=shown(labels), allowed=allowed)
            return
        if item.get("direction") == "left":
            from_id, to_id = to_id, from_id
        for label in labels:
            if not isinstance(label, str) or label not in self.mapping.relations:
                self.add("E704", where, control="relation", value=shown(label), allowed=allowed)
            else:
                self.relations.append((label, from_id, to_id, where))

    def check_relations(self) -> None:
        for name, from_id, to_id, where in self.relations:
            if from_id in self.rejected or to_id in self.rejected:
                continue
            missing = [r for r in (from_id, to_id) if r not in self.keys]
            if missing:
                regions = ", ".join(ident(r) for r in missing)
                self.add("E707", where, kind="relation", name=name, regions=regions)
                continue
            spec = self.mapping.relations[name]
            if self.keys[from_id] not in spec.sources or self.keys[to_id] not in spec.targets:
                a, b = "/".join(self.keys[from_id]), "/".join(self.keys[to_id])
                self.add("E708", where, kind="relation", name=name, labels=f"{a} -> {b}")

    # -- records ------------------------------------------------------------------------

    def out(self, name: str, hub: str) -> list[str]:
        return [t for n, f, t, _ in self.relations if n == name and f == hub]

    def build(self) -> dict[str, Any]:
        for (region, name), lines in self.values.items():
            if name in ("entity_id", "claim_id") and lines:
                self.spans[region][name] = lines[0] if len(lines) == 1 else "\n".join(lines)
            elif name == "metonymy" and lines:
                self.spans[region]["metonymy"] = lines[0] == "true"
        spans = self.spans
        # Frame ids and stance ids are separate namespaces (as validation checks them).
        frames = self.build_frames(set())
        stances = self.build_stances(set())
        return {"spans": list(spans.values()), "attributions": frames, "stances": stances}

    def is_hub(self, region: str, fields: tuple[str, ...], relations: tuple[str, ...]) -> bool:
        return any((region, f) in self.values for f in fields) or any(
            n in relations and f == region for n, f, _, _ in self.relations
        )

    def build_frames(self, used: set[str]) -> list[dict[str, Any]]:
        fields = ("frame_id", "source_kind", "source_type")
        cues = [
            r
            for r, key in self.keys.items()
            if key in self.mapping.cue_labels
            and self.is_hub(r, fields, ("source", "content", "parent"))
        ]
        frame_of: dict[str, str] = {}
        for cue in cues:
            given = self.values.get((cue, "frame_id")) or []
            frame_of[cue] = given[0] if given else f"{cue}-f"
            used.add(frame_of[cue])
        frames = []
        for cue in cues:
            sources = _text_order(self.spans, self.out("source", cue))
            kind = _first(self.values.get((cue, "source_kind")))
            parents = self.out("parent", cue)
            if len(parents) > 1:
                self.add("E304", cue, role="parent", count=len(parents), min=0, max=1)
            parent = frame_of.get(parents[0], f"{parents[0]}-f") if parents else None
            frames.append(
                {
                    "frame_id": frame_of[cue],
                    "cue": cue,
                    "sources": sources,
                    "contents": _text_order(self.spans, self.out("content", cue)),
                    "source_kind": kind if kind is not None else ("explicit" if sources else None),
                    "source_type": _first(self.values.get((cue, "source_type"))),
                    "parent": parent,
                }
            )
        return frames

    def build_stances(self, used: set[str]) -> list[dict[str, Any]]:
        fields = ("polarity", "stance_id", "target_entity", "target_claim")
        hubs = [
            r
            for r, key in self.keys.items()
            if key in self.mapping.hub_labels
            and self.is_hub(r, fields, ("holder", "target", "evidence"))
        ]
        stances = []
        for hub in hubs:
            holders = self.out("holder", hub)
            if len(holders) > 1:
                self.add("E304", hub, role="holder", count=len(holders), min=0, max=1)
            evidence = [
                hub,
                *(e for e in _text_order(self.spans, self.out("evidence", hub)) if e != hub),
            ]
            polarity = _first(self.values.get((hub, "polarity")))
            targets: dict[str, tuple[str | None, str | None]] = {}  # key -> (kind, target)
            for span_id in self.out("target", hub):
                kind = "claim" if self.keys[span_id] in self.mapping.claim_labels else "mention"
                targets.setdefault(span_id, (kind, span_id))
            for entity in self.values.get((hub, "target_entity")) or []:
                targets.setdefault(f"{ENTITY_TARGET}{entity}", ("entity", entity))
            for claim in self.values.get((hub, "target_claim")) or []:
                targets.setdefault(f"{CLAIM_TARGET}{claim}", ("registered_claim", claim))
            assigned: dict[str, str] = {}  # target key -> stance id, in line order
            for line in self.values.get((hub, "stance_id")) or []:
                parts = line.split()
                key = parts[1] if len(parts) == 2 else None
                if len(parts) == 1 and len(targets) == 1:
                    key = next(iter(targets))
                if key is None or key not in targets or key in assigned or parts[0] in used:
                    self.notices.append(
                        Finding.of(
                            "E713",
                            file=self.file,
                            doc_id=self.doc_id,
                            record_id=f"{self.where} / region {ident(hub)}",
                            line=line,
                        )
                    )
                    continue
                assigned[key] = parts[0]
                used.add(parts[0])
            keys = list(assigned) + [k for k in targets if k not in assigned]
            if not keys:
                keys = [""]  # a hub without target: one stance, reported by validation
            for key in keys:
                stance_id = assigned.get(key)
                if stance_id is None:
                    n = 1
                    while f"{hub}-s{n}" in used:
                        n += 1
                    stance_id = f"{hub}-s{n}"
                    used.add(stance_id)
                target_kind, target = targets.get(key) or (None, None)
                stances.append(
                    {
                        "stance_id": stance_id,
                        "holder_kind": "span" if holders else "writer",
                        "holder": holders[0] if holders else None,
                        "target_kind": target_kind,
                        "target": target,
                        "polarity": polarity,
                        "evidence": evidence,
                    }
                )
        return stances


# -- tasks -----------------------------------------------------------------------------


def _annotator(completed_by: Any) -> str | None:
    if isinstance(completed_by, dict):
        email = completed_by.get("email")
        if isinstance(email, str) and email:
            return email
        completed_by = completed_by.get("id")
    if _is_int(completed_by) and abs(completed_by) < _MAX_USER_ID:
        return f"user-{completed_by}"
    return None


def _code_points(text: str) -> str:
    """`e U+0301`: a sequence NFC changes, readable even where it renders as one glyph."""
    return " ".join(f"U+{ord(ch):04X}" for ch in text)


def parse_export(data: Iterable[Any], *, file: str, schema: Schema | None = None) -> ParsedExport:
    """Every task and non-cancelled annotation of an export, as records (module docstring)."""
    mapping = ls_mapping(schema or load_schema())
    parsed = ParsedExport(file=file)
    seen_docs: dict[str, str] = {}
    for index, item in enumerate(counted(data, "ls import: tasks read")):
        task: dict[str, Any] = item if isinstance(item, dict) else {}
        task_id = ident(task.get("id", f"#{index}"))
        where = f"task {task_id}"
        data_ = task.get("data")
        text = data_.get(TEXT_CONTROL) if isinstance(data_, dict) else None
        doc_id = data_.get("doc_id") if isinstance(data_, dict) else None
        if not isinstance(data_, dict) or not isinstance(text, str) or not isinstance(doc_id, str):
            found = f"{_kind(text)}/{_kind(doc_id)}" if isinstance(data_, dict) else _kind(data_)
            parsed.findings.append(
                Finding.of(
                    "E711",
                    file=file,
                    record_id=where,
                    key="data.text/data.doc_id",
                    expected="two strings",
                    found=found,
                )
            )
            continue
        surrogate = next((ch for ch in text if "\ud800" <= ch <= "\udfff"), None)
        if surrogate is not None:
            parsed.findings.append(
                Finding.of(
                    "E711",
                    file=file,
                    doc_id=doc_id,
                    record_id=where,
                    key="data.text",
                    expected="text without lone surrogates",
                    found=f"U+{ord(surrogate):04X}",
                )
            )
            continue
        if doc_id in seen_docs:
            parsed.findings.append(
                Finding.of(
                    "E102", file=file, doc_id=doc_id, record_id=where, first=seen_docs[doc_id]
                )
            )
            continue
        seen_docs[doc_id] = where
        textmap = normalize_text(text)
        meta = task.get("meta")
        out = ParsedTask(
            task_id, doc_id, textmap.text, text, dict(data_), meta if isinstance(meta, dict) else {}
        )
        annotations = task.get("annotations", [])
        if not isinstance(annotations, list):
            parsed.findings.append(
                Finding.of(
                    "E711",
                    file=file,
                    doc_id=doc_id,
                    record_id=where,
                    key="annotations",
                    expected="a list",
                    found=_kind(annotations),
                )
            )
            continue
        latest: dict[str, ParsedAnnotation] = {}
        for a_index, ann in enumerate(annotations):
            if not isinstance(ann, dict):
                parsed.findings.append(
                    Finding.of(
                        "E711",
                        file=file,
                        doc_id=doc_id,
                        record_id=where,
                        key=f"annotations[{a_index}]",
                        expected="an object",
                        found=_kind(ann),
                    )
                )
                continue
            ann_id = ident(ann.get("id", f"#{a_index}"))
            a_where = f"{where} / annotation {ann_id}"
            if ann.get("was_cancelled") is True:
                parsed.notices.append(
                    Finding.of("E710", file=file, doc_id=doc_id, record_id=a_where)
                )
                continue
            annotator = _annotator(ann.get("completed_by"))
            if annotator is None:
                parsed.findings.append(
                    Finding.of(
                        "E711",
                        file=file,
                        doc_id=doc_id,
                        record_id=a_where,
                        key="completed_by",
                        expected="a user id or an object with an email or id",
                        found=_kind(ann.get("completed_by")),
                    )
                )
                continue
            reader = _AnnotationReader(
                mapping,
                file=file,
                doc_id=doc_id,
                where=a_where,
                text=textmap,
            )
            record = reader.read(ann.get("result"))
            parsed.findings += reader.findings
            parsed.notices += reader.notices
            if record is None:
                continue
            updated = ann.get("updated_at") or ann.get("created_at") or ""
            updated = updated if isinstance(updated, str) else ident(updated)
            item = ParsedAnnotation(
                task_id, ann_id, annotator, ann.get("ground_truth") is True, updated, record
            )
            previous = latest.get(annotator)
            if previous is not None:
                keep, drop = sorted((previous, item), key=recency, reverse=True)
                parsed.notices.append(
                    Finding.of(
                        "E714",
                        file=file,
                        doc_id=doc_id,
                        record_id=drop.where,
                        annotator=printable(annotator),
                        kept=keep.annotation_id,
                    )
                )
                item = keep
            latest[annotator] = item
        out.annotations = sorted(latest.values(), key=lambda a: a.annotator)
        parsed.tasks.append(out)
    parsed.findings = [printable_finding(f) for f in parsed.findings]
    parsed.notices = [printable_finding(f) for f in parsed.notices]
    return parsed


def recency(ann: ParsedAnnotation) -> tuple[str, int, str, str]:
    """Sort key: update time, then the annotation id as a number (ASCII digits only)."""
    digits = ann.annotation_id
    number = digits.lstrip("0") if digits.isascii() and digits.isdigit() else None
    # Compared by length, then digits: no int() of an id of any length.
    size = len(number) if number is not None else -1
    return (ann.updated_at, size, number or "", ann.annotation_id)


def read_export(path: Path, *, schema: Schema | None = None) -> ParsedExport:
    """Parse an export file (raises E701/E702 for unusable files).

    The tasks are decoded and parsed one at a time; an export that is not a plain JSON
    list of tasks is read whole, which says what is wrong with it.
    """
    try:
        return parse_export(_streamed_tasks(path), file=str(path), schema=schema)
    except (_NotStreamable, HmeimimError, OSError):
        # Parse again from the start: the same findings and errors as reading it whole.
        return parse_export(load_export_json(path), file=str(path), schema=schema)
