"""A quick yes to "does this record conform to its JSON Schema?", where it is certain.

`jsonschema` walks a record keyword by keyword through validator objects; over a large
authoring folder (tens of spans per document, thousands of documents) that walk was
most of the time of reading it. `compile_conformance(json_schema)` turns the schema
once into plain Python predicates. A predicate answers True only when the record
certainly conforms; False means "not sure", and the caller then runs `jsonschema`,
which alone says what is wrong. So the findings never depend on this module: a record
that conforms takes the quick path, every other one the full validator.

Only the keywords the declaration's JSON Schema uses are compiled (types, properties,
required, additionalProperties, enum, pattern, minimum/maximum, format `date`, anyOf,
items, local `$ref`s); a schema with any other keyword compiles to None, and every
record then goes through `jsonschema`. Each keyword is read as strictly as
`jsonschema` reads it, or more strictly (an enum accepts only strings; an integer is
an int and never a bool, as `authoring.sources` redefines it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

Predicate = Callable[[Any], bool]

# Keywords that say nothing about validity.
_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description"})
_TYPES: dict[str, Predicate] = {
    "string": lambda v: type(v) is str,
    "integer": lambda v: type(v) is int,
    "boolean": lambda v: type(v) is bool,
    "null": lambda v: v is None,
    "object": lambda v: type(v) is dict,
    "array": lambda v: type(v) is list,
}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class _Unsupported(Exception):
    """A keyword (or a form of one) this module does not compile."""


def _is_date(value: Any) -> bool:
    if type(value) is not str:
        return True  # a format applies to strings only
    if _DATE.fullmatch(value) is None:
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _number(value: Any) -> bool:
    return type(value) in (int, float)


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, Predicate] = {}

    def ref(self, target: str) -> Predicate:
        if not target.startswith("#/$defs/") or "/" in target[8:]:
            raise _Unsupported(target)
        if target not in self.refs:
            defs = self.root.get("$defs")
            if not isinstance(defs, Mapping) or target[8:] not in defs:
                raise _Unsupported(target)
            slot: list[Predicate] = []
            self.refs[target] = lambda v: slot[0](v)  # a schema may refer to itself
            slot.append(self.compile(defs[target[8:]]))
        return self.refs[target]

    def compile(self, node: Any) -> Predicate:
        if not isinstance(node, Mapping):
            raise _Unsupported(repr(node))
        checks = [
            self.keyword(key, value, node) for key, value in node.items() if key not in _ANNOTATIONS
        ]
        return lambda v: all(check(v) for check in checks)

    def keyword(self, key: str, value: Any, node: Mapping[str, Any]) -> Predicate:
        """One keyword of a schema node as a predicate (the node for its siblings)."""
        if key == "type":
            names = [value] if isinstance(value, str) else value
            if not isinstance(names, list) or any(n not in _TYPES for n in names):
                raise _Unsupported(f"type {value!r}")
            return _any_of([_TYPES[n] for n in names])
        if key == "properties":
            return _properties({name: self.compile(sub) for name, sub in value.items()})
        if key == "required":
            return _required(list(value))
        if key == "additionalProperties":
            if value is not False:
                raise _Unsupported("additionalProperties other than false")
            return _closed(frozenset(node.get("properties", {})))
        if key == "enum":
            if not all(isinstance(member, str) for member in value):
                raise _Unsupported("enum of non-strings")
            return _enum(frozenset(value))
        if key == "pattern":
            return _pattern(re.compile(value))
        if key in ("minimum", "maximum"):
            if not _number(value):
                raise _Unsupported(f"{key} {value!r}")
            return _bound(value, low=key == "minimum")
        if key == "format":
            if value != "date":
                raise _Unsupported(f"format {value!r}")
            return _is_date
        if key == "anyOf":
            return _any_of([self.compile(sub) for sub in value])
        if key == "items":
            return _items(self.compile(value))
        if key == "$ref":
            return self.ref(value)
        raise _Unsupported(key)


def _any_of(options: list[Predicate]) -> Predicate:
    return lambda v: any(option(v) for option in options)


def _properties(subs: dict[str, Predicate]) -> Predicate:
    def check(v: Any) -> bool:
        return type(v) is not dict or all(test(v[n]) for n, test in subs.items() if n in v)

    return check


def _required(names: list[str]) -> Predicate:
    return lambda v: type(v) is not dict or all(n in v for n in names)


def _closed(allowed: frozenset[str]) -> Predicate:
    return lambda v: type(v) is not dict or allowed.issuperset(v)


def _enum(members: frozenset[str]) -> Predicate:
    return lambda v: type(v) is str and v in members


def _pattern(pattern: re.Pattern[str]) -> Predicate:
    return lambda v: type(v) is not str or pattern.search(v) is not None


def _bound(limit: float, *, low: bool) -> Predicate:
    if low:
        return lambda v: not _number(v) or v >= limit
    return lambda v: not _number(v) or v <= limit


def _items(each: Predicate) -> Predicate:
    return lambda v: type(v) is not list or all(map(each, v))


def compile_conformance(json_schema: Mapping[str, Any]) -> Predicate | None:
    """A predicate that is True only for records that certainly conform to
    `json_schema`, or None when the schema uses a keyword not compiled here."""
    try:
        return _Compiler(json_schema).compile(json_schema)
    except (_Unsupported, TypeError, AttributeError, re.error):
        return None
