"""Inter-annotator agreement figures over plain records (method: DATASHEET.md).

Input: `doc_id -> annotator -> record`, a record holding `spans`, `attributions` and
`stances` as a release or an authoring folder stores them. Annotators are compared
pairwise: for every document, every pair of annotators who both annotated it. Counts
are kept per pair of annotators and summed over all pairs and documents before any
figure is computed (micro average). In a pair (A, B), A is the first in sorted order.

**Spans**, per layer and per label of the schema.

- *Exact*: same layer, label, start and end (one-to-one: equal spans pair off).
- *Overlap*: same layer and label and at least one shared code point (offsets are code
  points of the document text). Matching is one-to-one, greedy: candidate pairs are
  taken by the largest overlap first, then the smallest union (so an exact match wins a
  tie), then earlier start and span ids; a span already taken is skipped.

For any unit: TP = matched, FN = A's units without a match, FP = B's units without a
match; P = TP / (TP + FP), R = TP / (TP + FN), F1 = 2 TP / (|A| + |B|), symmetric in A
and B. A figure with no unit on either side is undefined (null / n/a).

**Alignment.** Frames and stances are compared through the *overlap* span matching M:
a span of A stands for the span of B that M pairs it with; an unmatched span of A
stands for itself and equals nothing of B.

**Frames** (one-to-one as multisets of keys):

- *full*: the cue of A's frame is M-matched to the cue of B's frame, and the sources
  map onto the sources and the contents onto the contents as sets: {M(s) for s in
  sources_A} == sources_B, likewise for contents. As M is one-to-one, every source and
  content of either side then has its partner on the other side.
- *cue+source*: cue and sources as above; the contents are not compared.
- *cue*: the cues alone.

**Stances**: a stance is (holder, target, polarity). The holder is `writer` or an
aligned span; the target is an aligned span (`mention`, `claim`), an entity id
(`entity`) or a claim id (`registered_claim`); a target of any other kind is compared as
(kind, value) unless it names a span of the record. *Stance F1* counts equal triples
(multiset intersection); *holder+target* leaves polarity out.

**Relations** (kept from the first agreement report): (type, from, to) of `source`,
`content`, `parent` per cue and `holder`, `target`, `evidence` per stance hub (first
evidence span), on the alignment; F1 of the common relations as a multiset.

**Krippendorff's alpha**, nominal: for stance `polarity`, one unit per pair of stances
with the same aligned (holder, target) (equal polarities pair off first, then the rest
in order); for attribution `source_type`, one unit per pair of frames matched on
cue+source where both give a source type. Units of all pairs and documents are pooled.
Alpha is undefined (null, with the reason) when there is no unit, or when all values
are one category (no expected disagreement: alpha = 0 / 0).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import krippendorff
import numpy as np

from hmeimim.errors import Finding

Record = Mapping[str, Any]
LabelKey = tuple[str, str]
Pair = tuple[str, str]
Node = tuple[str, ...]

# Stance target kinds whose value is a span id of the record.
SPAN_TARGETS = frozenset({"mention", "claim"})
ALPHA_NAMES = ("polarity", "source_type")


@dataclass
class Counts:
    """Matched units and the units of each side (A, B), summed over pairs."""

    matched: int = 0
    a: int = 0
    b: int = 0

    def add(self, matched: int, a: int, b: int) -> None:
        self.matched += matched
        self.a += a
        self.b += b

    def merge(self, other: Counts) -> None:
        self.add(other.matched, other.a, other.b)

    @property
    def tp(self) -> int:
        return self.matched

    @property
    def fp(self) -> int:
        return self.b - self.matched

    @property
    def fn(self) -> int:
        return self.a - self.matched

    @property
    def precision(self) -> float | None:
        return round(self.matched / self.b, 4) if self.b else None

    @property
    def recall(self) -> float | None:
        return round(self.matched / self.a, 4) if self.a else None

    @property
    def f1(self) -> float | None:
        total = self.a + self.b
        return round(2 * self.matched / total, 4) if total else None

    def to_dict(self) -> dict[str, Any]:
        """matched (TP), a (TP + FN), b (TP + FP) and F1."""
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


def alpha_undefined_reason(units: Iterable[Sequence[str]]) -> str | None:
    """Why alpha is undefined for `units`, or None when it is defined."""
    pairable = [unit for unit in units if len(unit) >= 2]
    if not pairable:
        return "no unit: no pair of annotators coded the same item"
    if len({value for unit in pairable for value in unit}) < 2:
        return "one category only: no expected disagreement (0 / 0)"
    return None


# -- matching ----------------------------------------------------------------------------


def _label_key(span: Record) -> LabelKey:
    return (str(span["layer"]), str(span["label"]))


def exact_matching(a: Sequence[Record], b: Sequence[Record]) -> dict[str, str]:
    """A's span id -> B's span id for spans with the same layer, label, start and end."""
    free: dict[tuple[Any, ...], list[str]] = {}
    for span in sorted(b, key=lambda s: str(s["span_id"])):
        key = (*_label_key(span), span["start"], span["end"])
        free.setdefault(key, []).append(str(span["span_id"]))
    out = {}
    for span in sorted(a, key=lambda s: str(s["span_id"])):
        key = (*_label_key(span), span["start"], span["end"])
        if free.get(key):
            out[str(span["span_id"])] = free[key].pop(0)
    return out


def overlap_matching(a: Sequence[Record], b: Sequence[Record]) -> dict[str, str]:
    """A's span id -> B's span id: same layer and label, one shared code point at least;
    one-to-one, greedily by the largest overlap, then the smallest union."""
    candidates = []
    for x in a:
        for y in b:
            if _label_key(x) != _label_key(y):
                continue
            overlap = min(x["end"], y["end"]) - max(x["start"], y["start"])
            if overlap > 0:
                union = max(x["end"], y["end"]) - min(x["start"], y["start"])
                key = (-overlap, union, x["start"], y["start"], str(x["span_id"]))
                candidates.append((*key, str(y["span_id"])))
    out: dict[str, str] = {}
    taken: set[str] = set()
    for *_, x_id, y_id in sorted(candidates):
        if x_id in out or y_id in taken:
            continue
        out[x_id] = y_id
        taken.add(y_id)
    return out


def _multiset_matches(a: Iterable[Hashable], b: Iterable[Hashable]) -> int:
    return sum((Counter(a) & Counter(b)).values())


class _Aligned:
    """The nodes of one side of a pair: A's spans stand for their partners in B."""

    def __init__(self, record: Record, alignment: Mapping[str, str] | None) -> None:
        self.alignment = alignment
        self.span_ids = {str(s["span_id"]) for s in record.get("spans") or []}

    def span(self, span_id: Any) -> Node:
        span_id = str(span_id)
        if self.alignment is None:  # side B
            return ("span", span_id)
        if span_id in self.alignment:
            return ("span", self.alignment[span_id])
        return ("unmatched", span_id)

    def holder(self, stance: Record) -> Node:
        if stance.get("holder_kind") == "writer" or stance.get("holder") is None:
            return ("writer",)
        return self.span(stance["holder"])

    def target(self, stance: Record) -> Node:
        kind, value = str(stance.get("target_kind")), str(stance.get("target"))
        if kind in SPAN_TARGETS or (
            kind not in {"entity", "registered_claim"} and value in self.span_ids
        ):
            return self.span(value)
        return (kind, value)

    def frame(self, frame: Record) -> tuple[Node, frozenset[Node], frozenset[Node]]:
        return (
            self.span(frame["cue"]),
            frozenset(self.span(s) for s in frame.get("sources") or []),
            frozenset(self.span(c) for c in frame.get("contents") or []),
        )

    def relations(self, record: Record) -> list[tuple[str, Node, Node]]:
        out: list[tuple[str, Node, Node]] = []
        frames = list(record.get("attributions") or [])
        cue_of = {f["frame_id"]: f["cue"] for f in frames}
        for frame in frames:
            cue = self.span(frame["cue"])
            out += [("source", cue, self.span(s)) for s in frame.get("sources") or []]
            out += [("content", cue, self.span(c)) for c in frame.get("contents") or []]
            if frame.get("parent") in cue_of:
                out.append(("parent", cue, self.span(cue_of[frame["parent"]])))
        seen: set[tuple[str, Node, Node]] = set()
        for stance in record.get("stances") or []:
            evidence = list(stance.get("evidence") or [])
            if not evidence:
                continue
            hub = self.span(evidence[0])
            shared = [("evidence", hub, self.span(e)) for e in evidence[1:]]
            if stance.get("holder_kind") != "writer" and stance.get("holder") is not None:
                shared.append(("holder", hub, self.span(stance["holder"])))
            out.append(("target", hub, self.target(stance)))
            # Stances sharing a hub share holder and evidence: count those relations once.
            out += [r for r in shared if r not in seen]
            seen.update(shared)
        return out


