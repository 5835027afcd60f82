"""JSON Schema (draft 2020-12) of the record types, derived from the schema declaration.

Used to check the structure and types of the YAML authoring files and of any JSON
record a tool hands us, before the semantic checks in `hmeimim.checks` run.
"""

from __future__ import annotations

from typing import Any

from hmeimim.schema.declaration import Column, Schema

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _type_schema(schema: Schema, type_name: str) -> dict[str, Any]:
    if type_name == "string":
        return {"type": "string"}
    if type_name == "int32":
        return {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1}
    if type_name == "bool":
        return {"type": "boolean"}
    if type_name == "date":
        return {"type": "string", "format": "date"}
    inner = type_name[5:-1]
    if inner in schema.structs:
        return {"type": "array", "items": {"$ref": f"#/$defs/{inner}"}}
    return {"type": "array", "items": _type_schema(schema, inner)}


def _column_schema(schema: Schema, column: Column) -> dict[str, Any]:
    body = _type_schema(schema, column.type)
    if column.enum:
        body["enum"] = list(schema.enum_values(column.enum))
    if column.pattern:
        body["pattern"] = schema.id_patterns[column.pattern]
    body["description"] = column.description
    if not column.required:
        return {"anyOf": [body, {"type": "null"}], "description": column.description}
    return body


def _object_schema(schema: Schema, columns: tuple[Column, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {c.name: _column_schema(schema, c) for c in columns},
        "required": [c.name for c in columns if c.required],
        "additionalProperties": False,
    }


def record_json_schema(schema: Schema, table: str) -> dict[str, Any]:
    """JSON Schema of one record (row) of `table`."""
    body = _object_schema(schema, schema.tables[table])
    return {
        "$schema": DRAFT,
        "$id": f"https://hmeimim-corpus.invalid/schema/{schema.version}/{table}.json",
        "title": f"Hmeimim Corpus {table} record",
        "description": schema.table_descriptions[table],
        **body,
        "$defs": {name: _object_schema(schema, cols) for name, cols in schema.structs.items()},
    }
