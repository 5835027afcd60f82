"""Helpers for the tests/test_release_*.py files: a throwaway copy of the repository.

Tests that write releases do it in such a copy (`HMEIMIM_ROOT` points there for
subprocesses), never in the real corpus/.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from hmeimim.storage.files import sha256_of
from hmeimim.storage.releases import list_releases

REPO = Path(__file__).resolve().parent.parent
SEED = "2024-12-20-russia-withdrawal-syria"
COPIED = ("corpus", "schema", "README.md", "DATASHEET.md", "CHANGELOG.md", "CITATION.cff")
COPIED += ("croissant.json", "LICENSE")


def copy_repo(target: Path) -> Path:
    """Copy the data, schema and published files of the repository into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns(".tmp-*", ".release.lock")
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copy2(source, target / name)
    return target


def copied_versions() -> list[str]:
    """The versions of the repository's releases: what a fresh copy holds."""
    return [str(v) for v, _ in list_releases(REPO)]


def copied_inputs() -> list[str]:
    """The kept-input folders of the repository's releases (`v1.0.0`, ...)."""
    return [f"v{v}" for v in copied_versions()]


def sources(root: Path) -> Path:
    return root / "corpus" / "sources"


def edit_yaml_line(path: Path, old: str, new: str) -> None:
    """Replace one exact line fragment (it must occur once) in an authoring file."""
    text = path.read_text(encoding="utf-8")
    if text.count(old) != 1:
        raise ValueError(f"{old!r} occurs {text.count(old)} times in {path}")
    path.write_text(text.replace(old, new), encoding="utf-8")


SECOND_TEXT = "Moscow said on Friday that its troops would leave Damascus."


def add_second_document(root: Path) -> None:
    """A constructed two-span document with one writer stance, and a registry entry for
    Moscow where the registry lacks one."""
    folder = sources(root) / "documents" / "second-report"
    folder.mkdir(parents=True)
    (folder / "text.txt").write_bytes(SECOND_TEXT.encode("utf-8"))
    meta = {
        "doc_id": "second-report",
        "title": None,
        "published": dt.date(2024, 12, 21),
        "language": "en",
        "outlet": None,
        "url": None,
        "author": None,
        "provenance": "constructed",
        # Written for the tests, so shareable; a null license would make it stand-off.
        "license": "CC-BY-4.0",
        "split": "train",
    }
    (folder / "meta.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    gold = {
        "spans": [
            {
                "span_id": "d002-e01",
                "layer": "entity",
                "label": "GPE",
                "start": 0,
                "end": 6,
                "text": "Moscow",
                "entity_id": "moscow",
                "metonymy": True,  # Moscow speaks for the Russian government
            },
            {
                "span_id": "d002-e02",
                "layer": "entity",
                "label": "GPE",
                "start": 50,
                "end": 58,
                "text": "Damascus",
                "entity_id": "damascus",
                "metonymy": False,
            },
            {
                "span_id": "d002-v01",
                "layer": "stance",
                "label": "STANCE",
                "start": 44,
                "end": 49,
                "text": "leave",
            },
        ],
        "attributions": [],
        "stances": [
            {
                "stance_id": "d002-st01",
                "holder_kind": "writer",
                "holder": None,
                "target_kind": "mention",
                "target": "d002-e01",
                "polarity": "uncertain",
                "evidence": ["d002-v01"],
            },
        ],
    }
    (folder / "gold.yaml").write_text(yaml.safe_dump(gold, sort_keys=False), encoding="utf-8")
    registry = sources(root) / "entities.yaml"
    if any(e["entity_id"] == "moscow" for e in yaml.safe_load(registry.read_text("utf-8"))):
        return  # the corpus registers Moscow already
    with registry.open("a", encoding="utf-8") as stream:
        stream.write(
            "- {entity_id: moscow, name: Moscow, type: GPE, wikidata: null, "
            'description: "Capital of Russia."}\n'
        )


def hmeimim(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI against the copy at `root`."""
    env = {**os.environ, "HMEIMIM_ROOT": str(root)}
    return subprocess.run(
        [str(Path(sys.executable).parent / "hmeimim"), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def rehash(folder: Path, name: str, **changes: object) -> None:
    """Give the manifest entry of `name` the file's sha256 and size (and `changes`), so
    that the hash check passes and only the other checks see the file."""
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    entry = manifest["files"].setdefault(name, {})
    target = folder / name
    if target.is_file():
        entry.update(sha256=sha256_of(target), bytes=target.stat().st_size)
    entry.update(changes)
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def edit_manifest(folder: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    """Change manifest.json of a release folder in place."""
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    edit(manifest)
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