# -- figures of one pair -----------------------------------------------------------------


@dataclass
class Tally:
    """Counts and alpha units of one pair of annotators (or of all pairs, summed)."""

    documents: int = 0
    spans_exact: dict[LabelKey, Counts] = field(default_factory=dict)
    spans_overlap: dict[LabelKey, Counts] = field(default_factory=dict)
    frames: Counts = field(default_factory=Counts)
    frames_cue_source: Counts = field(default_factory=Counts)
    frames_cue: Counts = field(default_factory=Counts)
    stances: Counts = field(default_factory=Counts)
    stances_holder_target: Counts = field(default_factory=Counts)
    relations: dict[str, Counts] = field(default_factory=dict)
    polarity_units: list[tuple[str, str]] = field(default_factory=list)
    source_type_units: list[tuple[str, str]] = field(default_factory=list)

    def merge(self, other: Tally) -> None:
        self.documents += other.documents
        for table, incoming in (
            (self.spans_exact, other.spans_exact),
            (self.spans_overlap, other.spans_overlap),
        ):
            for key, counts in incoming.items():
                table.setdefault(key, Counts()).merge(counts)
        for name, counts in other.relations.items():
            self.relations.setdefault(name, Counts()).merge(counts)
        for name in ("frames", "frames_cue_source", "frames_cue", "stances"):
            getattr(self, name).merge(getattr(other, name))
        self.stances_holder_target.merge(other.stances_holder_target)
        self.polarity_units += other.polarity_units
        self.source_type_units += other.source_type_units

    def layer_total(self, table: Mapping[LabelKey, Counts], layer: str) -> Counts:
        total = Counts()
        for (lay, _), counts in table.items():
            if lay == layer:
                total.merge(counts)
        return total

    def alpha(self, name: str) -> dict[str, Any]:
        units = self.polarity_units if name == "polarity" else self.source_type_units
        return {
            "alpha": krippendorff_alpha_nominal(units),
            "units": len(units),
            "undefined": alpha_undefined_reason(units),
        }

    def to_dict(self, labels: Sequence[LabelKey]) -> dict[str, Any]:
        spans: dict[str, Any] = {}
        for layer in dict.fromkeys(lay for lay, _ in labels):
            names = [label for lay, label in labels if lay == layer]
            spans[layer] = {
                "exact": self.layer_total(self.spans_exact, layer).to_dict(),
                "overlap": self.layer_total(self.spans_overlap, layer).to_dict(),
                "labels": {
                    label: {
                        "exact": self.spans_exact.get((layer, label), Counts()).to_dict(),
                        "overlap": self.spans_overlap.get((layer, label), Counts()).to_dict(),
                    }
                    for label in names
                },
            }
        total = Counts()
        for counts in self.relations.values():
            total.merge(counts)
        return {
            "documents": self.documents,
            "spans": spans,
            "frames": self.frames.to_dict(),
            "frames_cue_source": self.frames_cue_source.to_dict(),
            "frames_cue": self.frames_cue.to_dict(),
            "stances": self.stances.to_dict(),
            "stances_holder_target": self.stances_holder_target.to_dict(),
            "relations": {
                "all": total.to_dict(),
                "by_type": {k: v.to_dict() for k, v in sorted(self.relations.items())},
            },
            "alpha": {name: self.alpha(name) for name in ALPHA_NAMES},
        }


