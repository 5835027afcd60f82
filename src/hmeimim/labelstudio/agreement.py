"""Inter-annotator agreement on a Label Studio export (method: DATASHEET.md).

Annotations are compared pairwise: for every document, every pair of annotators
(the latest non-cancelled annotation of each). Counts are summed over all pairs and
documents before any F1 is computed (micro average).

- **Spans**, per layer and per label. *Exact*: same layer, label, start and end.
  *Overlap*: same layer and label and at least one shared code point; pairs are
  matched one-to-one, greedily by the largest overlap (ties: earlier start, then ids).
  F1 = 2 * matched / (spans of A + spans of B), which is symmetric in A and B.
- **Structure** is compared on the exact span matching: a frame matches when its cue
  matches; a relation is (type, from, to) with `source`, `content`, `parent` from each
  cue and `holder`, `target`, `evidence` from each stance hub (entity targets compare
  by entity id); relation F1 counts the common relations as a multiset.
- **Krippendorff's alpha** (nominal) for `polarity` on matched stance hubs and for
  `source_type` on matched cues: each matched pair is one unit with two values; units
  of all pairs are pooled. Alpha is null when there is no unit or no variation at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np

from hmeimim.errors import Finding
from hmeimim.labelstudio.mapping import ls_mapping
from hmeimim.labelstudio.parse import read_export
from hmeimim.labelstudio.tasks import ENTITY_TARGET

Record = Mapping[str, Any]
Node = tuple[str, str]


@dataclass
class Counts:
    """Matched units and the units of each side, summed over pairs."""

    matched: int = 0
    a: int = 0
    b: int = 0

    def add(self, matched: int, a: int, b: int) -> None:
        self.matched += matched
        self.a += a
        self.b += b

    @property
    def f1(self) -> float | None:
        total = self.a + self.b
        return round(2 * self.matched / total, 4) if total else None

    def to_dict(self) -> dict[str, Any]:
        return {"matched": self.matched, "a": self.a, "b": self.b, "f1": self.f1}


def krippendorff_alpha_nominal(units: Iterable[Sequence[str]]) -> float | None:
    """Krippendorff's alpha for nominal values (`krippendorff.alpha`), rounded to 4 places.

    `units` holds the values given to each unit (missing values left out); units with
    fewer than two values are not pairable and add nothing. None when alpha is undefined:
    no pairable unit, or a single value among the pairable ones (no expected disagreement).
    """
    pairable = [list(unit) for unit in units if len(unit) >= 2]
    categories = sorted({value for unit in pairable for value in unit})
    if len(categories) < 2:
        return None
    # (coders x units) of category numbers; shorter units are padded with nan (missing).
    number = {value: float(n) for n, value in enumerate(categories)}
    data = np.full((max(map(len, pairable)), len(pairable)), np.nan)
    for column, unit in enumerate(pairable):
        data[: len(unit), column] = [number[value] for value in unit]
    alpha = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    return round(float(alpha), 4)


def _exact_matching(a: Sequence[Record], b: Sequence[Record]) -> dict[str, str]:
    """A's span id -> B's span id for spans with the same layer, label, start and end."""
    free: dict[tuple[Any, ...], list[str]] = {}
    for span in sorted(b, key=lambda s: str(s["span_id"])):
        key = (span["layer"], span["label"], span["start"], span["end"])
        free.setdefault(key, []).append(str(span["span_id"]))
    out = {}
    for span in sorted(a, key=lambda s: str(s["span_id"])):
        key = (span["layer"], span["label"], span["start"], span["end"])
        if free.get(key):
            out[str(span["span_id"])] = free[key].pop(0)
    return out


def _overlap_matching(a: Sequence[Record], b: Sequence[Record]) -> list[tuple[Record, Record]]:
    """One-to-one pairs of the same layer and label, greedily by the largest overlap."""
    candidates = []
    for x in a:
        for y in b:
            if (x["layer"], x["label"]) != (y["layer"], y["label"]):
                continue
            overlap = min(x["end"], y["end"]) - max(x["start"], y["start"])
            if overlap > 0:
                key = (-overlap, x["start"], y["start"], str(x["span_id"]), str(y["span_id"]))
                candidates.append((key, x, y))
    used_a: set[str] = set()
    used_b: set[str] = set()
    pairs = []
    for _, x, y in sorted(candidates, key=lambda c: c[0]):
        if str(x["span_id"]) in used_a or str(y["span_id"]) in used_b:
            continue
        used_a.add(str(x["span_id"]))
        used_b.add(str(y["span_id"]))
        pairs.append((x, y))
    return pairs


def relations_of(record: Record) -> list[tuple[str, str, str]]:
    """(type, from span, to span or `entity:<id>`) of a record's frames and stances."""
    out = []
    cue_of = {f["frame_id"]: f["cue"] for f in record.get("attributions") or []}
    for frame in record.get("attributions") or []:
        cue = frame["cue"]
        out += [("source", cue, s) for s in frame.get("sources") or []]
        out += [("content", cue, c) for c in frame.get("contents") or []]
        if frame.get("parent") in cue_of:
            out.append(("parent", cue, cue_of[frame["parent"]]))
    seen: set[tuple[str, str, str]] = set()
    for stance in record.get("stances") or []:
        evidence = list(stance.get("evidence") or [])
        if not evidence:
            continue
        hub = evidence[0]
        target = str(stance.get("target"))
        if stance.get("target_kind") == "entity":
            target = f"{ENTITY_TARGET}{target}"
        shared = [("evidence", hub, e) for e in evidence[1:]]
        if stance.get("holder") is not None:
            shared.append(("holder", hub, stance["holder"]))
        out.append(("target", hub, target))
        # Stances sharing a hub share holder and evidence: count those relations once.
        out += [r for r in shared if r not in seen]
        seen.update(shared)
    return out


