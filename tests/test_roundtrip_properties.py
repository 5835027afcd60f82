"""Whole generated corpora survive Parquet, the authoring YAML and Label Studio unchanged.

The strategies build valid corpora from the declaration in schema/hmeimim.yaml: one to
three documents whose texts mix Latin, Arabic (with harakat), astral emoji (a ZWJ
sequence, a flag, a skin tone), combining marks that NFC keeps, tabs, no-break spaces
and newlines; spans on every layer with the schema's labels, some of them inside one
word (so a span may start on a combining mark or split an emoji sequence), name
mentions with an entity and a metonymy flag, value mentions with neither, CONTENT
spans with or without a registry claim; attribution frames and stances whose endpoints
follow the frames' label rules (targets of every kind the schema declares, registry
claims among them); an entity registry; a claim registry (possibly empty); raw
annotator layers. Ids are drawn so that YAML-lookalikes ("null", "007",
"2024-12-20") and ids shared between a span, a frame and a stance turn up often.
Every generated corpus is validated first: that checks the generator, not the code
under test.

The oracles compare the generated dicts themselves, put in a comparable form by
`_plain` and `_comparable` below (dates as ISO strings, missing optional fields as
None, records ordered by their ids). They never call the package's readers or writers.

The tests at the end of the file pin three bugs these properties found (fixed): U+0085
NEXT LINE in a string of the authoring YAML, a line break in the `origin` comment of a
written folder, and a stance id equal to a frame id of the same document.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ls_support import as_label_studio_export, to_crlf

from conftest import fingerprint
from hmeimim.authoring.sources import read_sources
from hmeimim.authoring.write import write_sources_folder
from hmeimim.labelstudio.importer import import_export
from hmeimim.labelstudio.tasks import build_tasks
from hmeimim.model import CorpusRecords
from hmeimim.schema.declaration import Endpoint, load_schema
from hmeimim.storage.records import read_release_records
from hmeimim.storage.writer import write_release
from hmeimim.validation.validate import validate_corpus

REPO = Path(__file__).resolve().parent.parent
SCHEMA = load_schema()
ANNOTATOR = "ann@example.com"  # the annotator `as_label_studio_export` writes
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- the declaration, as the generator uses it ---------------------------------------------

LAYERS = {name: layer.label_names for name, layer in SCHEMA.layers.items()}
ENTITY = "entity"
NAME_LABELS = [label for label in LAYERS[ENTITY] if not SCHEMA.is_value_label(label)]
VALUE_LABELS = [label for label in LAYERS[ENTITY] if SCHEMA.is_value_label(label)]
assert NAME_LABELS
assert VALUE_LABELS
ATTRIBUTION = SCHEMA.frames["attribution"]
STANCE = SCHEMA.frames["stance"]
ENUMS = {name: tuple(values) for name, values in SCHEMA.enums.items()}
PATTERNS = SCHEMA.id_patterns
LabelKey = tuple[str, str]


def _keys(endpoint: Endpoint) -> list[LabelKey]:
    """The (layer, label) pairs a role may point to."""
    return [
        (layer, label)
        for layer in endpoint.layers
        for label in endpoint.labels
        if label in LAYERS.get(layer, ())
    ]


CUE_KEYS = _keys(ATTRIBUTION["cue"])
SOURCE_KEYS = _keys(ATTRIBUTION["sources"])
CONTENT_KEYS = _keys(ATTRIBUTION["contents"])
HOLDER_KEYS = _keys(STANCE["holder"])
EVIDENCE_KEYS = _keys(STANCE["evidence"])
MENTION_KEYS = _keys(STANCE["target_mention"])
CLAIM_KEYS = _keys(STANCE["target_claim"])
assert all([CUE_KEYS, SOURCE_KEYS, CONTENT_KEYS, HOLDER_KEYS, EVIDENCE_KEYS, MENTION_KEYS])
assert CLAIM_KEYS
assert "registered_claim" in SCHEMA.enums["target_kind"]

# -- texts -----------------------------------------------------------------------------------

# Pieces without whitespace; each is put in NFC here, before any offset is computed.
RAW_WORDS = [
    "Moscow",
    "said",
    "Hmeimim",
    "al-Sham",
    "O\u2019Neil",
    "cafe\u0301",  # NFC composes this to "café" (5 -> 4 code points)
    "q\u0307",  # no precomposed form: the combining dot stays
    "a\u0301\u0323",  # NFC reorders the marks and composes one: "ạ\u0301"
    "\u044e\u0301",  # Cyrillic with a combining acute that stays
    "C:\\new",  # a literal backslash-n, which Label Studio sometimes writes for a newline
    "موسكو",
    "قالَ",
    "الشاهدُ",
    "إنّ",
    "دمشق",
    "🚀",
    "👀",
    "👩\u200d🚀",  # a ZWJ sequence
    "🇸🇾",
    "👍🏽",
    "Moscow👀",
    "قال🚀",
    "«",
    ",",
    ".",
]
WORDS = [unicodedata.normalize("NFC", word) for word in RAW_WORDS]
assert all(w and not any(ch.isspace() for ch in w) for w in WORDS)
assert all(not unicodedata.combining(w[0]) for w in WORDS)  # joined words stay NFC
assert any(unicodedata.category(ch) == "Mn" for w in WORDS for ch in w)
assert any(ord(ch) > 0xFFFF for w in WORDS for ch in w)
GAPS = [" ", " ", " ", "  ", "\n", "\n\n", "\t", "\u00a0", " \n"]
EDGES = ["", "", "", "\n", " "]


@st.composite
def texts(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    """A stored text (NFC, `\\n` only) and the (start, end) of each of its words."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=10))
    gaps = draw(st.lists(st.sampled_from(GAPS), min_size=len(words), max_size=len(words)))
    text = draw(st.sampled_from(EDGES))
    bounds = []
    for n, word in enumerate(words):
        if n:
            text += gaps[n]
        bounds.append((len(text), len(text) + len(word)))
        text += word
    text += draw(st.sampled_from(EDGES))
    assert unicodedata.is_normalized("NFC", text)
    assert "\r" not in text
    return text, bounds