def _pair_off(a: list[str], b: list[str]) -> list[tuple[str, str]]:
    """Pairs of values for the units of one key: equal values first, then in order."""
    common = Counter(a) & Counter(b)
    units = [(value, value) for value in sorted(common) for _ in range(common[value])]
    rest_a, rest_b = list(a), list(b)
    for value, _ in units:
        rest_a.remove(value)
        rest_b.remove(value)
    return units + list(zip(rest_a, rest_b, strict=False))


def compare_pair(a: Record, b: Record, labels: Iterable[LabelKey] = ()) -> Tally:
    """The counts of one document annotated by A and by B (see the module docstring)."""
    tally = Tally(documents=1)
    spans_a, spans_b = list(a.get("spans") or []), list(b.get("spans") or [])
    exact = exact_matching(spans_a, spans_b)
    overlap = overlap_matching(spans_a, spans_b)
    key_of_a = {str(s["span_id"]): _label_key(s) for s in spans_a}
    n_a = Counter(key_of_a.values())
    n_b = Counter(_label_key(s) for s in spans_b)
    m_exact = Counter(key_of_a[x] for x in exact)
    m_overlap = Counter(key_of_a[x] for x in overlap)
    for key in [*labels, *sorted(set(n_a) | set(n_b))]:
        if key not in tally.spans_exact:
            tally.spans_exact[key] = Counts(m_exact[key], n_a[key], n_b[key])
            tally.spans_overlap[key] = Counts(m_overlap[key], n_a[key], n_b[key])

    side_a, side_b = _Aligned(a, overlap), _Aligned(b, None)

    frames_a = list(a.get("attributions") or [])
    frames_b = list(b.get("attributions") or [])
    keys_a = [side_a.frame(f) for f in frames_a]
    keys_b = [side_b.frame(f) for f in frames_b]
    n_fa, n_fb = len(frames_a), len(frames_b)
    tally.frames.add(_multiset_matches(keys_a, keys_b), n_fa, n_fb)
    cue_source_a = [(cue, sources) for cue, sources, _ in keys_a]
    cue_source_b = [(cue, sources) for cue, sources, _ in keys_b]
    tally.frames_cue_source.add(_multiset_matches(cue_source_a, cue_source_b), n_fa, n_fb)
    cues_a, cues_b = [k[0] for k in keys_a], [k[0] for k in keys_b]
    tally.frames_cue.add(_multiset_matches(cues_a, cues_b), n_fa, n_fb)
    # source_type units: frames matched on cue+source, in frame order.
    waiting: dict[Any, list[Record]] = {}
    for frame_key, frame in zip(cue_source_b, frames_b, strict=True):
        waiting.setdefault(frame_key, []).append(frame)
    for frame_key, frame in zip(cue_source_a, frames_a, strict=True):
        if waiting.get(frame_key):
            partner = waiting[frame_key].pop(0)
            types = (frame.get("source_type"), partner.get("source_type"))
            if types[0] is not None and types[1] is not None:
                tally.source_type_units.append((str(types[0]), str(types[1])))

    stances_a = list(a.get("stances") or [])
    stances_b = list(b.get("stances") or [])
    triples_a = [(side_a.holder(s), side_a.target(s), str(s.get("polarity"))) for s in stances_a]
    triples_b = [(side_b.holder(s), side_b.target(s), str(s.get("polarity"))) for s in stances_b]
    n_sa, n_sb = len(stances_a), len(stances_b)
    tally.stances.add(_multiset_matches(triples_a, triples_b), n_sa, n_sb)
    pairs_a = [(h, t) for h, t, _ in triples_a]
    pairs_b = [(h, t) for h, t, _ in triples_b]
    tally.stances_holder_target.add(_multiset_matches(pairs_a, pairs_b), n_sa, n_sb)
    polarities_a: dict[tuple[Node, Node], list[str]] = {}
    polarities_b: dict[tuple[Node, Node], list[str]] = {}
    for holder, target, polarity in triples_a:
        polarities_a.setdefault((holder, target), []).append(polarity)
    for holder, target, polarity in triples_b:
        polarities_b.setdefault((holder, target), []).append(polarity)
    for holder_target, values in polarities_a.items():
        tally.polarity_units += _pair_off(values, polarities_b.get(holder_target, []))

    rel_a = Counter(side_a.relations(a))
    rel_b = Counter(side_b.relations(b))
    common = rel_a & rel_b
    for name in sorted({t for t, _, _ in rel_a} | {t for t, _, _ in rel_b}):
        tally.relations[name] = Counts(
            sum(n for (t, _, _), n in common.items() if t == name),
            sum(n for (t, _, _), n in rel_a.items() if t == name),
            sum(n for (t, _, _), n in rel_b.items() if t == name),
        )
    return tally


