"""The schema declaration (`schema/hmeimim.yaml`) and everything derived from it.

This module owns reading the declaration and deriving the Arrow schemas and the
Hugging Face features. The Arrow schema of every table carries the HF features in its
metadata (the `huggingface` key), so `datasets` rebuilds them from the Parquet alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from hmeimim.errors import HmeimimError
from hmeimim.paths import schema_dir

SCHEMA_FILE = "hmeimim.yaml"
TABLES = ("documents", "annotator_layers", "entities")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool
    description: str
    enum: str | None = None
    pattern: str | None = None
    ref: str | None = None


@dataclass(frozen=True)
class Label:
    name: str
    definition: str
    example: str


@dataclass(frozen=True)
class Layer:
    name: str
    description: str
    labels: tuple[Label, ...]

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels)


@dataclass(frozen=True)
class Endpoint:
    """Which spans a frame or stance role may point to, and how many."""

    layers: tuple[str, ...]
    labels: tuple[str, ...]
    min: int
    max: int | None


@dataclass(frozen=True)
class Schema:
    version: str
    enums: dict[str, dict[str, str]]
    layers: dict[str, Layer]
    frames: dict[str, dict[str, Endpoint]]
    id_patterns: dict[str, str]
    structs: dict[str, tuple[Column, ...]]
    tables: dict[str, tuple[Column, ...]]
    table_descriptions: dict[str, str]

    def enum_values(self, name: str) -> tuple[str, ...]:
        """Allowed values of an enum, including the derived `layers`, `labels`, `entity_labels`."""
        if name == "layers":
            return tuple(self.layers)
        if name == "labels":
            return tuple(label for layer in self.layers.values() for label in layer.label_names)
        if name == "entity_labels":
            return self.layers["entity"].label_names
        return tuple(self.enums[name])

    def layer_of_label(self, label: str) -> str | None:
        for layer in self.layers.values():
            if label in layer.label_names:
                return layer.name
        return None

    def arrow_schema(self, table: str) -> pa.Schema:
        fields = [self._arrow_field(column) for column in self.tables[table]]
        features = _features_from_fields(fields)
        metadata = {
            b"huggingface": json.dumps({"info": {"features": features}}).encode(),
            b"hmeimim.schema_version": self.version.encode(),
            b"hmeimim.table": table.encode(),
        }
        return pa.schema(fields, metadata=metadata)

    def _arrow_type(self, type_name: str) -> pa.DataType:
        if type_name == "string":
            return pa.string()
        if type_name == "int32":
            return pa.int32()
        if type_name == "date":
            return pa.date32()
        if type_name.startswith("list<") and type_name.endswith(">"):
            inner = type_name[5:-1]
            if inner in self.structs:
                struct_fields = [self._arrow_field(column) for column in self.structs[inner]]
                return pa.list_(pa.struct(struct_fields))
            return pa.list_(self._arrow_type(inner))
        raise ValueError(f"unknown column type {type_name!r} in {SCHEMA_FILE}")

    def _arrow_field(self, column: Column) -> pa.Field:
        return pa.field(column.name, self._arrow_type(column.type), nullable=not column.required)

    def hf_features(self, table: str) -> Any:
        """The `datasets.Features` of a table, rebuilt from the Arrow schema metadata."""
        import datasets

        return datasets.Features.from_arrow_schema(self.arrow_schema(table))


def _features_from_fields(fields: list[pa.Field]) -> dict[str, Any]:
    """HF `datasets` feature JSON for Arrow fields.

    Lists of structs become `List` of a dict, never the legacy `Sequence`, which would turn
    a list of dicts into a dict of lists. `datasets.Features.from_arrow_schema(...).to_dict()`
    gives an equal dict, but with `_type` last in each feature instead of first; this JSON is
    written into the Parquet metadata, so that key order is part of the released bytes
    (`hmeimim reproduce`). Hence kept here; tests/test_lib_hf_features.py checks it against
    datasets' conversion.
    """
    return {field.name: _feature_of_type(field.type) for field in fields}


def _feature_of_type(arrow_type: pa.DataType) -> dict[str, Any]:
    if pa.types.is_list(arrow_type):
        return {"_type": "List", "feature": _feature_of_type(arrow_type.value_type)}
    if pa.types.is_struct(arrow_type):
        return {
            arrow_type.field(i).name: _feature_of_type(arrow_type.field(i).type)
            for i in range(arrow_type.num_fields)
        }
    dtype = {pa.string(): "string", pa.int32(): "int32", pa.date32(): "date32"}[arrow_type]
    return {"_type": "Value", "dtype": dtype}


def _columns(entries: list[dict[str, Any]]) -> tuple[Column, ...]:
    return tuple(
        Column(
            name=entry["name"],
            type=entry["type"],
            required=bool(entry.get("required", False)),
            description=str(entry.get("description", "")),
            enum=entry.get("enum"),
            pattern=entry.get("pattern"),
            ref=entry.get("ref"),
        )
        for entry in entries
    )


def _endpoint(entry: dict[str, Any]) -> Endpoint:
    layers = entry["layer"]
    return Endpoint(
        layers=tuple(layers) if isinstance(layers, list) else (layers,),
        labels=tuple(entry["labels"]),
        min=int(entry.get("min", 0)),
        max=entry.get("max"),
    )


def parse_schema(raw: dict[str, Any]) -> Schema:
    layers = {
        name: Layer(
            name=name,
            description=body["description"],
            labels=tuple(
                Label(name=label, definition=spec["definition"], example=spec["example"])
                for label, spec in body["labels"].items()
            ),
        )
        for name, body in raw["layers"].items()
    }
    return Schema(
        version=str(raw["schema_version"]),
        enums={name: dict(values) for name, values in raw["enums"].items()},
        layers=layers,
        frames={
            frame: {role: _endpoint(spec) for role, spec in roles.items()}
            for frame, roles in raw["frames"].items()
        },
        id_patterns=dict(raw["ids"]),
        structs={name: _columns(cols) for name, cols in raw["structs"].items()},
        tables={name: _columns(body["columns"]) for name, body in raw["tables"].items()},
        table_descriptions={name: body["description"] for name, body in raw["tables"].items()},
    )


def read_schema(path: Path) -> Schema:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return parse_schema(raw)
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as error:
        raise HmeimimError("E010", str(path), reason=f"{type(error).__name__}: {error}") from None


@cache
def load_schema() -> Schema:
    """The schema of this checkout or installation (cached)."""
    return read_schema(schema_dir() / SCHEMA_FILE)