@st.composite
def positions(draw: st.DrawFn, bounds: list[tuple[int, int]]) -> tuple[int, int]:
    """Half-open code-point offsets without outer whitespace: a run of 1-3 words, or a
    part of one word (which may start on a combining mark or cut an emoji sequence)."""
    i = draw(st.integers(0, len(bounds) - 1))
    start, end = bounds[i]
    if end - start >= 2 and draw(st.integers(0, 3)) == 0:
        a = draw(st.integers(start, end - 1))
        return a, draw(st.integers(a + 1, end))
    j = draw(st.integers(i, min(i + 2, len(bounds) - 1)))
    return start, bounds[j][1]


# -- ids ---------------------------------------------------------------------------------------

ID_CHARS = "ABCXYZabcxyz0123456789_-"
YAMLISH = ["null", "true", "No", "on", "0", "007", "1_0", "1e5", "2024-12-20", "-", "_", "NaN"]
# span, frame and stance ids share one strategy, so the kinds often share an id.
RECORD_IDS = st.sampled_from([*YAMLISH, "a", "b", "1"]) | st.text(ID_CHARS, min_size=1, max_size=4)
DOC_IDS = st.sampled_from(["null", "true", "yes", "2024-12-20", "0123", "nan"]) | st.from_regex(
    r"[a-z0-9][a-z0-9-]{2,7}", fullmatch=True
)
ENTITY_IDS = st.sampled_from(["null", "no", "on", "2024-12-20", "0123", "1e5"]) | st.from_regex(
    r"[a-z0-9][a-z0-9-]{1,6}", fullmatch=True
)
CLAIM_IDS = st.sampled_from(["null", "no", "on", "2024-12-20", "0123", "1e5"]) | st.from_regex(
    r"[a-z0-9][a-z0-9-]{1,6}", fullmatch=True
)
ANNOTATORS = st.sampled_from(
    [".", "..", "a.yaml", "x@y.org", "null", "007", "-", "Ann_1", ANNOTATOR]
) | st.from_regex(r"[A-Za-z0-9_.@-]{1,8}", fullmatch=True)
LANGUAGES = st.sampled_from(["en", "ar", "ar-SY", "fr", "zh-Hant-TW", "ast"])
# Free metadata strings: YAML lookalikes, quotes, outer spaces, newlines, any code point.
TRICKY = ["", " ", "null", "~", "yes", "2024-12-20", "'", '"', ": x", "# x", " lead", "trail "]
FREE_TEXT = (
    st.sampled_from(TRICKY)
    | st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
    | st.sampled_from(["a\nb", "\tx", "x\n", "a\u2028b", "\ufeff", "a\x85b"])
    | st.text(st.characters(codec="utf-8"), max_size=8)
)
OPTIONAL_TEXT = st.none() | FREE_TEXT


