"""The hand-derived HF features JSON agrees with `datasets`' own Arrow conversion."""

from __future__ import annotations

import json

import datasets
import pyarrow.parquet as pq
import pytest

from hmeimim.schema.declaration import TABLES, load_schema, read_schema
from hmeimim.storage.releases import SCHEMA_COPY, inputs_dir, read_manifest, release_dir


@pytest.mark.parametrize("table", TABLES)
def test_stored_features_equal_datasets_conversion_of_the_bare_arrow_schema(table: str) -> None:
    arrow = load_schema().arrow_schema(table)
    stored = json.loads(arrow.metadata[b"huggingface"])["info"]["features"]
    # Without the metadata, datasets derives the features from the Arrow types alone.
    converted = datasets.Features.from_arrow_schema(arrow.remove_metadata()).to_dict()
    assert stored == converted
    # Equal as dicts, not as text: datasets writes "_type" last, the stored JSON first, and
    # the stored order is in the bytes of every released Parquet.
    first_keys = {next(iter(feature)) for feature in stored.values() if "_type" in feature}
    assert first_keys == {"_type"}


def test_released_parquet_carries_the_json_of_its_own_schema() -> None:
    # v1.0.0 was written with the hand-derived JSON ("_type" first): rebuilding it from
    # its kept schema gives the same metadata, byte for byte.
    schema = read_schema(inputs_dir("1.0.0") / SCHEMA_COPY)
    folder = release_dir("1.0.0")
    for name, entry in read_manifest(folder)["files"].items():
        stored = pq.read_schema(folder / name).metadata[b"huggingface"]
        assert stored == schema.arrow_schema(entry["table"]).metadata[b"huggingface"], name
