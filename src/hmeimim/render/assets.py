"""The style sheet and the script every page inlines, and the colours of the labels.

Pages load nothing from anywhere: these constants are written into each page. Markers
(metonymy, disagreements) are CSS generated content, so that the text content of a
page stays exactly the document text.
"""

from __future__ import annotations

import re

# Name labels get a flat colour, value labels a striped one, so that the two kinds are
# told apart at a glance; labels past the palette reuse it in order.
NAME_COLOURS = ("#ffcdd2", "#c8e6c9", "#bbdefb", "#d1c4e9", "#ffe0b2", "#f8bbd0", "#b2dfdb")
VALUE_COLOURS = ("#b0bec5", "#bcaaa4", "#bdbdbd", "#aed581", "#fff176", "#dce775")


def css_name(label: str) -> str:
    """A label as a CSS class name part (labels are schema names, but stay safe)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", label)


def label_css(names: list[str], values: list[str]) -> str:
    rules = [
        f".e-{css_name(n)}{{background-color:{NAME_COLOURS[i % len(NAME_COLOURS)]}}}"
        for i, n in enumerate(names)
    ]
    rules += [
        f".e-{css_name(v)}{{background-image:repeating-linear-gradient(135deg,"
        f"{VALUE_COLOURS[i % len(VALUE_COLOURS)]} 0 3px,#fff 3px 6px)}}"
        for i, v in enumerate(values)
    ]
    return "\n".join(rules)


CSS = """
:root{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#1a1a1a;
  --cue:#b71c1c;--src:#0d47a1;--cont:#e65100;--st:#6a1b9a;--dis:#d50000;--miss:#1565c0}
body{margin:0 1rem 2rem;line-height:1.5}
header{border-bottom:1px solid #ccc;padding-bottom:.5rem}
h1{font-size:1.4rem;margin:.5rem 0}
h2{font-size:1.15rem;margin:.5rem 0}
h3{font-size:1rem;margin:1rem 0 .3rem}
table{border-collapse:collapse;font-size:.85rem;width:100%}
th,td{border:1px solid #ddd;padding:.15rem .35rem;vertical-align:top;text-align:start}
th{background:#f5f5f5}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:0 1rem;font-size:.85rem;margin:0}
dl.meta dt{font-weight:600}
dl.meta dd{margin:0}
.legend{display:flex;flex-wrap:wrap;gap:.3rem .6rem;font-size:.8rem;margin:.5rem 0}
.legend .key{padding:0 .3rem;border:1px solid #ddd;border-radius:3px}
.tabs{display:flex;flex-wrap:wrap;gap:.3rem;margin:.5rem 0}
.tabs button{font:inherit;font-size:.85rem;padding:.2rem .6rem;border:1px solid #888;
  background:#fff;border-radius:3px;cursor:pointer}
.tabs button[aria-selected=true]{background:#263238;color:#fff}
.layer{display:none}
.layer.active{display:block}
.cols{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1rem}
body.compare .layers{display:grid;grid-auto-flow:column;grid-auto-columns:minmax(24rem,1fr);
  gap:1rem;overflow-x:auto}
body.compare .layer{display:block}
body.compare .cols{grid-template-columns:minmax(0,1fr)}
.text{white-space:pre-wrap;overflow-wrap:anywhere;font-size:1rem;line-height:1.9;
  border:1px solid #ddd;padding:.6rem;background:#fff}
.text[dir=rtl]{font-size:1.1rem}
.side{font-size:.85rem}
.s{border-radius:2px}
.a-CUE{font-weight:700;color:var(--cue)}
.a-SOURCE{box-shadow:inset 0 2px 0 var(--src)}
.a-CONTENT{border-bottom:2px solid var(--cont)}
.st{text-decoration:underline wavy var(--st);text-decoration-skip-ink:none}
.meto{font-style:italic}
.meto-end::after{content:"\\1D39";color:#333;font-size:.75em;vertical-align:super}
.dis{outline:1px dashed var(--dis)}
.dis-end::after{content:"+";color:var(--dis);font-weight:700;font-size:.8em;vertical-align:super}
.miss{box-shadow:inset 0 -3px 0 var(--miss)}
.miss-end::after{content:"\\2212";color:var(--miss);font-weight:700;font-size:.8em;
  vertical-align:super}
.dis.miss-end::after,.dis-end.miss-end::after{content:"\\00B1"}
.hl{outline:2px solid #222;outline-offset:1px;background-color:#fff59d}
.hl-cue{outline-color:var(--cue)}
.hl-src{outline-color:var(--src)}
.hl-cont{outline-color:var(--cont)}
.hl-ev{outline-color:var(--st)}
.hl-holder{outline-color:var(--src)}
.hl-target{outline-color:#2e7d32}
tr.hl{background:#fff59d;outline:2px solid #222}
tr[data-rel]{cursor:pointer}
[data-spans][tabindex]:focus,tr[tabindex]:focus{outline:3px solid #0277bd}
.count{font-weight:700}
.bad{color:var(--dis)}
.notice{border:2px solid #e65100;background:#fff3e0;padding:.6rem;margin:.5rem 0}
.notice code{background:#fff;padding:0 .2rem}
q{quotes:none}
.cited{font-size:.8rem}
.num{text-align:end}
"""


SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("hm-data").textContent);
  var ROLES = ["hl", "hl-cue", "hl-src", "hl-cont", "hl-ev", "hl-holder", "hl-target"];
  data.layers.forEach(function (layer) {
    var section = document.getElementById(layer.section);
    if (!section) { return; }
    var segs = {};
    section.querySelectorAll(".text [data-spans]").forEach(function (el) {
      el.getAttribute("data-spans").split(" ").forEach(function (id) {
        (segs[id] = segs[id] || []).push(el);
      });
    });
    var related = {};
    var relations = [];
    function relate(parts, hovered, row) {
      var rel = {parts: parts, row: row};
      relations.push(rel);
      hovered.forEach(function (id) {
        if (id !== null && id !== undefined) { (related[id] = related[id] || []).push(rel); }
      });
    }
    layer.frames.forEach(function (f) {
      var parts = [[f.cue, "hl-cue"]];
      f.sources.forEach(function (s) { parts.push([s, "hl-src"]); });
      f.contents.forEach(function (c) { parts.push([c, "hl-cont"]); });
      var row = section.querySelector('tr[data-frame="' + f.id + '"]');
      relate(parts, parts.map(function (p) { return p[0]; }), row);
    });
    layer.stances.forEach(function (s) {
      var parts = s.evidence.map(function (e) { return [e, "hl-ev"]; });
      if (s.holder) { parts.push([s.holder, "hl-holder"]); }
      if (s.target_span) { parts.push([s.target_span, "hl-target"]); }
      var row = section.querySelector('tr[data-stance="' + s.id + '"]');
      relate(parts, s.evidence, row);
    });
    relations.forEach(function (rel, index) {
      if (rel.row) { rel.row.setAttribute("data-rel", String(index)); }
    });
    var lit = [];
    function clear() {
      lit.forEach(function (el) { el.classList.remove.apply(el.classList, ROLES); });
      lit = [];
    }
    function light(rels) {
      clear();
      rels.forEach(function (rel) {
        rel.parts.forEach(function (part) {
          (segs[part[0]] || []).forEach(function (el) {
            el.classList.add("hl", part[1]);
            lit.push(el);
          });
        });
        if (rel.row) { rel.row.classList.add("hl"); lit.push(rel.row); }
      });
    }
    function inside(a, b) {
      var x = layer.spans[a], y = layer.spans[b];
      return x && y && y[0] <= x[0] && x[1] <= y[1] && (x[1] - x[0]) < (y[1] - y[0]);
    }
    // The innermost spans with a frame or stance win: hovering a cue inside a content
    // shows the cue's frame, not the frame whose content holds it.
    function relationsOf(el) {
      var ids = el.getAttribute("data-spans").split(" ").filter(function (id) {
        return related[id];
      });
      var inner = ids.filter(function (a) {
        return !ids.some(function (b) { return b !== a && inside(b, a); });
      });
      var out = [];
      inner.forEach(function (id) {
        related[id].forEach(function (rel) { if (out.indexOf(rel) < 0) { out.push(rel); } });
      });
      return out;
    }
    function show(target) {
      var seg = target.closest ? target.closest(".text [data-spans]") : null;
      if (seg && section.contains(seg)) { light(relationsOf(seg)); return; }
      var row = target.closest ? target.closest("tr[data-rel]") : null;
      if (row && section.contains(row)) {
        light([relations[Number(row.getAttribute("data-rel"))]]);
        return;
      }
      clear();
    }
    section.addEventListener("mouseover", function (e) { show(e.target); });
    section.addEventListener("mouseleave", clear);
    section.addEventListener("focusin", function (e) { show(e.target); });
    section.addEventListener("focusout", clear);
  });
  var buttons = document.querySelectorAll(".tabs button[data-show]");
  function select(button) {
    var which = button.getAttribute("data-show");
    document.body.classList.toggle("compare", which === "compare");
    buttons.forEach(function (b) { b.setAttribute("aria-selected", String(b === button)); });
    document.querySelectorAll(".layers > .layer").forEach(function (section) {
      section.classList.toggle("active", section.id === which);
    });
  }
  buttons.forEach(function (b) {
    b.addEventListener("click", function () { select(b); });
  });
})();
"""