class Ids:
    """Fresh ids of one kind, unique within `used` (a document, a layer or the corpus)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def fresh(self, draw: st.DrawFn, pattern: str) -> str:
        candidate = draw(RECORD_IDS)
        while candidate in self.used:
            candidate = f"{candidate}{len(self.used)}"
        assert re.fullmatch(PATTERNS[pattern], candidate), candidate
        self.used.add(candidate)
        return candidate


class Namespaces:
    def __init__(self) -> None:
        self.spans, self.frames, self.stances = Ids(), Ids(), Ids()


# -- annotations ----------------------------------------------------------------------------


@st.composite
def annotations(
    draw: st.DrawFn,
    text: str,
    bounds: list[tuple[int, int]],
    registry: list[str],
    claims: list[str],
    ids: Namespaces,
    ls_safe: bool,
) -> dict[str, list[dict[str, Any]]]:
    """Spans, frames and stances on one text.

    `ls_safe` keeps to what docs/labelstudio.md says Label Studio can carry (E715): each
    frame has a cue of its own, and stances that share their first evidence span (the
    hub) share holder, polarity and evidence and differ in target. Otherwise a cue may
    serve two frames and a hub may be reused freely, which the schema allows.
    `registry` holds the entity ids, `claims` the claim ids (maybe none).
    """
    spans: list[dict[str, Any]] = []

    def new_span(key: LabelKey) -> dict[str, Any]:
        start, end = draw(positions(bounds))
        layer, label = key
        is_name = layer == ENTITY and label in NAME_LABELS
        is_content = key in CONTENT_KEYS
        span = {
            "span_id": ids.spans.fresh(draw, "span_id"),
            "start": start,
            "end": end,
            "text": text[start:end],
            "layer": layer,
            "label": label,
            "entity_id": draw(st.sampled_from(registry)) if is_name else None,
            "metonymy": draw(st.booleans()) if is_name else None,
            "claim_id": None,
        }
        if is_content and claims:
            span["claim_id"] = draw(st.none() | st.sampled_from(claims))
        spans.append(span)
        return span

    def some_span(keys: list[LabelKey]) -> dict[str, Any]:
        fitting = [s for s in spans if (s["layer"], s["label"]) in keys]
        if fitting and draw(st.booleans()):
            return draw(st.sampled_from(fitting))
        return new_span(draw(st.sampled_from(keys)))

    def distinct(keys: list[LabelKey], low: int, high: int | None) -> list[dict[str, Any]]:
        """low..high spans (high None: a few more than low), new or already there."""
        chosen: dict[str, dict[str, Any]] = {}
        for _ in range(draw(st.integers(low, max(low, high if high is not None else low + 2)))):
            span = some_span(keys)
            chosen.setdefault(span["span_id"], span)
        return list(chosen.values())

    every_key = [(layer, label) for layer, labels in LAYERS.items() for label in labels]
    for _ in range(draw(st.integers(0, 3))):
        new_span(draw(st.sampled_from(every_key)))

    frames: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 2))):
        cue = new_span(draw(st.sampled_from(CUE_KEYS))) if ls_safe else some_span(CUE_KEYS)
        kind = draw(st.sampled_from(ENUMS["source_kind"]))
        explicit = kind == "explicit"
        role = ATTRIBUTION["sources"]
        sources = distinct(SOURCE_KEYS, max(1, role.min), role.max) if explicit else []
        role = ATTRIBUTION["contents"]
        contents = distinct(CONTENT_KEYS, role.min, role.max)
        contents.sort(key=lambda s: (s["start"], s["end"], s["span_id"]))  # "in text order"
        types = st.sampled_from(ENUMS["source_type"])
        frames.append(
            {
                "frame_id": ids.frames.fresh(draw, "frame_id"),
                "cue": cue["span_id"],
                "sources": [s["span_id"] for s in sources],
                "contents": [s["span_id"] for s in contents],
                "source_kind": kind,
                "source_type": draw(types if explicit else st.none() | types),
                # Only an earlier frame can be the parent: no cycles.
                "parent": draw(st.none() | st.sampled_from([f["frame_id"] for f in frames]))
                if frames
                else None,
            }
        )

    stances: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 2))):
        hub = (
            new_span(draw(st.sampled_from(EVIDENCE_KEYS))) if ls_safe else some_span(EVIDENCE_KEYS)
        )
        role = STANCE["evidence"]
        more = None if role.max is None else role.max - 1
        others = [s for s in distinct(EVIDENCE_KEYS, role.min - 1, more) if s is not hub]
        holder = some_span(HOLDER_KEYS) if draw(st.booleans()) else None
        polarity = draw(st.sampled_from(ENUMS["polarity"]))
        targets: dict[tuple[str, str], None] = {}
        for _ in range(draw(st.integers(1, 2))):
            kind = draw(st.sampled_from(ENUMS["target_kind"]))
            if kind == "entity":
                targets[(kind, draw(st.sampled_from(registry)))] = None
            elif kind == "registered_claim":
                if claims:
                    targets[(kind, draw(st.sampled_from(claims)))] = None
            else:
                span = some_span(MENTION_KEYS if kind == "mention" else CLAIM_KEYS)
                targets[(kind, span["span_id"])] = None
        for kind, target in targets:
            stances.append(
                {
                    "stance_id": ids.stances.fresh(draw, "stance_id"),
                    "holder_kind": "writer" if holder is None else "span",
                    "holder": None if holder is None else holder["span_id"],
                    "target_kind": kind,
                    "target": target,
                    "polarity": polarity,
                    "evidence": [hub["span_id"], *(s["span_id"] for s in others)],
                }
            )
    return {
        "spans": spans,
        "attributions": draw(st.permutations(frames)),  # a parent may come after its child
        "stances": stances,
    }


@st.composite
def corpora(draw: st.DrawFn, ls_safe: bool = False) -> CorpusRecords:
    """A valid corpus: 1-3 documents, a registry of 1-3 entities, 0-2 raw layers each
    (`ls_safe` as for `annotations`)."""
    entity_ids = draw(st.lists(ENTITY_IDS, min_size=1, max_size=3, unique=True))
    entities = [
        {
            "entity_id": entity_id,
            "name": draw(FREE_TEXT),
            "type": draw(st.sampled_from(NAME_LABELS)),
            "wikidata": draw(st.none() | st.integers(1, 10**12).map(lambda n: f"Q{n}")),
            "description": draw(OPTIONAL_TEXT),
        }
        for entity_id in entity_ids
    ]
    claim_ids = draw(st.lists(CLAIM_IDS, max_size=3, unique=True))
    claims = [
        {
            "claim_id": claim_id,
            "statement": draw(FREE_TEXT),
            "description": draw(OPTIONAL_TEXT),
        }
        for claim_id in claim_ids
    ]
    gold_ids = Namespaces()  # gold ids are unique in the whole corpus
    documents, layers = [], []
    for doc_id in draw(st.lists(DOC_IDS, min_size=1, max_size=3, unique=True)):
        text, bounds = draw(texts())
        gold = draw(annotations(text, bounds, entity_ids, claim_ids, gold_ids, ls_safe))
        documents.append(
            {
                "doc_id": doc_id,
                "text": text,
                **fingerprint(text),
                "title": draw(OPTIONAL_TEXT),
                "published": draw(st.none() | st.dates()),
                "language": draw(LANGUAGES),
                "outlet": draw(OPTIONAL_TEXT),
                "url": draw(OPTIONAL_TEXT),
                "author": draw(OPTIONAL_TEXT),
                "provenance": draw(st.sampled_from(ENUMS["provenance"])),
                "license": draw(OPTIONAL_TEXT),
                "split": draw(st.sampled_from(ENUMS["split"])),
                **gold,
            }
        )
        for annotator in draw(st.lists(ANNOTATORS, max_size=2, unique=True)):
            # Raw layers have ids of their own (they may repeat the gold's).
            raw = draw(annotations(text, bounds, entity_ids, claim_ids, Namespaces(), ls_safe))
            layers.append({"doc_id": doc_id, "annotator": annotator, **raw})
    records = CorpusRecords(
        documents=documents, annotator_layers=layers, entities=entities, claims=claims
    )
    findings = validate_corpus(records, schema=SCHEMA)
    assert findings == [], f"the generator made an invalid corpus: {findings}"
    return records


# -- the oracle's comparable form -------------------------------------------------------------

DOC_COLUMNS = [c.name for c in SCHEMA.tables["documents"]]
LAYER_COLUMNS = [c.name for c in SCHEMA.tables["annotator_layers"]]
ENTITY_COLUMNS = [c.name for c in SCHEMA.tables["entities"]]
CLAIM_COLUMNS = [c.name for c in SCHEMA.tables["claims"]]
NESTED = {"spans": "span", "attributions": "attribution", "stances": "stance"}
NESTED_COLUMNS = {key: [c.name for c in SCHEMA.structs[s]] for key, s in NESTED.items()}


def _plain(value: Any) -> Any:
    """Dates as ISO strings, tuples as lists; everything else as it is."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _row(record: dict[str, Any], columns: list[str]) -> dict[str, Any]:
    """The record's columns (a missing optional one as None), nested items likewise."""
    row = {name: _plain(record.get(name)) for name in columns}
    for key, item_columns in NESTED_COLUMNS.items():
        if key in row:
            row[key] = [{n: _plain(item.get(n)) for n in item_columns} for item in row[key] or []]
    return row


