"""The release declaration `corpus/release.yaml`: title, authors and the licenses.

It is the one place where the licenses are declared. README.md, DATASHEET.md,
CITATION.cff and croissant.json state them through `license_statement` and the fields
below, and the tests check that all four agree with this file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hmeimim.errors import HmeimimError
from hmeimim.paths import corpus_dir

RELEASE_FILE = "release.yaml"


@dataclass(frozen=True)
class ReleaseInfo:
    title: str
    description: str
    authors: tuple[str, ...]
    keywords: tuple[str, ...]
    code_license: str
    annotation_license: str
    text_license: str | None
    text_license_note: str
    responsible_ai: dict[str, Any]


def _text(raw: dict[str, Any], key: str, path: Path, parent: str = "") -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise HmeimimError("E609", str(path), key=parent + key, expected="a non-empty string")
    return " ".join(value.split())


def read_release_info(root: Path | None = None) -> ReleaseInfo:
    """Read `corpus/release.yaml` of `root` (default: this checkout)."""
    path = corpus_dir(root) / RELEASE_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise HmeimimError("E604", str(path), reason=str(error)) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("licenses"), dict):
        raise HmeimimError("E609", str(path), key="licenses", expected="a mapping")
    licenses: dict[str, Any] = raw["licenses"]
    code = _text(licenses, "code", path, "licenses.")
    annotations = _text(licenses, "annotations", path, "licenses.")
    text_license = licenses.get("text")
    authors = raw.get("authors") or []
    return ReleaseInfo(
        title=_text(raw, "title", path),
        description=_text(raw, "description", path),
        authors=tuple(str(a["name"]) for a in authors if isinstance(a, dict) and "name" in a),
        keywords=tuple(str(k) for k in raw.get("keywords") or []),
        code_license=code,
        annotation_license=annotations,
        text_license=str(text_license) if text_license else None,
        text_license_note=_text(raw, "text_license_note", path),
        responsible_ai=dict(raw.get("responsible_ai") or {}),
    )


def license_statement(info: ReleaseInfo) -> str:
    """One paragraph stating all three licenses; the same words in every document."""
    text = (
        f"The document text is licensed under {info.text_license}."
        if info.text_license
        else info.text_license_note
    )
    return (
        f"Code (src/, scripts/, tests/) is licensed under {info.code_license}. "
        f"Annotations (spans, attribution frames, stances, the entity registry, the schema "
        f"and the guidelines) and documentation are licensed under {info.annotation_license}. "
        f"{text}"
    )


def spdx_url(identifier: str) -> str:
    return f"https://spdx.org/licenses/{identifier}.html"