# -- the report --------------------------------------------------------------------------


@dataclass
class AgreementReport:
    """Agreement of every pair of annotators, and summed over pairs and documents."""

    input: str = ""
    annotators: list[str] = field(default_factory=list)
    labels: list[LabelKey] = field(default_factory=list)
    documents: int = 0
    pairs: int = 0
    # What was read: documents (with or without layers) and raw layers, pairs or not.
    documents_read: int = 0
    layers_read: int = 0
    total: Tally = field(default_factory=Tally)
    by_pair: dict[Pair, Tally] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Totals at the top level (documents: those with two annotators or more; pairs:
        document-level comparisons), then `by_pair` with the same figures per pair."""
        total = self.total.to_dict(self.labels)
        total.pop("documents")
        return {
            "input": self.input,
            "annotators": self.annotators,
            "documents": self.documents,
            "pairs": self.pairs,
            "documents_read": self.documents_read,
            "layers_read": self.layers_read,
            **total,
            "by_pair": [
                {"annotators": list(pair), **tally.to_dict(self.labels)}
                for pair, tally in sorted(self.by_pair.items())
            ],
        }


def compute_agreement(
    layers: Mapping[str, Mapping[str, Record]],
    labels: Iterable[LabelKey] | None = None,
    *,
    input: str = "",
) -> AgreementReport:
    """Agreement over `doc_id -> annotator -> record` (see the module docstring).

    `labels`: the (layer, label) pairs to report, in order (normally every label of the
    schema); labels seen in the records but not given are reported after them.
    """
    keys = list(labels or [])
    seen = {
        _label_key(s)
        for by_annotator in layers.values()
        for record in by_annotator.values()
        for s in record.get("spans") or []
    }
    keys += sorted(seen - set(keys))
    report = AgreementReport(input=input, labels=keys, documents_read=len(layers))
    report.layers_read = sum(len(by_annotator) for by_annotator in layers.values())
    report.annotators = sorted({name for by in layers.values() for name in by})
    for key in keys:
        report.total.spans_exact[key] = Counts()
        report.total.spans_overlap[key] = Counts()
    for _doc_id, by_annotator in sorted(layers.items()):
        names = sorted(by_annotator)
        if len(names) < 2:
            continue
        report.documents += 1
        for x, y in combinations(names, 2):
            report.pairs += 1
            tally = compare_pair(by_annotator[x], by_annotator[y], keys)
            report.by_pair.setdefault((x, y), Tally()).merge(tally)
            report.total.merge(tally)
    report.total.documents = report.documents
    return report


# -- text --------------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


HEADER = f"{'':<26} {'match':<11} {'TP':>5} {'FP':>5} {'FN':>5} {'P':>6} {'R':>6} {'F1':>6}"


def _row(name: str, kind: str, counts: Counts) -> str:
    return (
        f"{name:<26} {kind:<11} {counts.tp:>5} {counts.fp:>5} {counts.fn:>5} "
        f"{_fmt(counts.precision):>6} {_fmt(counts.recall):>6} {_fmt(counts.f1):>6}"
    )


def _alpha_line(tally: Tally, name: str) -> str:
    figure = tally.alpha(name)
    line = f"{'alpha ' + name:<26} {_fmt(figure['alpha']):>6}   n = {figure['units']} unit(s)"
    return line + (f" (undefined: {figure['undefined']})" if figure["undefined"] else "")


def render_tally(tally: Tally, labels: Sequence[LabelKey]) -> list[str]:
    """The table of one tally: spans per layer and label, frames, stances, alphas.

    Labels with no span on either side are left out of the text (they are in the JSON).
    """
    lines = [HEADER]
    for layer in dict.fromkeys(lay for lay, _ in labels):
        lines.append(_row(layer, "exact", tally.layer_total(tally.spans_exact, layer)))
        lines.append(_row("", "overlap", tally.layer_total(tally.spans_overlap, layer)))
        for lay, label in labels:
            exact = tally.spans_exact.get((lay, label), Counts())
            if lay != layer or exact.a + exact.b == 0:
                continue
            lines.append(_row(f"  {layer}/{label}", "exact", exact))
            lines.append(_row("", "overlap", tally.spans_overlap[(lay, label)]))
    lines.append(_row("frames", "full", tally.frames))
    lines.append(_row("", "cue+source", tally.frames_cue_source))
    lines.append(_row("", "cue", tally.frames_cue))
    lines.append(_row("stances", "full", tally.stances))
    lines.append(_row("", "holder+tgt", tally.stances_holder_target))
    relations = Counts()
    for counts in tally.relations.values():
        relations.merge(counts)
    lines.append(_row("relations", "all", relations))
    for name, counts in sorted(tally.relations.items()):
        lines.append(_row(f"  {name}", "", counts))
    lines += [_alpha_line(tally, name) for name in ALPHA_NAMES]
    return lines


def render_agreement(report: AgreementReport) -> str:
    """The report for people: totals, then one table per pair of annotators."""
    source = f" in {report.input}" if report.input else ""
    lines = [
        f"agreement of {len(report.annotators)} annotator(s) "
        f"({', '.join(report.annotators) or 'none'}) on {report.documents} document(s){source}, "
        f"{report.pairs} pair(s); TP/FP/FN take the first annotator of a pair as reference",
        "",
        "all pairs (micro average over pairs and documents)",
        *render_tally(report.total, report.labels),
    ]
    if len(report.by_pair) > 1:
        for (x, y), tally in sorted(report.by_pair.items()):
            lines += ["", f"{x} vs {y}: {tally.documents} document(s)"]
            lines += render_tally(tally, report.labels)
    return "\n".join(lines)