def _comparable(records: CorpusRecords) -> dict[str, list[dict[str, Any]]]:
    return {
        "documents": sorted(
            (_row(d, DOC_COLUMNS) for d in records.documents), key=lambda r: r["doc_id"]
        ),
        "annotator_layers": sorted(
            (_row(r, LAYER_COLUMNS) for r in records.annotator_layers),
            key=lambda r: (r["doc_id"], r["annotator"]),
        ),
        "entities": sorted(
            (_row(e, ENTITY_COLUMNS) for e in records.entities), key=lambda r: r["entity_id"]
        ),
        "claims": sorted(
            (_row(c, CLAIM_COLUMNS) for c in records.claims), key=lambda r: r["claim_id"]
        ),
    }


def _assert_same(actual: CorpusRecords, expected: CorpusRecords) -> None:
    got, want = _comparable(actual), _comparable(expected)
    for table in want:
        assert len(got[table]) == len(want[table]), table
        for a, b in zip(got[table], want[table], strict=True):
            assert a == b
    assert got == want


def _assert_exact_columns(records: CorpusRecords, ordered: bool = True) -> None:
    """A reader gives the schema's columns, no more and no fewer (in schema order)."""

    def keys(names: Any) -> Any:
        return list(names) if ordered else set(names)

    for columns, rows in (
        (DOC_COLUMNS, records.documents),
        (LAYER_COLUMNS, records.annotator_layers),
        (ENTITY_COLUMNS, records.entities),
        (CLAIM_COLUMNS, records.claims),
    ):
        for row in rows:
            assert keys(row) == keys(columns)
            for key, item_columns in NESTED_COLUMNS.items():
                for item in row.get(key) or []:
                    assert keys(item) == keys(item_columns)


