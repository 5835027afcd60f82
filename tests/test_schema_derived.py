"""The schema is declared once; everything derived from it must match it."""

from __future__ import annotations

import json

import datasets
import pyarrow as pa

from hmeimim.publish.derived import stale_files
from hmeimim.schema.declaration import TABLES, load_schema


def test_no_derived_file_is_stale() -> None:
    assert stale_files() == []


def test_every_label_has_a_definition_and_an_example() -> None:
    schema = load_schema()
    for layer in schema.layers.values():
        assert layer.labels, layer.name
        for label in layer.labels:
            assert label.definition.strip(), label.name
            assert label.example.strip(), label.name


def test_label_names_are_unique_across_layers() -> None:
    labels = load_schema().enum_values("labels")
    assert len(labels) == len(set(labels))


def test_hf_features_live_in_the_arrow_metadata_and_rebuild_from_it() -> None:
    schema = load_schema()
    for table in TABLES:
        arrow = schema.arrow_schema(table)
        stored = json.loads(arrow.metadata[b"huggingface"])["info"]["features"]
        rebuilt = datasets.Features.from_dict(stored)
        assert rebuilt == datasets.Features.from_arrow_schema(arrow)
        assert rebuilt.arrow_schema.names == arrow.names


def test_lists_of_records_are_lists_of_dicts_not_dicts_of_lists() -> None:
    features = load_schema().hf_features("documents")
    for column in ("spans", "attributions", "stances"):
        assert isinstance(features[column], datasets.List), column
        assert isinstance(features[column].feature, dict), column


def test_required_columns_are_non_nullable_in_arrow() -> None:
    schema = load_schema()
    arrow = schema.arrow_schema("documents")
    assert not arrow.field("doc_id").nullable
    assert arrow.field("title").nullable
    span_type = arrow.field("spans").type.value_type
    assert isinstance(span_type, pa.StructType)
    assert not span_type.field("start").nullable
    assert span_type.field("entity_id").nullable
