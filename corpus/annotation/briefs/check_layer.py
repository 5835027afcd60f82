"""Self-check for one annotation file: python check_layer.py TEXT.txt LAYER.yaml [ENTITIES.yaml ...]

Checks offsets, slices, labels, required fields and references against schema/hmeimim.yaml.
It does not judge whether an annotation is right; the guidelines do."""
import sys, yaml
import os
SCHEMA = yaml.safe_load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "hmeimim.yaml"), encoding="utf-8"))
text = open(sys.argv[1], encoding="utf-8").read()
layer = yaml.safe_load(open(sys.argv[2], encoding="utf-8")) or {}
registry = set()
for extra in sys.argv[3:]:
    for e in yaml.safe_load(open(extra, encoding="utf-8")) or []:
        registry.add(e["entity_id"])
problems = []
def bad(msg): problems.append(msg)
for key in layer:
    if key not in ("spans", "attributions", "stances"):
        bad(f"unknown top-level key {key!r}")
labels = {name: spec["labels"] for name, spec in SCHEMA["layers"].items()}
spans = {}
for s in layer.get("spans") or []:
    sid = s.get("span_id")
    if sid in spans: bad(f"duplicate span_id {sid}")
    spans[sid] = s
    for f in ("span_id", "layer", "label", "start", "end", "text"):
        if f not in s: bad(f"{sid}: missing {f}")
    if not isinstance(s.get("start"), int) or not isinstance(s.get("end"), int) or not 0 <= s["start"] < s["end"] <= len(text):
        bad(f"{sid}: bad offsets {s.get('start')}..{s.get('end')}"); continue
    if text[s["start"]:s["end"]] != s.get("text"):
        bad(f"{sid}: text {s.get('text')!r} != slice {text[s['start']:s['end']]!r}")
    sl = text[s["start"]:s["end"]]
    if sl != sl.strip(): bad(f"{sid}: outer whitespace")
    if s.get("layer") not in labels or s.get("label") not in labels.get(s.get("layer"), {}):
        bad(f"{sid}: unknown layer/label {s.get('layer')}/{s.get('label')}"); continue
    spec = labels[s["layer"]][s["label"]]
    kind = spec.get("kind")
    if kind == "name":
        if not s.get("entity_id"): bad(f"{sid}: name mention needs entity_id")
        elif registry and s["entity_id"] not in registry: bad(f"{sid}: entity_id {s['entity_id']} not in the registry or your new entities")
        if s.get("metonymy") not in (True, False): bad(f"{sid}: name mention needs metonymy true/false")
    else:
        if s.get("entity_id") is not None: bad(f"{sid}: entity_id must be null here")
        if s.get("metonymy") is not None: bad(f"{sid}: metonymy must be null here")
    if s.get("claim_id") is not None: bad(f"{sid}: leave claim_id null (the adjudicator links claims)")
def need(sid, owner, role, allowed):
    if sid not in spans: bad(f"{owner}: {role} {sid!r} is not a span id"); return
    if spans[sid]["label"] not in allowed: bad(f"{owner}: {role} {sid!r} has label {spans[sid]['label']}, allowed {allowed}")
frames = set()
for fr in layer.get("attributions") or []:
    fid = fr.get("frame_id")
    if fid in frames: bad(f"duplicate frame_id {fid}")
    frames.add(fid)
    need(fr.get("cue"), fid, "cue", ["CUE"])
    for x in fr.get("sources") or []: need(x, fid, "source", ["SOURCE"])
    if not fr.get("contents"): bad(f"{fid}: needs contents")
    for x in fr.get("contents") or []: need(x, fid, "content", ["CONTENT"])
    sk = fr.get("source_kind")
    if sk not in SCHEMA["enums"]["source_kind"]: bad(f"{fid}: bad source_kind {sk}")
    if sk == "explicit" and (not fr.get("sources") or fr.get("source_type") not in SCHEMA["enums"]["source_type"]):
        bad(f"{fid}: explicit needs sources and a source_type")
    if sk in ("writer", "implicit") and fr.get("sources"): bad(f"{fid}: {sk} frames have no sources")
for fr in layer.get("attributions") or []:
    if fr.get("parent") is not None and fr["parent"] not in frames: bad(f"{fr.get('frame_id')}: parent {fr['parent']} unknown")
stances = set()
for st in layer.get("stances") or []:
    sid = st.get("stance_id")
    if sid in stances: bad(f"duplicate stance_id {sid}")
    stances.add(sid)
    if st.get("holder_kind") == "writer":
        if st.get("holder") is not None: bad(f"{sid}: writer stance has holder null")
    elif st.get("holder_kind") == "span":
        need(st.get("holder"), sid, "holder", ["SOURCE", "PER", "ORG", "GPE", "NORP"])
    else: bad(f"{sid}: bad holder_kind")
    tk = st.get("target_kind")
    if tk == "mention": need(st.get("target"), sid, "target", ["PER", "ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT"])
    elif tk == "claim": need(st.get("target"), sid, "target", ["CONTENT"])
    elif tk == "entity":
        if registry and st.get("target") not in registry: bad(f"{sid}: entity target {st.get('target')} not in the registry or your new entities")
    else: bad(f"{sid}: bad target_kind {tk} (use mention, entity or claim)")
    if st.get("polarity") not in SCHEMA["enums"]["polarity"]: bad(f"{sid}: bad polarity")
    if not st.get("evidence"): bad(f"{sid}: needs evidence")
    for x in st.get("evidence") or []: need(x, sid, "evidence", ["STANCE"])
n = {k: len(layer.get(k) or []) for k in ("spans", "attributions", "stances")}
print(f"{n['spans']} spans, {n['attributions']} frames, {n['stances']} stances")
for p in problems: print("PROBLEM:", p)
print("clean" if not problems else f"{len(problems)} problem(s)")
sys.exit(1 if problems else 0)