def _assert_span_texts(records: CorpusRecords) -> None:
    texts = {d["doc_id"]: d["text"] for d in records.documents}
    for row in [*records.documents, *records.annotator_layers]:
        for span in row["spans"]:
            assert span["text"] == texts[row["doc_id"]][span["start"] : span["end"]]


@contextmanager
def _scratch() -> Iterator[Path]:
    """A fresh folder per example (pytest's tmp_path is shared by all examples)."""
    folder = Path(tempfile.mkdtemp(prefix="hmeimim-roundtrip-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- 1. Parquet ----------------------------------------------------------------------------------


def _write_parquet(folder: Path, records: CorpusRecords) -> Path:
    return write_release(
        folder,
        records=records,
        schema=SCHEMA,
        version="1.0.0",
        released="2026-01-01",
        parent=None,
        sources_digest="0" * 64,
    )


@SETTINGS
@given(records=corpora())
def test_parquet_release_round_trip(records: CorpusRecords) -> None:
    with _scratch() as tmp:
        folder = _write_parquet(tmp / "v1.0.0", records)
        read = read_release_records(folder).records
    _assert_exact_columns(read)
    _assert_same(read, records)
    _assert_span_texts(read)


# -- 2. Authoring YAML --------------------------------------------------------------------------


@SETTINGS
@given(records=corpora())
def test_authoring_yaml_round_trip(records: CorpusRecords) -> None:
    with _scratch() as tmp:
        folder = write_sources_folder(
            tmp / "sources", records=records, origin="test", schema=SCHEMA
        )
        read = read_sources(folder, SCHEMA)
    assert read.findings == []
    _assert_exact_columns(read.records, ordered=False)
    _assert_same(read.records, records)
    _assert_span_texts(read.records)


# -- 3. Label Studio ----------------------------------------------------------------------------


def _text_order(ids: list[str], spans: dict[str, dict[str, Any]]) -> list[str]:
    return sorted(ids, key=lambda i: (spans[i]["start"], spans[i]["end"], i))


def _in_text_order(ids: list[str], spans: dict[str, dict[str, Any]]) -> bool:
    places = [(spans[i]["start"], spans[i]["end"]) for i in ids]
    return places == sorted(places)


def _assert_label_studio_gold(imported: dict[str, Any], text: str) -> None:
    """Lists that come back in text order are in text order (ties in any order)."""
    spans = {s["span_id"]: s for s in imported["spans"]}
    for span in imported["spans"]:
        assert span["text"] == text[span["start"] : span["end"]]
    for frame in imported["attributions"]:
        assert _in_text_order(frame["sources"], spans)
        assert _in_text_order(frame["contents"], spans)
    for stance in imported["stances"]:
        assert _in_text_order(stance["evidence"][1:], spans)


def _label_studio_form(gold: dict[str, Any]) -> dict[str, Any]:
    """Gold in the form the comparison after Label Studio uses, on both sides.

    docs/labelstudio.md says the import puts a frame's sources and contents, and a
    stance's evidence after the hub (its first span), into text order ("Sources and
    contents are kept in text order"; "Evidence is the hub first, then the other
    evidence spans in text order"). So their generated order legitimately does not
    survive: those lists are compared in text order, and the order of spans at the
    very same offsets, which the docs leave open, as ordered by id.
    `_assert_label_studio_gold` checks separately that the import gives text order.
    Spans, frames and stances are compared by id; every field of them must survive.
    """
    spans = {s["span_id"]: s for s in gold["spans"]}
    frames = [
        {
            **f,
            "sources": _text_order(f["sources"], spans),
            "contents": _text_order(f["contents"], spans),
        }
        for f in gold["attributions"]
    ]
    stances = [
        {**s, "evidence": [s["evidence"][0], *_text_order(s["evidence"][1:], spans)]}
        for s in gold["stances"]
    ]
    return {
        "spans": sorted(gold["spans"], key=lambda s: s["span_id"]),
        "attributions": sorted(frames, key=lambda f: f["frame_id"]),
        "stances": sorted(stances, key=lambda s: s["stance_id"]),
    }


@st.composite
def label_studio_cases(draw: st.DrawFn) -> tuple[CorpusRecords, set[str], bool, bool]:
    """A corpus Label Studio can carry, which documents the base release already holds
    (with empty gold), whether the export JSON escapes non-ASCII characters, and whether
    the new documents arrive with `\r\n` line endings."""
    records = draw(corpora(ls_safe=True))
    doc_ids = [d["doc_id"] for d in records.documents]
    in_base = set(draw(st.lists(st.sampled_from(doc_ids), unique=True)))
    return records, in_base, draw(st.booleans()), draw(st.booleans())


@SETTINGS
@given(case=label_studio_cases())
def test_label_studio_round_trip(case: tuple[CorpusRecords, set[str], bool, bool]) -> None:
    records, in_base, ascii_json, crlf = case
    empty = {"spans": [], "attributions": [], "stances": []}
    base = CorpusRecords(
        documents=[{**d, **empty} for d in records.documents if d["doc_id"] in in_base],
        annotator_layers=[r for r in records.annotator_layers if r["doc_id"] in in_base],
        entities=records.entities,
        claims=records.claims,
    )
    tasks = build_tasks(records.documents, version="1.0.0", as_="annotations", schema=SCHEMA)
    export = as_label_studio_export(tasks, annotator=ANNOTATOR)
    if crlf:
        # A document made outside the corpus may come back with `\r\n` line endings
        # and offsets counted in that text; the import maps them back (docs/labelstudio.md).
        # Only new documents: a base document's text must be unchanged (E712).
        export = [t if t["data"]["doc_id"] in in_base else to_crlf(t) for t in export]
    with _scratch() as root, pytest.MonkeyPatch.context() as patch:
        shutil.copytree(REPO / "schema", root / "schema")
        _write_parquet(root / "corpus" / "v1.0.0", base)
        path = root / "export.json"
        path.write_text(json.dumps(export, ensure_ascii=ascii_json), encoding="utf-8")
        patch.setenv("HMEIMIM_ROOT", str(root))
        result = import_export(path, base="1.0.0", schema=SCHEMA)
    assert result.findings == []
    assert result.notices == []

    # Expected: every document with its generated metadata and gold (as the import
    # documents it), the base registries, the base raw layers plus one layer per task by
    # the exporting annotator, holding that task's gold.
    expected_docs = {d["doc_id"]: d for d in records.documents}
    expected_layers = {(r["doc_id"], r["annotator"]): r for r in base.annotator_layers}
    for doc_id, doc in expected_docs.items():
        gold = {key: doc[key] for key in ("spans", "attributions", "stances")}
        expected_layers[(doc_id, ANNOTATOR)] = {"doc_id": doc_id, "annotator": ANNOTATOR, **gold}

    imported = result.records
    for doc in imported.documents:
        _assert_label_studio_gold(doc, doc["text"])
    for layer in imported.annotator_layers:
        if layer["annotator"] == ANNOTATOR:
            _assert_label_studio_gold(layer, expected_docs[layer["doc_id"]]["text"])

    def ordered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**r, **_label_studio_form(r)} for r in rows]

    got = CorpusRecords(
        documents=ordered(imported.documents),
        annotator_layers=ordered(imported.annotator_layers),
        entities=imported.entities,
        claims=imported.claims,
    )
    want = CorpusRecords(
        documents=ordered(list(expected_docs.values())),
        annotator_layers=ordered(list(expected_layers.values())),
        entities=records.entities,
        claims=records.claims,
    )
    _assert_same(got, want)


