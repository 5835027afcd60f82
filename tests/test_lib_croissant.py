"""croissant.json as mlcroissant's classes write it: nothing of release.yaml is lost."""

from __future__ import annotations

import json
from typing import Any

import yaml
from release_support import REPO


def _croissant() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((REPO / "croissant.json").read_text(encoding="utf-8"))
    return data


def test_every_responsible_ai_field_of_release_yaml_is_kept() -> None:
    declared = yaml.safe_load((REPO / "corpus" / "release.yaml").read_text(encoding="utf-8"))
    data = _croissant()
    for key, value in declared["responsible_ai"].items():
        # JSON-LD: a one-item list and its item are the same value; mlcroissant writes the item.
        expected = value[0] if isinstance(value, list) and len(value) == 1 else value
        assert data[f"rai:{key}"] == expected, key
    assert data["alternateName"] == declared["title"]
    assert data["isLiveDataset"] is False


def test_croissant_1_1_terms_are_used_for_arrays() -> None:
    data = _croissant()
    assert data["@context"]["isArray"] == "cr:isArray"
    assert data["@context"]["arrayShape"] == "cr:arrayShape"
    spans = next(f for f in data["recordSet"][0]["field"] if f["name"] == "spans")
    assert (spans["isArray"], spans["arrayShape"]) == (True, "-1")
    assert "cr:isArray" not in json.dumps(data["recordSet"])
