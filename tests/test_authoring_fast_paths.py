"""The quick paths of reading and writing authoring files say what the slow ones say.

`authoring.conformance` answers "this record conforms" without `jsonschema`, and
`authoring.write` writes most flow lines without the YAML emitter. Neither may change a
finding or a byte: a record the quick check accepts has no `jsonschema` error, and a
line written directly is the line the emitter writes.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from hmeimim.authoring.conformance import compile_conformance
from hmeimim.authoring.sources import _jsonable, _StrictValidator, read_sources
from hmeimim.authoring.write import _yaml_flow, dump_yaml
from hmeimim.schema.declaration import load_schema
from hmeimim.schema.jsonschema import record_json_schema

SCHEMA = load_schema()
DOCS = record_json_schema(SCHEMA, "documents")
LAYERS = record_json_schema(SCHEMA, "annotator_layers")
SEED = read_sources(ROOT / "corpus" / "sources", SCHEMA).records


def _errors(instance: Any, json_schema: dict[str, Any]) -> list[jsonschema.ValidationError]:
    validator = _StrictValidator(json_schema, format_checker=_StrictValidator.FORMAT_CHECKER)
    return list(validator.iter_errors(_jsonable(instance)))


def _doc() -> dict[str, Any]:
    return copy.deepcopy(next(d for d in SEED.documents if d["spans"]))


def test_the_seed_documents_take_the_quick_path() -> None:
    conforms = compile_conformance(DOCS)
    assert conforms is not None
    assert SEED.documents
    assert all(conforms(_jsonable(d)) for d in SEED.documents)
    layers = compile_conformance(LAYERS)
    assert layers is not None
    assert all(layers(layer) for layer in SEED.annotator_layers)


def _set_published(doc: dict[str, Any], value: Any) -> None:
    doc["published"] = value


BROKEN = {
    "float offset": lambda d: d["spans"][0].update(start=float(d["spans"][0]["start"])),
    "bool offset": lambda d: d["spans"][0].update(end=True),
    "unknown label": lambda d: d["spans"][0].update(label="per"),
    "extra span key": lambda d: d["spans"][0].update(colour="red"),
    "missing span key": lambda d: d["spans"][0].pop("layer"),
    "bad span id": lambda d: d["spans"][0].update(span_id="a b"),
    "offset too large": lambda d: d["spans"][0].update(end=2**31),
    "spans not a list": lambda d: d.update(spans=tuple(d["spans"])),
    "missing doc key": lambda d: d.pop("language"),
    "impossible date": lambda d: _set_published(d, "2024-02-30"),
    "date with text": lambda d: _set_published(d, "2024-02-03x"),
    "metonymy as string": lambda d: d["spans"][0].update(metonymy="yes"),
    "null text_length": lambda d: d.update(text_length=None),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_record_is_left_to_jsonschema(name: str) -> None:
    doc = _doc()
    BROKEN[name](doc)
    conforms = compile_conformance(DOCS)
    assert conforms is not None
    assert _errors(doc, DOCS), "the mutation must break the record"
    assert not conforms(_jsonable(doc))


def test_a_date_object_conforms_as_jsonschema_sees_it() -> None:
    doc = _doc()
    doc["published"] = dt.date(2024, 2, 29)
    conforms = compile_conformance(DOCS)
    assert conforms is not None
    assert conforms(_jsonable(doc))
    assert not _errors(doc, DOCS)


@pytest.mark.parametrize(
    "json_schema",
    [
        {"type": "string", "minLength": 1},
        {"type": "number"},
        {"type": "object", "additionalProperties": {"type": "string"}},
        {"enum": [1, 2]},
        {"type": "string", "format": "email"},
        {"$ref": "https://example.invalid/other.json"},
    ],
)
def test_a_keyword_it_does_not_know_means_no_quick_path(json_schema: dict[str, Any]) -> None:
    assert compile_conformance(json_schema) is None


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["PER", "yes", "on", "null", "1", "5.0", "x", ""]),
    st.lists(st.integers(), max_size=2),
)
SPAN_KEYS = ["span_id", "start", "end", "text", "layer", "label", "entity_id", "metonymy"]


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_quick_yes_implies_no_jsonschema_error(data: st.DataObject) -> None:
    doc = _doc()
    span = doc["spans"][data.draw(st.integers(0, len(doc["spans"]) - 1))]
    for key in data.draw(st.lists(st.sampled_from([*SPAN_KEYS, "other"]), max_size=3)):
        span[key] = data.draw(VALUES)
    if data.draw(st.booleans()):
        doc[data.draw(st.sampled_from(["language", "published", "provenance", "text_length"]))] = (
            data.draw(VALUES)
        )
    conforms = compile_conformance(DOCS)
    assert conforms is not None
    if conforms(_jsonable(doc)):
        assert not _errors(doc, DOCS)


# -- flow lines written directly --------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "line"),
    [
        ({"text": "Russia's envoy", "n": 3}, "{text: Russia's envoy, n: 3}"),
        ({"text": "yes", "ok": True}, "{text: 'yes', ok: true}"),
        ({"text": "a: b", "x": None}, "{text: 'a: b', x: null}"),
        ({"text": "14 December"}, "{text: 14 December}"),
        ({"text": "دمشق"}, "{text: دمشق}"),
        ({"text": "€12 million, paid"}, "{text: '€12 million, paid'}"),
    ],
)
def test_flow_lines_by_hand(item: dict[str, Any], line: str) -> None:
    assert _yaml_flow(item) == line


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.dates(),
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=6),
    st.sampled_from(["yes", "No", "null", "~", "1e3", "0x1F", "2024-01-01", "a #b", "a:b", "-a"]),
)


@settings(max_examples=600, deadline=None)
@given(st.dictionaries(st.sampled_from(["span_id", "text", "label", "a b", "yes"]), SCALARS))
def test_flow_lines_are_what_the_emitter_writes(item: dict[str, Any]) -> None:
    assert _yaml_flow(item) == dump_yaml(item, flow=True).strip()