# -- known bugs: each fails until src/ is fixed -------------------------------------------


def _small_document(text: str, **fields: Any) -> dict[str, Any]:
    document = {
        "doc_id": "small-doc",
        "text": text,
        **fingerprint(text),
        "title": None,
        "published": None,
        "language": "en",
        "outlet": None,
        "url": None,
        "author": None,
        "provenance": "constructed",
        "license": None,
        "split": "train",
        "spans": [],
        "attributions": [],
        "stances": [],
    }
    return {**document, **fields}


def _span(span_id: str, layer: str, label: str, text: str, start: int, end: int) -> dict[str, Any]:
    return {
        "span_id": span_id,
        "start": start,
        "end": end,
        "text": text[start:end],
        "layer": layer,
        "label": label,
        "entity_id": None,
    }


def test_authoring_yaml_keeps_next_line() -> None:
    text = "Moscow\x85said"
    document = _small_document(
        text, title="a\x85b", spans=[_span("s1", "stance", "STANCE", text, 0, 10)]
    )
    entity = {"entity_id": "moscow", "name": "Mos\x85cow", "type": "GPE"}
    records = CorpusRecords(documents=[document], entities=[entity])
    assert validate_corpus(records, schema=SCHEMA) == []
    with _scratch() as tmp:
        folder = write_sources_folder(
            tmp / "sources", records=records, origin="test", schema=SCHEMA
        )
        read = read_sources(folder, SCHEMA)
    assert read.findings == []
    _assert_same(read.records, records)  # today: title "a b", span text "Moscow sai"


