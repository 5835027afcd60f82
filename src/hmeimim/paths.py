"""Locating the corpus and schema folders, in a checkout or an installed wheel."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_ROOT = _PACKAGE_DIR.parent.parent


def project_root() -> Path:
    """The folder holding `corpus/` and `schema/`.

    `HMEIMIM_ROOT` wins; then a source checkout (editable install); then the copy of the
    data that the wheel carries under `hmeimim/_data`.
    """
    override = os.environ.get("HMEIMIM_ROOT")
    if override:
        return Path(override)
    if (_CHECKOUT_ROOT / "schema" / "hmeimim.yaml").is_file():
        return _CHECKOUT_ROOT
    return _PACKAGE_DIR / "_data"


def corpus_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "corpus"


def schema_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "schema"
