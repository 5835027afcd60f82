"""The DuckDB engine gives exactly the findings of the Python checks, on any input.

Every comparison is of whole findings (code, file, doc_id, record_id, message) in
report order, and every run checks that DuckDB really decided which rows to check
(a silent fall back to the Python checks would make the comparison empty).
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from release_support import rehash

from conftest import ROOT
from hmeimim.actions import validate_paths
from hmeimim.errors import CODES
from hmeimim.storage.parquet import read_records, write_parquet
from hmeimim.storage.releases import read_manifest, release_schema
from hmeimim.validation import engine, validate
from hmeimim.validation.rules import NFC_STABLE, rule_set, whitespace_class
from hmeimim.validation.validate import relaxed_type

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "invalid"
FINDING_CODES = sorted(code for code, spec in CODES.items() if spec.kind == "finding")
RELEASES = sorted(p for p in (ROOT / "corpus").glob("v*") if p.is_dir())
LATEST = ROOT / "corpus" / "v1.2.0"
Record = dict[str, Any]


@pytest.fixture
def fallbacks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files DuckDB could not flag (the Python checks then took every row)."""
    failed: list[str] = []
    flag = engine.flag_rows

    def spy(*args: Any, **kwargs: Any) -> engine.Flagged | None:
        result = flag(*args, **kwargs)
        if result is None:
            failed.append(str(args[1]))
        return result

    monkeypatch.setattr(validate, "flag_rows", spy)
    return failed


def _findings(paths: list[Path], engine_name: str) -> list[dict[str, Any]]:
    return [f.to_dict() for f in validate_paths(paths, engine=engine_name).findings]


def _same(paths: list[Path], fallbacks: list[str]) -> list[dict[str, Any]]:
    duck, python = _findings(paths, "duckdb"), _findings(paths, "python")
    assert duck == python
    assert fallbacks == []
    return duck


@pytest.mark.parametrize("code", FINDING_CODES)
def test_every_fixture_gives_the_same_findings(code: str, fallbacks: list[str]) -> None:
    expected = json.loads((FIXTURES / code / "expected.json").read_text())
    found = _same([FIXTURES / code / expected["target"]], fallbacks)
    assert sorted((f["code"], f["doc_id"], f["record_id"]) for f in found) == sorted(
        (f["code"], f["doc_id"], f["record_id"]) for f in expected["findings"]
    )


@pytest.mark.parametrize("release", RELEASES, ids=lambda p: p.name)
def test_the_releases_are_clean_under_both_engines(release: Path, fallbacks: list[str]) -> None:
    assert _same([release], fallbacks) == []


