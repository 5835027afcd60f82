"""Reading authoring YAML strictly: no duplicate keys, no aliases, no surprises.

Hand-edited YAML fails quietly in ways that lose data: a key written twice keeps only
its last value, an anchor and aliases can expand a one-kilobyte file into gigabytes,
and `1.0` passes for a whole number where a JSON Schema check sees an integer; YAML
1.1 reads `no` and `on` as booleans. The loader here refuses the first two outright,
with the line they are on, and leaves numbers with the type YAML gives them, so a float
offset is a wrong type and never a silent integer; only `true` and `false` are booleans.
It uses libyaml's parser where it is installed (the construction of values stays in
Python, which is where the checks live).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

try:
    _Base: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # PyYAML built without libyaml
    _Base = yaml.SafeLoader


@dataclass(frozen=True)
class Refusal(Exception):
    """Why a YAML text was refused, and on which line (1-based; 0 when unknown)."""

    # "duplicate-key", "alias", "syntax" (nesting too deep included) or "value" (a
    # number too long to read, an impossible date such as 2024-02-30)
    kind: str
    line: int
    detail: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.detail}" if self.line else self.detail


class _StrictLoader(_Base):  # type: ignore[misc, valid-type]
    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._visited: set[int] = set()

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # An alias makes two places of the document share one node: the second visit.
        if id(node) in self._visited:
            raise Refusal("alias", node.start_mark.line + 1, "anchors and aliases are not allowed")
        self._visited.add(id(node))
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise Refusal(
                    "alias", key_node.start_mark.line + 1, "merge keys (<<) are not allowed"
                )
            key = self.construct_object(key_node, deep=True)
            self._visited.discard(id(key_node))  # constructed again by the base class
            line = key_node.start_mark.line + 1
            if key in seen:
                raise Refusal(
                    "duplicate-key", line, f"key {key!r} is given twice (first on line {seen[key]})"
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


_BOOLEANS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False}
_BOOLEANS["FALSE"] = False


def _strict_bool(loader: _StrictLoader, node: yaml.ScalarNode) -> Any:
    """`true` and `false` only: YAML 1.1's yes/no/on/off stay the strings they look like,
    so that a flag written `yes` is a wrong type and never a silent boolean."""
    value = loader.construct_scalar(node)
    return _BOOLEANS.get(str(value), value)


_StrictLoader.add_constructor("tag:yaml.org,2002:bool", _strict_bool)


_STR = "tag:yaml.org,2002:str"


class _QuickLoader(_StrictLoader):
    """The strict loader for a text that cannot hold an alias or a merge key.

    An alias needs an anchor (`&`), a merge key is `<<` or a tag naming `merge`; a text
    with none of these skips the per-node bookkeeping of aliases, and a mapping whose
    keys are all distinct plain strings skips constructing its keys twice. Any other
    mapping takes the strict path, which reports the duplicate with its line.
    """

    construct_object = yaml.constructor.BaseConstructor.construct_object

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = {
            key.value
            for key, _ in node.value
            if key.tag == _STR and isinstance(key, yaml.ScalarNode)
        }
        if len(keys) == len(node.value):
            return _Base.construct_mapping(self, node, deep=deep)
        return super().construct_mapping(node, deep=deep)


def _could_alias(text: str) -> bool:
    return "&" in text or "<<" in text or "merge" in text


# Whole documents only: no anchors, no custom tags, the YAML 1.1 safe types.
def load(text: str) -> Any:
    """Parse one YAML document strictly; raise `Refusal` for what it refuses."""
    loader = _StrictLoader(text) if _could_alias(text) else _QuickLoader(text)
    try:
        return loader.get_single_data()
    except Refusal:
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 0
        raise Refusal("syntax", line, str(error.problem or error).strip()) from None
    except yaml.YAMLError as error:
        raise Refusal("syntax", 0, str(error).strip()) from None
    except ValueError as error:
        raise Refusal("value", 0, str(error).strip()) from None
    except RecursionError:  # only without libyaml, whose parser limits nesting itself
        raise Refusal("syntax", 0, "nested too deeply to read") from None
    finally:
        loader.dispose()
