"""One document's review page, built from its records: the gold and every raw layer.

Each layer is a `<section class="layer" data-layer=...>` holding the text cut into
segments (`render/segments.py`): a segment is a `<span class="s ..." data-spans="id
...">` carrying the ids of every span of that layer covering it, so a span is the run
of segments with its id. Raw layers also carry `data-missing` (gold spans the layer
lacks). Beside the text: the frames table (`tr[data-frame][data-cue][data-sources]
[data-contents]`), the stances table (`tr[data-stance]`), and for raw layers the
disagreement counts (`.count[data-kind]`). The records are embedded as JSON for the
script that links frames and stances on hover and focus. A document whose text is
absent (stand-off) gets a notice and plain tables instead of a highlighted text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from hmeimim.model import ENTITY_LAYER
from hmeimim.render.assets import CSS, SCRIPT, css_name, label_css
from hmeimim.render.compare import LayerDifference, compare_layer
from hmeimim.render.segments import Segment, fits, segment
from hmeimim.schema.declaration import Schema

GOLD = "gold"
REHYDRATE = "hmeimim rehydrate --from PATH"
META_FIELDS = (
    "doc_id",
    "language",
    "split",
    "provenance",
    "perspective",
    "published",
    "outlet",
    "author",
    "license",
    "url",
)


@dataclass(frozen=True)
class Citation:
    """A place where a registered claim is stated (a CONTENT span) or targeted (a stance)."""

    doc_id: str
    anchor: str  # an element id on that document's page


@dataclass(frozen=True)
class Context:
    """What a page needs beyond its own document: registries, and the other pages."""

    schema: Schema
    entities: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    claims: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    citations: Mapping[str, Sequence[Citation]] = field(default_factory=dict)
    pages: Mapping[str, str] = field(default_factory=dict)  # doc_id -> file name


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def page_name(doc_id: str) -> str:
    return f"{doc_id}.html"


def script_json(data: Any) -> str:
    """JSON that cannot end or confuse the `<script>` element holding it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def text_direction(language: Any) -> str:
    primary = str(language or "").split("-")[0].lower()
    return "rtl" if primary in {"ar", "fa", "he", "ur", "ps", "yi", "dv", "ckb"} else "ltr"


class _Layer:
    """One layer of a page (gold or raw) and the lookups its HTML needs."""

    def __init__(self, key: str, index: int, body: Mapping[str, Any], text: str | None) -> None:
        self.key = key
        self.section = "layer-gold" if key == GOLD else f"layer-{index}"
        self.prefix = "" if key == GOLD else f"l{index}-"
        self.spans: list[Mapping[str, Any]] = list(body.get("spans") or [])
        self.frames: list[Mapping[str, Any]] = list(body.get("attributions") or [])
        self.stances: list[Mapping[str, Any]] = list(body.get("stances") or [])
        self.by_id = {str(s.get("span_id")): s for s in self.spans}
        self.text = text
        length = len(text) if text is not None else -1
        self.shown = [s for s in self.spans if fits(s.get("start"), s.get("end"), length)]
        shown_ids = {id(s) for s in self.shown}
        self.unshown = [s for s in self.spans if id(s) not in shown_ids]
        self.fitting = {str(s.get("span_id")) for s in self.shown}

    def span_text(self, span_id: Any) -> str | None:
        span = self.by_id.get(str(span_id))
        if span is None:
            return None
        if self.text is not None and str(span_id) in self.fitting:
            return self.text[span["start"] : span["end"]]
        value = span.get("text")
        return None if value is None else str(value)