def _hub_polarity(record: Record) -> dict[str, str]:
    out: dict[str, str] = {}
    for stance in record.get("stances") or []:
        evidence = stance.get("evidence") or []
        if evidence and stance.get("polarity") is not None:
            out.setdefault(evidence[0], stance["polarity"])
    return out


@dataclass
class AgreementReport:
    annotators: list[str] = field(default_factory=list)
    documents: int = 0
    pairs: int = 0
    spans_exact: dict[tuple[str, str], Counts] = field(default_factory=dict)
    spans_overlap: dict[tuple[str, str], Counts] = field(default_factory=dict)
    frames: Counts = field(default_factory=Counts)
    relations: dict[str, Counts] = field(default_factory=dict)
    polarity_units: list[tuple[str, str]] = field(default_factory=list)
    source_type_units: list[tuple[str, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def _layer_total(self, table: dict[tuple[str, str], Counts], layer: str) -> Counts:
        total = Counts()
        for (lay, _), counts in table.items():
            if lay == layer:
                total.add(counts.matched, counts.a, counts.b)
        return total

    def to_dict(self) -> dict[str, Any]:
        layers = sorted({layer for layer, _ in self.spans_exact})
        spans = {}
        for layer in layers:
            labels = sorted(label for lay, label in self.spans_exact if lay == layer)
            spans[layer] = {
                "exact": self._layer_total(self.spans_exact, layer).to_dict(),
                "overlap": self._layer_total(self.spans_overlap, layer).to_dict(),
                "labels": {
                    label: {
                        "exact": self.spans_exact[(layer, label)].to_dict(),
                        "overlap": self.spans_overlap[(layer, label)].to_dict(),
                    }
                    for label in labels
                },
            }
        total = Counts()
        for counts in self.relations.values():
            total.add(counts.matched, counts.a, counts.b)
        return {
            "annotators": self.annotators,
            "documents": self.documents,
            "pairs": self.pairs,
            "spans": spans,
            "frames": self.frames.to_dict(),
            "relations": {
                "all": total.to_dict(),
                "by_type": {k: v.to_dict() for k, v in sorted(self.relations.items())},
            },
            "alpha": {
                "polarity": {
                    "alpha": krippendorff_alpha_nominal(self.polarity_units),
                    "units": len(self.polarity_units),
                },
                "source_type": {
                    "alpha": krippendorff_alpha_nominal(self.source_type_units),
                    "units": len(self.source_type_units),
                },
            },
        }


def _compare(
    report: AgreementReport, a: Record, b: Record, labels: Iterable[tuple[str, str]]
) -> None:
    spans_a, spans_b = list(a.get("spans") or []), list(b.get("spans") or [])
    exact = _exact_matching(spans_a, spans_b)
    overlap = _overlap_matching(spans_a, spans_b)
    by_id_a = {str(s["span_id"]): s for s in spans_a}
    for key in labels:
        n_a = sum(1 for s in spans_a if (s["layer"], s["label"]) == key)
        n_b = sum(1 for s in spans_b if (s["layer"], s["label"]) == key)
        m_exact = sum(1 for x in exact if (by_id_a[x]["layer"], by_id_a[x]["label"]) == key)
        m_overlap = sum(1 for x, _ in overlap if (x["layer"], x["label"]) == key)
        report.spans_exact.setdefault(key, Counts()).add(m_exact, n_a, n_b)
        report.spans_overlap.setdefault(key, Counts()).add(m_overlap, n_a, n_b)

    def node_a(span_id: str) -> Node:
        if span_id.startswith(ENTITY_TARGET):
            return ("entity", span_id)
        return ("b", exact[span_id]) if span_id in exact else ("a", span_id)

    def node_b(span_id: str) -> Node:
        return ("entity", span_id) if span_id.startswith(ENTITY_TARGET) else ("b", span_id)

    frames_a = list(a.get("attributions") or [])
    frames_b = {f["cue"]: f for f in b.get("attributions") or []}
    matched_frames = [
        (f, frames_b[exact[f["cue"]]]) for f in frames_a if exact.get(f["cue"]) in frames_b
    ]
    report.frames.add(len(matched_frames), len(frames_a), len(frames_b))
    for fa, fb in matched_frames:
        if fa.get("source_type") is not None and fb.get("source_type") is not None:
            report.source_type_units.append((fa["source_type"], fb["source_type"]))

    rel_a = Counter((t, node_a(f), node_a(to)) for t, f, to in relations_of(a))
    rel_b = Counter((t, node_b(f), node_b(to)) for t, f, to in relations_of(b))
    common = rel_a & rel_b
    for name in sorted({t for t, _, _ in rel_a} | {t for t, _, _ in rel_b}):
        report.relations.setdefault(name, Counts()).add(
            sum(n for (t, _, _), n in common.items() if t == name),
            sum(n for (t, _, _), n in rel_a.items() if t == name),
            sum(n for (t, _, _), n in rel_b.items() if t == name),
        )

    hubs_a, hubs_b = _hub_polarity(a), _hub_polarity(b)
    for span_a, span_b in sorted(exact.items()):
        if span_a in hubs_a and span_b in hubs_b:
            report.polarity_units.append((hubs_a[span_a], hubs_b[span_b]))


def compute_agreement(
    layers: Mapping[str, Mapping[str, Record]], labels: Iterable[tuple[str, str]] | None = None
) -> AgreementReport:
    """Agreement over `doc_id -> annotator -> record` (see the module docstring).

    `labels`: the (layer, label) pairs to report (default: those seen in the records).
    """
    if labels is None:
        seen = {
            (s["layer"], s["label"])
            for by_annotator in layers.values()
            for record in by_annotator.values()
            for s in record.get("spans") or []
        }
        labels = sorted(seen)
    keys = list(labels)
    report = AgreementReport()
    report.annotators = sorted({name for by in layers.values() for name in by})
    for key in keys:
        report.spans_exact[key] = Counts()
        report.spans_overlap[key] = Counts()
    for _doc_id, by_annotator in sorted(layers.items()):
        names = sorted(by_annotator)
        if len(names) < 2:
            continue
        report.documents += 1
        for x, y in combinations(names, 2):
            report.pairs += 1
            _compare(report, by_annotator[x], by_annotator[y], keys)
    return report


def agreement_from_export(path: Path) -> AgreementReport:
    """Agreement between the annotators of a Label Studio export; findings stop it."""

    parsed = read_export(path)
    if parsed.findings:
        return AgreementReport(findings=parsed.findings)
    mapping = ls_mapping()
    labels = [(layer, label) for layer, names in mapping.layers.items() for label in names]
    return compute_agreement(parsed.by_annotator(), labels)


def _fmt(value: float | None) -> str:
    return "   n/a" if value is None else f"{value:6.3f}"


def render_agreement(report: AgreementReport) -> str:
    """The report for people: one line per layer, label and structure."""
    data = report.to_dict()
    lines = [
        f"agreement of {len(report.annotators)} annotator(s) "
        f"({', '.join(report.annotators) or 'none'}) on {report.documents} document(s), "
        f"{report.pairs} pair(s)",
        f"{'spans':<24} {'exact F1':>8} {'overlap F1':>10}   a / b / exact / overlap",
    ]
    for layer, body in data["spans"].items():
        rows = [(layer, body)] + [(f"  {layer}/{k}", v) for k, v in body["labels"].items()]
        for name, row in rows:
            e, o = row["exact"], row["overlap"]
            lines.append(
                f"{name:<24} {_fmt(e['f1']):>8} {_fmt(o['f1']):>10}   "
                f"{e['a']} / {e['b']} / {e['matched']} / {o['matched']}"
            )
    frames = data["frames"]
    counts = f"{frames['a']} / {frames['b']} / {frames['matched']}"
    lines.append(f"{'frames (by cue)':<24} {_fmt(frames['f1']):>8}   {counts}")
    rel = data["relations"]
    lines.append(f"{'relations':<24} {_fmt(rel['all']['f1']):>8}")
    for name, row in rel["by_type"].items():
        lines.append(
            f"{'  ' + name:<24} {_fmt(row['f1']):>8}   {row['a']} / {row['b']} / {row['matched']}"
        )
    for name, row in data["alpha"].items():
        lines.append(f"{'alpha ' + name:<24} {_fmt(row['alpha']):>8}   {row['units']} unit(s)")
    return "\n".join(lines)