@pytest.mark.parametrize("origin", ["/tmp/a\nb.json", "/tmp/a\rb.json", "/tmp/a\u2028b.json"])
def test_authoring_yaml_origin_with_a_line_break(origin: str) -> None:
    records = CorpusRecords(documents=[_small_document("x")])
    with _scratch() as tmp:
        folder = write_sources_folder(
            tmp / "sources", records=records, origin=origin, schema=SCHEMA
        )
        read = read_sources(folder, SCHEMA)
    assert read.findings == []
    _assert_same(read.records, records)


def test_label_studio_stance_id_equal_to_a_frame_id() -> None:
    text = "Moscow said it."
    document = _small_document(
        text,
        spans=[
            _span("c1", "attribution", "CUE", text, 7, 11),
            _span("t1", "attribution", "CONTENT", text, 12, 14),
            _span("v1", "stance", "STANCE", text, 0, 6),
        ],
        attributions=[
            {
                "frame_id": "x",
                "cue": "c1",
                "sources": [],
                "contents": ["t1"],
                "source_kind": "implicit",
                "source_type": None,
                "parent": None,
            }
        ],
        stances=[
            {
                "stance_id": "x",
                "holder_kind": "writer",
                "holder": None,
                "target_kind": "claim",
                "target": "t1",
                "polarity": "favor",
                "evidence": ["v1"],
            }
        ],
    )
    records = CorpusRecords(documents=[document])
    assert validate_corpus(records, schema=SCHEMA) == []
    tasks = build_tasks([document], version="1.0.0", as_="annotations", schema=SCHEMA)
    with _scratch() as root, pytest.MonkeyPatch.context() as patch:
        shutil.copytree(REPO / "schema", root / "schema")
        _write_parquet(root / "corpus" / "v1.0.0", CorpusRecords())
        path = root / "export.json"
        path.write_text(json.dumps(as_label_studio_export(tasks)), encoding="utf-8")
        patch.setenv("HMEIMIM_ROOT", str(root))
        result = import_export(path, base="1.0.0", schema=SCHEMA)
    assert result.findings == []
    assert result.notices == []  # today: E713, "stance_id line 'x t1' ... was dropped"
    [imported] = result.records.documents
    assert imported["stances"] == document["stances"]  # today: stance_id "v1-s1"