class _Page:
    def __init__(
        self, doc: Mapping[str, Any], layers: Sequence[Mapping[str, Any]], ctx: Context
    ) -> None:
        self.doc = doc
        self.ctx = ctx
        self.doc_id = str(doc.get("doc_id"))
        text = doc.get("text")
        self.text: str | None = text if isinstance(text, str) else None
        self.lang = str(doc.get("language") or "und")
        self.dir = text_direction(self.lang)
        self.gold = _Layer(GOLD, 0, doc, self.text)
        ordered = sorted(layers, key=lambda r: str(r.get("annotator")))
        self.raw = [
            _Layer(str(r.get("annotator")), i, r, self.text) for i, r in enumerate(ordered, 1)
        ]
        self.differences = {
            raw.key: compare_layer(raw.__dict__ | _body(raw), doc) for raw in self.raw
        }
        entity = schema_layer_labels(ctx.schema, ENTITY_LAYER)
        self.value_labels = {n for n in entity if ctx.schema.is_value_label(n)}

    # -- the whole page ----------------------------------------------------------------

    def html(self) -> str:
        title = self.doc.get("title") or self.doc_id
        names, values = _entity_label_lists(self.ctx.schema)
        parts = [
            "<!DOCTYPE html>",
            f'<html lang="{_e(self.lang)}">',
            '<head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)} · Hmeimim Corpus review</title>",
            f"<style>{label_css(names, values)}\n{CSS}</style></head>",
            f'<body data-doc="{_e(self.doc_id)}">',
            self._header(title, names, values),
            '<main class="layers">',
            self._section(self.gold, None),
            *(self._section(raw, self.differences[raw.key]) for raw in self.raw),
            "</main>",
            f'<script type="application/json" id="hm-data">{script_json(self._data())}</script>',
            f"<script>{SCRIPT}</script>",
            "</body></html>",
        ]
        return "\n".join(parts) + "\n"

    def _header(self, title: Any, names: list[str], values: list[str]) -> str:
        meta = "".join(f"<dt>{name}</dt><dd>{self._meta_value(name)}</dd>" for name in META_FIELDS)
        tabs = ['<button type="button" data-show="layer-gold" aria-selected="true">gold</button>']
        tabs += [
            f'<button type="button" data-show="{raw.section}" aria-selected="false">'
            f"{_e(raw.key)}</button>"
            for raw in self.raw
        ]
        if self.raw:
            tabs.append(
                '<button type="button" data-show="compare" aria-selected="false">'
                "all layers side by side</button>"
            )
        return (
            '<header><p><a href="index.html">All documents</a></p>'
            f'<h1 lang="{_e(self.lang)}" dir="{self.dir}">{_e(title)}</h1>'
            f'<dl class="meta">{meta}</dl>'
            f"{self._legend(names, values)}{self._summary()}"
            f'<nav class="tabs" aria-label="layers">{"".join(tabs)}</nav></header>'
        )

    def _meta_value(self, name: str) -> str:
        value = self.doc.get(name)
        if value is None:
            return "<i>unknown</i>"
        if name == "url" and str(value).startswith(("http://", "https://")):
            return f'<a href="{_e(value)}" rel="noreferrer">{_e(value)}</a>'
        return _e(value)

    def _legend(self, names: list[str], values: list[str]) -> str:
        keys = [f'<span class="key s e-{css_name(n)}">{_e(n)}</span>' for n in names]
        keys += [f'<span class="key s e-{css_name(v)}">{_e(v)} (value)</span>' for v in values]
        keys += [
            '<span class="key s meto meto-end">metonymy</span>',
            '<span class="key s a-CUE">CUE</span>',
            '<span class="key s a-SOURCE">SOURCE</span>',
            '<span class="key s a-CONTENT">CONTENT</span>',
            '<span class="key s st">STANCE evidence</span>',
        ]
        if self.raw:
            keys += [
                '<span class="key s dis dis-end">raw span not in gold</span>',
                '<span class="key s miss miss-end">gold span missing from the raw layer</span>',
            ]
        return f'<div class="legend" aria-label="legend">{"".join(keys)}</div>'

    def _summary(self) -> str:
        head = (
            "<tr><th>layer</th><th>spans</th><th>frames</th><th>stances</th>"
            "<th>spans not in gold</th><th>gold spans missing</th>"
            "<th>frames not in gold</th><th>gold frames missing</th>"
            "<th>stances not in gold</th><th>gold stances missing</th></tr>"
        )
        rows = [self._summary_row(self.gold, None)]
        rows += [self._summary_row(raw, self.differences[raw.key]) for raw in self.raw]
        return f'<table class="summary"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'

    def _summary_row(self, layer: _Layer, diff: LayerDifference | None) -> str:
        cells = [len(layer.spans), len(layer.frames), len(layer.stances)]
        counted = "".join(f'<td class="num">{n}</td>' for n in cells)
        if diff is None:
            counted += "<td></td>" * 6
        else:
            counted += "".join(
                f'<td class="num">{n}</td>'
                for n in (
                    len(diff.extra_spans),
                    len(diff.missing_spans),
                    diff.extra_frames,
                    diff.missing_frames,
                    diff.extra_stances,
                    diff.missing_stances,
                )
            )
        return f'<tr data-layer="{_e(layer.key)}"><th>{_e(layer.key)}</th>{counted}</tr>'

    # -- one layer ---------------------------------------------------------------------

    def _section(self, layer: _Layer, diff: LayerDifference | None) -> str:
        active = " active" if layer.key == GOLD else ""
        kind = "gold" if diff is None else "raw"
        heading = "Gold (adjudicated)" if diff is None else f"Raw layer of {_e(layer.key)}"
        side = [self._frames(layer), self._stances(layer)]
        if diff is None:
            side.append(self._claims(layer))
        else:
            side.insert(0, self._disagreements(layer, diff))
        if layer.unshown and self.text is not None:
            side.append(self._span_table(layer, layer.unshown, "Spans that do not fit the text"))
        return (
            f'<section class="layer{active}" id="{layer.section}" data-layer="{_e(layer.key)}" '
            f'data-kind="{kind}"><h2>{heading}</h2><div class="cols">'
            f"{self._text(layer, diff)}"
            f'<aside class="side">{"".join(side)}</aside></div></section>'
        )

    def _text(self, layer: _Layer, diff: LayerDifference | None) -> str:
        if self.text is None:
            return (
                f'<div class="standoff">{self._standoff_notice()}'
                f"{self._span_table(layer, layer.spans, 'Spans')}</div>"
            )
        extra = set(diff.extra_spans) if diff else set()
        missing = [self.gold.by_id[m] for m in diff.missing_spans] if diff else []
        missing_ids = {str(m.get("span_id")) for m in missing}
        ranges = [(str(s["span_id"]), int(s["start"]), int(s["end"])) for s in layer.shown]
        ghost = [
            (f"\x00{m['span_id']}", int(m["start"]), int(m["end"]))
            for m in missing
            if fits(m.get("start"), m.get("end"), len(self.text))
        ]
        describe = {str(s["span_id"]): self._describe(s) for s in layer.shown}
        out = []
        for seg in segment(len(self.text), ranges + ghost):
            piece = escape(self.text[seg.start : seg.end], quote=False)
            own = [i for i in seg.ids if not i.startswith("\x00")]
            lacking = [i[1:] for i in seg.ids if i.startswith("\x00")]
            if not own and not lacking:
                out.append(piece)
                continue
            out.append(self._segment(layer, seg, own, lacking, piece, describe, extra, missing_ids))
        return f'<div class="text" dir="{self.dir}" lang="{_e(self.lang)}">{"".join(out)}</div>'

    def _segment(
        self,
        layer: _Layer,
        seg: Segment,
        own: list[str],
        lacking: list[str],
        piece: str,
        describe: Mapping[str, str],
        extra: set[str],
        missing: set[str],
    ) -> str:
        classes = ["s"]
        spans = [layer.by_id[i] for i in own]
        entities = [s for s in spans if s.get("layer") == ENTITY_LAYER]
        if entities:
            inner = min(entities, key=lambda s: int(s["end"]) - int(s["start"]))
            classes.append(f"e-{css_name(str(inner.get('label')))}")
            if any(s.get("metonymy") is True for s in entities):
                classes.append("meto")
            if any(s.get("metonymy") is True for s in entities if str(s["span_id"]) in seg.ending):
                classes.append("meto-end")
        for s in spans:
            if s.get("layer") == "attribution":
                classes.append(f"a-{css_name(str(s.get('label')))}")
            elif s.get("layer") == "stance":
                classes.append("st")
        if extra.intersection(own):
            classes.append("dis")
            if extra.intersection(seg.ending):
                classes.append("dis-end")
        if lacking:
            classes.append("miss")
            if any(f"\x00{m}" in seg.ending for m in lacking if m in missing):
                classes.append("miss-end")
        attrs = [f'class="{" ".join(dict.fromkeys(classes))}"', f'data-spans="{_e(" ".join(own))}"']
        if lacking:
            attrs.append(f'data-missing="{_e(" ".join(lacking))}"')
        starting = [i for i in seg.starting if not i.startswith("\x00")]
        anchors = ""
        if starting:
            attrs.append('tabindex="0"')
            if layer.key == GOLD:
                # Empty anchors, one per span starting here, so links from other pages
                # land on any of them; they add no text.
                anchors = "".join(f'<a id="span-{_e(i)}"></a>' for i in starting)
        titles = [describe[i] for i in own]
        titles += [f"missing here: gold {self._describe(self.gold.by_id[m])}" for m in lacking]
        attrs.append(f'title="{_e(" | ".join(titles))}"')
        return f"<span {' '.join(attrs)}>{anchors}{piece}</span>"

    def _describe(self, span: Mapping[str, Any]) -> str:
        words = [str(span.get("label")), str(span.get("span_id"))]
        entity_id = span.get("entity_id")
        if entity_id is not None:
            name = self.ctx.entities.get(str(entity_id), {}).get("name")
            words.append(f"→ {entity_id}" + (f" ({name})" if name else ""))
        if span.get("metonymy") is True:
            words.append("metonymy")
        if span.get("claim_id") is not None:
            words.append(f"claim {span.get('claim_id')}")
        return " ".join(words)

    def _standoff_notice(self) -> str:
        return (
            '<div class="notice" role="note"><strong>The text of this document is not '
            "included.</strong> It is a stand-off document: its text may not be "
            "redistributed, so only the annotations are listed, without highlighting. "
            f"Get the text from its source and run <code>{_e(REHYDRATE)}</code> to add "
            "it, then render again.</div>"
        )

    def _span_table(self, layer: _Layer, spans: Sequence[Mapping[str, Any]], title: str) -> str:
        rows = "".join(
            f'<tr data-span="{_e(s.get("span_id"))}"><td>{_e(s.get("span_id"))}</td>'
            f"<td>{_e(s.get('layer'))}</td><td>{_e(s.get('label'))}</td>"
            f'<td class="num">{_e(s.get("start"))}</td><td class="num">{_e(s.get("end"))}</td>'
            f'<td dir="auto">{_e(s.get("text") if s.get("text") is not None else "—")}</td>'
            f"<td>{_e(s.get('entity_id') or s.get('claim_id') or '')}"
            f"{' (metonymy)' if s.get('metonymy') is True else ''}</td></tr>"
            for s in spans
        )
        return (
            f'<h3>{_e(title)} ({len(spans)})</h3><table class="spans"><thead><tr><th>id</th>'
            "<th>layer</th><th>label</th><th>start</th><th>end</th><th>text</th>"
            f"<th>entity / claim</th></tr></thead><tbody>{rows}</tbody></table>"
        )

    def _quote(self, layer: _Layer, span_id: Any) -> str:
        text = layer.span_text(span_id)
        shown = "—" if text is None else text
        return (
            f'<q data-ref="{_e(span_id)}" lang="{_e(self.lang)}" dir="{self.dir}">{_e(shown)}</q>'
        )

    def _frames(self, layer: _Layer) -> str:
        rows = []
        for frame in layer.frames:
            fid = str(frame.get("frame_id"))
            sources = frame.get("sources") or []
            contents = frame.get("contents") or []
            source_cell = "<br>".join(self._quote(layer, s) for s in sources) or (
                f"<i>{_e(frame.get('source_kind'))}</i>"
            )
            content_cell = "<br>".join(
                self._quote(layer, c) + self._claim_link(layer, c) for c in contents
            )
            parent = frame.get("parent")
            parent_cell = (
                f'<a href="#{layer.prefix}frame-{_e(parent)}">{_e(parent)}</a>' if parent else ""
            )
            kind = _e(frame.get("source_kind"))
            if frame.get("source_type"):
                kind += f" / {_e(frame.get('source_type'))}"
            rows.append(
                f'<tr class="frame" id="{layer.prefix}frame-{_e(fid)}" data-frame="{_e(fid)}" '
                f'data-cue="{_e(frame.get("cue"))}" '
                f'data-sources="{_e(" ".join(map(str, sources)))}" '
                f'data-contents="{_e(" ".join(map(str, contents)))}" tabindex="0">'
                f"<td>{_e(fid)}</td><td>{self._quote(layer, frame.get('cue'))}</td>"
                f"<td>{source_cell}</td><td>{content_cell}</td><td>{kind}</td>"
                f"<td>{parent_cell}</td></tr>"
            )
        return (
            f"<h3>Attribution frames ({len(layer.frames)})</h3>"
            '<table class="frames"><thead><tr><th>frame</th><th>cue</th><th>sources</th>'
            "<th>contents</th><th>source kind / type</th><th>parent</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )

    def _claim_link(self, layer: _Layer, span_id: Any) -> str:
        span = layer.by_id.get(str(span_id))
        claim_id = span.get("claim_id") if span else None
        if claim_id is None:
            return ""
        return (
            f' <a class="claim" data-claim="{_e(claim_id)}" href="#claim-{_e(claim_id)}">'
            f"claim {_e(claim_id)}</a>"
            if layer.key == GOLD
            else f' <a class="claim" data-claim="{_e(claim_id)}" '
            f'href="index.html#claim-{_e(claim_id)}">claim {_e(claim_id)}</a>'
        )

    def _stances(self, layer: _Layer) -> str:
        rows = []
        for stance in layer.stances:
            sid = str(stance.get("stance_id"))
            holder = stance.get("holder")
            holder_cell = self._quote(layer, holder) if holder is not None else "<i>the writer</i>"
            evidence = stance.get("evidence") or []
            rows.append(
                f'<tr class="stance" id="{layer.prefix}stance-{_e(sid)}" data-stance="{_e(sid)}" '
                f'data-holder="{_e(holder)}" data-target="{_e(stance.get("target"))}" '
                f'data-target-kind="{_e(stance.get("target_kind"))}" '
                f'data-evidence="{_e(" ".join(map(str, evidence)))}" tabindex="0">'
                f"<td>{_e(sid)}</td><td>{holder_cell}</td><td>{self._target(layer, stance)}</td>"
                f'<td class="polarity">{_e(stance.get("polarity"))}</td>'
                f"<td>{'<br>'.join(self._quote(layer, e) for e in evidence)}</td></tr>"
            )
        return (
            f"<h3>Stances ({len(layer.stances)})</h3>"
            '<table class="stances"><thead><tr><th>stance</th><th>holder</th><th>target</th>'
            "<th>polarity</th><th>evidence</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )

    def _target(self, layer: _Layer, stance: Mapping[str, Any]) -> str:
        kind, target = stance.get("target_kind"), stance.get("target")
        if kind in ("mention", "claim"):
            return (
                f"<i>{_e(kind)}</i> {self._quote(layer, target)}{self._claim_link(layer, target)}"
            )
        if kind == "entity":
            name = self.ctx.entities.get(str(target), {}).get("name")
            return f"<i>entity</i> {_e(target)}" + (f" ({_e(name)})" if name else "")
        if kind == "registered_claim":
            statement = self.ctx.claims.get(str(target), {}).get("statement")
            link = (
                f'<a class="claim" data-claim="{_e(target)}" href="index.html#claim-{_e(target)}">'
                f"{_e(target)}</a>"
            )
            return f"<i>registered claim</i> {link}" + (f": {_e(statement)}" if statement else "")
        return f"<i>{_e(kind)}</i> {_e(target)}"

    def _claims(self, layer: _Layer) -> str:
        cited: dict[str, None] = {}
        for span in layer.spans:
            if span.get("claim_id") is not None:
                cited[str(span["claim_id"])] = None
        for stance in layer.stances:
            if stance.get("target_kind") == "registered_claim":
                cited[str(stance.get("target"))] = None
        if not cited:
            return ""
        items = []
        for claim_id in cited:
            statement = self.ctx.claims.get(claim_id, {}).get("statement")
            others = []
            for citation in self.ctx.citations.get(claim_id, ()):
                if citation.doc_id == self.doc_id:
                    continue
                page = self.ctx.pages.get(citation.doc_id)
                label = _e(citation.doc_id)
                others.append(
                    f'<a data-doc="{label}" href="{_e(page)}#{_e(citation.anchor)}">{label}</a>'
                    if page
                    else f'<span data-doc="{label}">{label}</span>'
                )
            elsewhere = ", ".join(dict.fromkeys(others)) or "<i>no other document</i>"
            items.append(
                f'<li id="claim-{_e(claim_id)}" data-claim="{_e(claim_id)}">'
                f'<a href="index.html#claim-{_e(claim_id)}">{_e(claim_id)}</a>: '
                f"{_e(statement or '(not in the registry)')}"
                f'<div class="cited">also in: {elsewhere}</div></li>'
            )
        return f'<h3>Registered claims ({len(items)})</h3><ul class="claims">{"".join(items)}</ul>'

    def _disagreements(self, layer: _Layer, diff: LayerDifference) -> str:
        def span_item(owner: _Layer, sid: str) -> str:
            span = owner.by_id[sid]
            return (
                f'<li data-span="{_e(sid)}">{_e(span.get("label"))} '
                f"[{_e(span.get('start'))}, {_e(span.get('end'))}) "
                f"{self._quote(owner, sid)}</li>"
            )

        def count(kind: str, value: int, label: str) -> str:
            bad = " bad" if value else ""
            return f'<li>{label}: <span class="count{bad}" data-kind="{kind}">{value}</span></li>'

        counts = "".join(
            (
                count("extra-spans", len(diff.extra_spans), "spans not in gold (+)"),
                count("missing-spans", len(diff.missing_spans), "gold spans missing (\u2212)"),
                count("extra-frames", diff.extra_frames, "frames not in gold"),
                count("missing-frames", diff.missing_frames, "gold frames missing"),
                count("extra-stances", diff.extra_stances, "stances not in gold"),
                count("missing-stances", diff.missing_stances, "gold stances missing"),
            )
        )
        extra = "".join(span_item(layer, s) for s in diff.extra_spans)
        missing = "".join(span_item(self.gold, s) for s in diff.missing_spans)
        return (
            f'<h3>Disagreements with the gold</h3><ul class="disagreements">{counts}</ul>'
            f"<details><summary>spans not in gold ({len(diff.extra_spans)})</summary>"
            f'<ul class="extra">{extra}</ul></details>'
            f"<details><summary>gold spans missing ({len(diff.missing_spans)})</summary>"
            f'<ul class="missing">{missing}</ul></details>'
        )

    # -- the data the script reads -----------------------------------------------------

    def _data(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "layers": [self._layer_data(layer) for layer in (self.gold, *self.raw)],
        }

    def _layer_data(self, layer: _Layer) -> dict[str, Any]:
        stances = []
        for s in layer.stances:
            target_span = s.get("target") if s.get("target_kind") in ("mention", "claim") else None
            stances.append(
                {
                    "id": s.get("stance_id"),
                    "holder": s.get("holder"),
                    "target_span": target_span,
                    "evidence": list(s.get("evidence") or []),
                }
            )
        return {
            "key": layer.key,
            "section": layer.section,
            "spans": {str(s["span_id"]): [s["start"], s["end"]] for s in layer.shown},
            "frames": [
                {
                    "id": f.get("frame_id"),
                    "cue": f.get("cue"),
                    "sources": list(f.get("sources") or []),
                    "contents": list(f.get("contents") or []),
                }
                for f in layer.frames
            ],
            "stances": stances,
        }


def _body(layer: _Layer) -> dict[str, Any]:
    return {"spans": layer.spans, "attributions": layer.frames, "stances": layer.stances}


def schema_layer_labels(schema: Schema, name: str) -> tuple[str, ...]:
    layer = schema.layers.get(name)
    return layer.label_names if layer is not None else ()


def _entity_label_lists(schema: Schema) -> tuple[list[str], list[str]]:
    labels = schema_layer_labels(schema, ENTITY_LAYER)
    values = [n for n in labels if schema.is_value_label(n)]
    return [n for n in labels if n not in values], values


def build_page(
    doc: Mapping[str, Any], layers: Sequence[Mapping[str, Any]], context: Context
) -> str:
    """The HTML of one document's page: `doc` (a documents record, `text` may be None),
    its raw annotator layers (rows of `annotator_layers`), and the registries."""
    return _Page(doc, layers, context).html()
