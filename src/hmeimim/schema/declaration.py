"""The schema declaration (`schema/hmeimim.yaml`) and everything derived from it.

This module owns reading the declaration and deriving the Arrow schemas and the
Hugging Face features. The Arrow schema of every table carries the HF features in its
metadata (the `huggingface` key), so `datasets` rebuilds them from the Parquet alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from hmeimim.errors import HmeimimError
from hmeimim.paths import schema_dir

SCHEMA_FILE = "hmeimim.yaml"
TABLES = ("documents", "annotator_layers", "entities", "claims")
# The kinds of entity-layer labels: a `name` mention is linked to the entity registry
# and says whether it is metonymic; a `value` mention (a date, a number) is neither.
LABEL_KINDS = ("name", "value")


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
    # Index in the ClassLabel over all labels; a declaration without class ids (schema
    # 1.0.0) gets its declaration order, which is the same.
    class_id: int = 0
    # "name" or "value" on the entity layer, None on the others.
    kind: str | None = None


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
    # The split rule: the column it reads (`splits.by`) and the split of each value.
    split_by: str | None = None
    split_of: dict[str, str] = field(default_factory=dict)

    def labels_by_class_id(self, layer: str | None = None) -> tuple[Label, ...]:
        """Every label (or those of `layer`) in class-id order: the order of every
        ClassLabel and label list, so that a label's id never moves."""
        layers = self.layers.values() if layer is None else (self.layers[layer],)
        found = [label for body in layers for label in body.labels]
        return tuple(sorted(found, key=lambda label: label.class_id))

    def label(self, name: Any) -> Label | None:
        """The declared label called `name` (None when there is none)."""
        for layer in self.layers.values():
            for label in layer.labels:
                if label.name == name:
                    return label
        return None

    def is_value_label(self, name: Any) -> bool:
        """Whether `name` is an entity label of kind `value` (no entity_id, no metonymy)."""
        found = self.label(name)
        return found is not None and found.kind == "value"

    def column_names(self, table: str) -> frozenset[str]:
        """The names of a table's columns (empty for a table the schema does not have)."""
        return frozenset(column.name for column in self.tables.get(table, ()))

    def has_column(self, struct: str, column: str) -> bool:
        return any(c.name == column for c in self.structs.get(struct, ()))

    def enum_values(self, name: str) -> tuple[str, ...]:
        """Allowed values of an enum, including the derived `layers`, `labels`, `entity_labels`."""
        if name == "layers":
            return tuple(self.layers)
        if name == "labels":
            return tuple(label.name for label in self.labels_by_class_id())
        if name == "entity_labels":
            return tuple(label.name for label in self.labels_by_class_id("entity"))
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
        if type_name == "bool":
            return pa.bool_()
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
    dtypes = {pa.string(): "string", pa.int32(): "int32", pa.bool_(): "bool", pa.date32(): "date32"}
    dtype = dtypes[arrow_type]
    return {"_type": "Value", "dtype": dtype}


def class_id_changes(schema: Schema, previous: Schema) -> list[tuple[str, int, str]]:
    """Labels whose class id differs from `previous` (a released schema) or takes one of
    its ids for another label: (label, class_id, what `previous` gives) each."""
    before = {label.name: label.class_id for label in previous.labels_by_class_id()}
    owner = {class_id: name for name, class_id in before.items()}
    changes = []
    for label in schema.labels_by_class_id():
        old = before.get(label.name)
        if old is not None and old != label.class_id:
            changes.append((label.name, label.class_id, f"it class_id {old}"))
        elif old is None and label.class_id in owner:
            given = f"class_id {label.class_id} to {owner[label.class_id]}"
            changes.append((label.name, label.class_id, given))
    return changes


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


def _labels(raw_layers: dict[str, Any]) -> dict[str, tuple[Label, ...]]:
    """The labels of each layer, with their class ids and kinds; a class id given twice
    or a kind not in LABEL_KINDS makes the declaration unreadable. A label without a
    class id takes the next one after every id given (declaration order where none is
    given, as in schema 1.0.0)."""
    out: dict[str, tuple[Label, ...]] = {}
    given = [
        spec["class_id"]
        for body in raw_layers.values()
        for spec in body["labels"].values()
        if isinstance(spec.get("class_id"), int)
    ]
    position = max(given, default=-1) + 1
    seen: dict[int, str] = {}
    for layer, body in raw_layers.items():
        labels = []
        for name, spec in body["labels"].items():
            class_id = spec.get("class_id")
            if class_id is None:
                class_id, position = position, position + 1
            if not isinstance(class_id, int) or isinstance(class_id, bool) or class_id < 0:
                raise TypeError(f"class_id of label {name} is {class_id!r}, not a whole number")
            if class_id in seen:
                raise TypeError(f"labels {seen[class_id]} and {name} share class_id {class_id}")
            seen[class_id] = name
            kind = spec.get("kind")
            if kind is None and layer == "entity":
                kind = "name"  # schema 1.0.0: every entity label names an entity
            if layer == "entity" and kind not in LABEL_KINDS:
                raise TypeError(f"kind of label {name} is {kind!r}, not one of {LABEL_KINDS}")
            labels.append(
                Label(
                    name=name,
                    definition=spec["definition"],
                    example=spec["example"],
                    class_id=class_id,
                    kind=kind if layer == "entity" else None,
                )
            )
        out[layer] = tuple(labels)
    return out


def parse_schema(raw: dict[str, Any]) -> Schema:
    labels = _labels(raw["layers"])
    layers = {
        name: Layer(name=name, description=body["description"], labels=labels[name])
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
        split_by=(raw.get("splits") or {}).get("by"),
        split_of={
            value: split
            for split, values in (raw.get("splits") or {}).items()
            if split != "by"
            for value in values
        },
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
