"""Mutation fuzzing for the inputs users hand the package: exports, YAML, Parquet.

A mutator takes a valid input and breaks it in the ways real files break: keys dropped
or misspelt, values of the wrong type, ids that only look like numbers, lone
surrogates, huge numbers, deep nesting, emptied lists, duplicated items. Every case is
seeded, so a failure names the seed that reproduces it.

The oracle is the same everywhere: the package either refuses the input with a coded,
located error or finding whose message can be printed, or it accepts it and what it
writes validates clean. A traceback, an uncoded error, an unprintable message or a
written folder that validation rejects is a failure.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hmeimim.errors import CODES

HUGE = "__HUGE_NUMBER__"
DEEP = "__DEEP_NESTING__"
# Values that have crashed parsers of this kind of file before, or plausibly could.
NASTY: list[Any] = [
    None,
    True,
    0,
    -1,
    2**31,
    1.5,
    99999.0,
    "",
    " ",
    "²",
    "١٢",
    "\ud800",
    "a\u0000b",
    "x" * 5000,
    "🚀",
    [],
    {},
    ["PER", "GPE"],
    [[["nested"]]],
    {"labels": ["PER"]},
    HUGE,
    DEEP,
]


def to_json_text(data: Any) -> str:
    """JSON text with the two values Python's encoder will not write spliced in."""
    text = json.dumps(data, ensure_ascii=True)
    text = text.replace(f'"{HUGE}"', "1" + "0" * 4400)
    return text.replace(f'"{DEEP}"', "[" * 50_000 + "]" * 50_000)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _parent(root: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        root = root[step]
    return root


def mutate(data: Any, rng: random.Random, steps: int) -> tuple[Any, list[str]]:
    """A deep copy of `data` with `steps` random mutations, and what was done."""
    out = copy.deepcopy(data)
    done: list[str] = []
    for _ in range(steps):
        paths = [p for p in _paths(out) if p]
        if not paths:
            break
        # Half the time pick near the top (tasks, annotations, their keys), which a
        # uniform choice would almost never reach among hundreds of regions.
        shallow = [p for p in paths if len(p) <= 4]
        path = rng.choice(shallow if shallow and rng.random() < 0.5 else paths)
        parent = _parent(out, path)
        key = path[-1]
        action = rng.choice(["drop", "nasty", "nasty", "duplicate", "rename", "empty", "wrap"])
        if action == "drop":
            del parent[key]
        elif action == "nasty":
            parent[key] = copy.deepcopy(rng.choice(NASTY))
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        elif action == "rename" and isinstance(parent, dict):
            parent[f"{key}_"] = parent.pop(key)
        elif action == "empty":
            parent[key] = type(parent[key])() if isinstance(parent[key], list | dict) else ""
        else:
            parent[key] = [parent[key]]
        done.append(f"{action} {'/'.join(map(str, path))}")
    return out, done


@dataclass
class Tally:
    """What happened to each case, and the cases that broke the oracle."""

    outcomes: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    def run(self, seed: int, what: list[str], case: Callable[[], str]) -> None:
        try:
            self.count(case())
        except AssertionError as error:
            self.count("oracle-failed")
            self.failures.append(f"seed {seed} {what}: {error}")
        except Exception as error:  # a crash is exactly what the oracle looks for
            self.count("crashed")
            self.failures.append(f"seed {seed} {what}: {type(error).__name__}: {error!s:.300}")


def check_printable(items: list[Any]) -> None:
    """Every finding or error has a known code and renders to UTF-8 (the CLI prints it)."""
    for item in items:
        assert item.code in CODES, f"unknown code {item.code!r}"
        item.render().encode("utf-8")
        json.dumps(item.to_dict() if hasattr(item, "to_dict") else {}, ensure_ascii=False).encode(
            "utf-8"
        )