def test_a_clean_release_sends_no_row_to_python(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[engine.Flagged | None] = []
    flag = engine.flag_rows

    def spy(*args: Any, **kwargs: Any) -> engine.Flagged | None:
        seen.append(flag(*args, **kwargs))
        return seen[-1]

    monkeypatch.setattr(validate, "flag_rows", spy)
    assert validate_paths([LATEST]).ok
    [flagged] = seen
    assert flagged is not None
    assert flagged.documents == [[], [], []]
    assert flagged.layers == []


# -- corrupted copies of the latest release ------------------------------------------------

# An Arabic sentence with combining marks (fatha, damma, shadda, sukun) after astral
# emoji with a skin tone: offsets in code points differ from bytes, UTF-16 units and
# graphemes all at once.
ARABIC = "🚀👍🏽 café — قالَ الشاهدُ إنّ موسكو غادرتْ حميميم."


def _release(tmp_path: Path) -> Path:
    folder = tmp_path / "v1.2.0"
    shutil.copytree(LATEST, folder)
    return folder


def _check(folder: Path, fallbacks: list[str]) -> list[tuple[Any, ...]]:
    schema = release_schema(LATEST, read_manifest(LATEST))
    final = LATEST.parent / "checked" / folder.name
    runs = [
        [
            f.to_dict()
            for f in validate.validate_staged_release(
                folder, schema=schema, final=final, engine=name
            )
        ]
        for name in ("duckdb", "python")
    ]
    assert runs[0] == runs[1]
    assert fallbacks == []
    return [(f["code"], f["doc_id"], f["record_id"]) for f in runs[0]]


def _rewrite(folder: Path, name: str, edit: Callable[[list[Record]], None]) -> None:
    schema = release_schema(LATEST, read_manifest(LATEST))
    table = "annotator_layers" if name == "annotators.parquet" else "documents"
    records = read_records(folder / name)
    edit(records)
    # Every field nullable (as other writers mark them), so that nulls reach the checks.
    arrow = schema.arrow_schema(table)
    relaxed = pa.schema(
        [pa.field(f.name, relaxed_type(f.type)) for f in arrow], metadata=arrow.metadata
    )
    write_parquet(pa.Table.from_pylist(records, schema=relaxed), folder / name)
    rehash(folder, name, rows=len(records))


def _with_arabic(doc: Record) -> None:
    """Add ARABIC after the text, a span in it, and fresh fingerprints."""
    doc["text"] = doc["text"] + "\n\n" + ARABIC
    doc["text_sha256"] = hashlib.sha256(doc["text"].encode("utf-8")).hexdigest()
    doc["text_length"] = len(doc["text"])
    quote = "حميميم"
    start = doc["text"].index(quote)
    doc["spans"].append(
        {
            "span_id": "arabic-after-emoji",
            "start": start,
            "end": start + len(quote),
            "text": quote,
            "layer": "entity",
            "label": "FAC",
            "entity_id": doc["spans"][0]["entity_id"]
            if doc["spans"][0]["layer"] == "entity"
            else None,
            "metonymy": False,
            "claim_id": None,
        }
    )


def _entity_span(doc: Record) -> Record:
    return next(s for s in doc["spans"] if s["layer"] == "entity" and s["entity_id"])


def _arabic_off_by_one(docs: list[Record]) -> None:
    _with_arabic(docs[0])
    docs[0]["spans"][-1]["start"] += 1


def _arabic_fine(docs: list[Record]) -> None:
    _with_arabic(docs[0])
    docs[0]["spans"][-1]["entity_id"] = _entity_span(docs[1])["entity_id"]


def _duplicate_span_id(docs: list[Record]) -> None:
    docs[3]["spans"][2]["span_id"] = docs[1]["spans"][5]["span_id"]


def _dangling_cue(docs: list[Record]) -> None:
    docs[2]["attributions"][0]["cue"] = "no-such-span"


def _nfd_text(docs: list[Record]) -> None:
    doc = docs[6]  # French: accents decompose
    doc["text"] = unicodedata.normalize("NFD", doc["text"])


def _bad_enum(docs: list[Record]) -> None:
    docs[4]["attributions"][1]["source_kind"] = "rumour"
    docs[5]["stances"][0]["polarity"] = "meh"


def _duplicate_doc(docs: list[Record]) -> None:
    docs.append(copy.deepcopy(docs[2]))


def _parent_cycle(docs: list[Record]) -> None:
    frames = docs[7]["attributions"]
    frames[0]["parent"], frames[1]["parent"] = frames[1]["frame_id"], frames[0]["frame_id"]


def _whitespace_edge(docs: list[Record]) -> None:
    span = next(s for s in docs[8]["spans"] if docs[8]["text"][s["end"]] == " ")
    span["end"] += 1
    span["text"] = docs[8]["text"][span["start"] : span["end"]]


def _unknown_entity(docs: list[Record]) -> None:
    _entity_span(docs[9])["entity_id"] = "no-such-entity"
    docs[10]["spans"][0]["layer"] = "stance"


CORRUPTIONS: dict[str, Callable[[list[Record]], None]] = {
    "arabic-off-by-one": _arabic_off_by_one,
    "arabic-fine": _arabic_fine,
    "duplicate-span-id": _duplicate_span_id,
    "dangling-cue": _dangling_cue,
    "nfd-text": _nfd_text,
    "bad-enum": _bad_enum,
    "duplicate-doc": _duplicate_doc,
    "parent-cycle": _parent_cycle,
    "whitespace-edge": _whitespace_edge,
    "unknown-entity": _unknown_entity,
}
EXPECTED = {
    "arabic-off-by-one": {"E203"},
    "arabic-fine": set(),
    "duplicate-span-id": {"E201"},
    "dangling-cue": {"E302"},
    "nfd-text": {"E103", "E318"},
    "bad-enum": {"E105"},
    "duplicate-doc": {"E102", "E009"},
    "parent-cycle": {"E306"},
    "whitespace-edge": {"E204"},
    "unknown-entity": {"E207", "E206"},
}


@pytest.mark.parametrize("case", sorted(CORRUPTIONS))
def test_corrupted_documents_give_the_same_findings(
    case: str, tmp_path: Path, fallbacks: list[str]
) -> None:
    folder = _release(tmp_path)
    _rewrite(folder, "train.parquet", CORRUPTIONS[case])
    codes = {code for code, _, _ in _check(folder, fallbacks)}
    assert EXPECTED[case] <= codes
    if not EXPECTED[case]:
        assert codes == set()


def test_all_corruptions_at_once_and_in_the_layers(tmp_path: Path, fallbacks: list[str]) -> None:
    folder = _release(tmp_path)

    def everything(docs: list[Record]) -> None:
        for corrupt in CORRUPTIONS.values():
            corrupt(docs)

    _rewrite(folder, "train.parquet", everything)

    def layers(rows: list[Record]) -> None:
        rows[0]["spans"][0]["start"] = -1
        rows[1]["doc_id"] = "no-such-document"
        rows[2]["attributions"][0]["contents"] = []
        # Raw layers repeat the gold ids: only a repeat within a layer is a finding.
        rows[3]["spans"][1]["span_id"] = rows[3]["spans"][0]["span_id"]

    _rewrite(folder, "annotators.parquet", layers)
    codes = {code for code, _, _ in _check(folder, fallbacks)}
    assert {"E201", "E202", "E302", "E304", "E103", "E306"} <= codes


def test_layer_offsets_checked_a_document_at_a_time_find_the_same(
    tmp_path: Path, fallbacks: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The layers' offsets are joined with their texts a range of documents at a time;
    with ranges of one document every layer span is still checked against its own text."""
    monkeypatch.setattr(engine, "LAYER_CHUNK", 1)
    folder = _release(tmp_path)

    def layers(rows: list[Record]) -> None:
        assert len({row["doc_id"] for row in rows}) > 2  # several ranges, not one
        rows[0]["spans"][0]["start"] = -1
        rows[-1]["spans"][0]["end"] = rows[-1]["spans"][0]["end"] + 1
        rows[1]["doc_id"] = "no-such-document"

    _rewrite(folder, "annotators.parquet", layers)
    found = _check(folder, fallbacks)
    offsets = [f for f in found if f[0] in ("E202", "E203")]
    assert len(offsets) >= 2
    assert "E302" in {code for code, _, _ in found}


def test_a_standoff_document_and_its_layers(tmp_path: Path, fallbacks: list[str]) -> None:
    folder = _release(tmp_path)

    def withhold(docs: list[Record]) -> None:
        docs[0]["text"] = None
        for span in docs[0]["spans"]:
            span["text"] = None
        docs[0]["spans"][1]["end"] = docs[0]["text_length"] + 1
        docs[1]["text"] = None  # spans still quote it: E319

    _rewrite(folder, "train.parquet", withhold)
    codes = {code for code, _, _ in _check(folder, fallbacks)}
    assert {"E202", "E319", "E321"} <= codes


_MUTABLE = ("spans", "attributions", "stances", "document")
_DOCUMENT_KEYS = ("doc_id", "split", "perspective", "language", "provenance", "text_length")
_DOCUMENT_KEYS += ("text_sha256", "title", "text", "annotator")
_ITEM_KEYS = ("span_id", "start", "end", "text", "layer", "label", "entity_id", "metonymy")
_ITEM_KEYS += ("claim_id", "frame_id", "cue", "source_kind", "source_type", "parent")
_ITEM_KEYS += ("stance_id", "holder_kind", "holder", "target_kind", "target", "polarity")
_VALUES = st.one_of(
    st.none(),
    st.sampled_from(["", " x", "entity", "CUE", "PER", "explicit", "writer", "span", "mention"]),
    st.sampled_from(["s1", "f1", "no-such", "entity", "claim", "Q1", "é", "e\u0301", "🚀"]),
    st.sampled_from(["train", "test", "analyst", "libyan", "published", "en", "c02-en-x"]),
    st.integers(min_value=-2, max_value=4000),
    st.booleans(),
)
# (file, row, list or "document", item, key, value)
Mutation = tuple[str, int, str, int, str, Any]


@st.composite
def _mutations(draw: st.DrawFn) -> list[Mutation]:
    out = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        file = draw(st.sampled_from(["train.parquet", "train.parquet", "annotators.parquet"]))
        row = draw(st.integers(min_value=0, max_value=40))
        kind = draw(st.sampled_from(_MUTABLE))
        keys = _DOCUMENT_KEYS if kind == "document" else _ITEM_KEYS
        key = draw(st.sampled_from(keys))
        item = draw(st.integers(min_value=0, max_value=200))
        out.append((file, row, kind, item, key, draw(_VALUES)))
    return out


def _typed(record: Record, key: str, value: Any) -> Any:
    """`value` as the type the column holds (Arrow refuses others), else the old value."""
    old = record.get(key)
    if key in ("start", "end", "text_length"):
        return value if isinstance(value, int) and not isinstance(value, bool) else old
    if key == "metonymy":
        return value if value is None or isinstance(value, bool) else old
    if key == "text" and isinstance(old, str) and isinstance(value, str):
        return old[:40] + value + "\r" * (value == "") + old[40:]  # shifts every span
    return value if value is None or isinstance(value, str) else old


def _mutate(rows: list[Record], mutations: list[Mutation], file: str) -> None:
    for target, row, kind, index, key, value in mutations:
        if target != file:
            continue
        record = rows[row % len(rows)]
        if kind == "document":
            item = record
        elif record[kind]:
            item = record[kind][index % len(record[kind])]
        else:
            continue
        if key in item:
            item[key] = _typed(item, key, value)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(mutations=_mutations())
def test_random_mutations_give_the_same_findings(
    mutations: list[Mutation],
    tmp_path_factory: pytest.TempPathFactory,
    fallbacks: list[str],
) -> None:
    folder = _release(tmp_path_factory.mktemp("mutated"))
    for name in ("train.parquet", "annotators.parquet"):
        if any(m[0] == name for m in mutations):
            _rewrite(folder, name, lambda rows, name=name: _mutate(rows, mutations, name))
    _check(folder, fallbacks)


# -- what the rules rely on -------------------------------------------------------------------


def test_duckdb_counts_code_points() -> None:
    """length() and substring() count code points: not bytes, UTF-16 units or graphemes."""
    texts = [
        ARABIC,
        "👍🏽x",
        "e\u0301e",
        "cafe\u0301 🚀 قالَ",
        "بِسْمِ اللَّهِ",
        "a\U0001f680b",
        ARABIC * 3,
    ]
    con = duckdb.connect()
    for text in texts:
        for start in range(len(text)):
            for end in range(start + 1, min(len(text), start + 6) + 1):
                got = con.execute(
                    "SELECT length($t), substring($t, $s + 1, $e - $s)",
                    {"t": text, "s": start, "e": end},
                ).fetchone()
                assert got == (len(text), text[start:end])


def test_duckdb_fingerprints_and_nfc_agree_with_python() -> None:
    con = duckdb.connect()
    for text in [ARABIC, unicodedata.normalize("NFD", ARABIC), "café", "cafe\u0301", "\u212b"]:
        digest, nfc = con.execute(
            "SELECT sha256($t), nfc_normalize($t) = $t", {"t": text}
        ).fetchone() or (None, None)
        assert digest == hashlib.sha256(text.encode("utf-8")).hexdigest()
        assert nfc == unicodedata.is_normalized("NFC", text)


def test_nfc_stable_characters_never_change_under_nfc() -> None:
    """Each character of NFC_STABLE: combining class 0, its own NFC, and never the
    second part of a canonical decomposition (so nothing before it can absorb it)."""
    second: set[int] = set()
    for code in range(sys.maxunicode + 1):
        decomposition = unicodedata.decomposition(chr(code))
        if decomposition and not decomposition.startswith("<"):
            second.update(int(part, 16) for part in decomposition.split()[1:])
    for low, high in NFC_STABLE:
        for code in range(low, high + 1):
            char = chr(code)
            assert unicodedata.combining(char) == 0, hex(code)
            assert unicodedata.normalize("NFC", char) == char, hex(code)
            assert code not in second, hex(code)


def test_the_whitespace_class_is_what_strip_removes() -> None:
    chars = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    con = duckdb.connect()
    pattern = f"^{whitespace_class()}$"
    for code in [*map(ord, chars), ord("a"), 0x200B, 0xFEFF, 0x3000]:
        char = chr(code)
        matched = con.execute("SELECT regexp_matches($c, $p)", {"c": char, "p": pattern})
        assert (matched.fetchone() or (None,))[0] == (char in chars), hex(code)


def test_rules_cover_every_row_code() -> None:
    schema = release_schema(LATEST, read_manifest(LATEST))
    codes: set[str] = set()
    for table in ("documents", "annotator_layers"):
        rules = rule_set(schema, table, entities_known=True, claims_known=True)
        codes |= {c for r in rules.rules for c in r.codes}
        codes |= {c for q in rules.queries for c in q.codes}
    row_codes = {"E007", *(f"E{n}" for n in range(101, 107)), *(f"E{n}" for n in range(201, 210))}
    row_codes |= {f"E{n}" for n in (301, 302, 303, 304, 305, 306, 310, 311, 312, 313, 314)}
    row_codes |= {"E317", "E318", "E319", "E320"}
    assert row_codes <= codes


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="engine"):
        validate.validate_paths([LATEST], engine="polars")
