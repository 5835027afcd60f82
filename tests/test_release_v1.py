"""Release v1.0.0: it validates, it holds the seed text byte for byte, it rebuilds exactly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SEED, SEED_DOC
from hmeimim.actions import validate_paths
from hmeimim.release.build import build_release
from hmeimim.release.reproduce import rebuild_release
from hmeimim.schema.declaration import read_schema
from hmeimim.storage.counts import annotation_counts
from hmeimim.storage.files import sha256_of
from hmeimim.storage.records import read_documents
from hmeimim.storage.releases import inputs_dir, list_releases

RELEASE = ROOT / "corpus" / "v1.0.0"
SEED_HEADER = b" date 2024-12-20 "


def test_every_release_validates_clean() -> None:
    report = validate_paths()
    assert [f.render() for f in report.findings] == []
    assert report.documents >= 1


def test_authoring_files_validate_clean() -> None:
    report = validate_paths([ROOT / "corpus" / "sources"])
    assert [f.render() for f in report.findings] == []


def test_cli_validate_exits_zero_on_the_shipped_corpus() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "hmeimim", "validate"], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "clean" in run.stdout


def test_seed_text_is_the_seed_file_body_byte_for_byte() -> None:
    raw = SEED.read_bytes()
    assert raw.startswith(SEED_HEADER)
    body = raw[len(SEED_HEADER) :]
    authored = ROOT / "corpus" / "sources" / "documents" / SEED_DOC / "text.txt"
    assert authored.read_bytes() == body
    (document,) = [d for d in read_documents("1.0.0") if d["doc_id"] == SEED_DOC]
    assert document["text"].encode("utf-8") == body


def test_seed_metadata_is_as_given() -> None:
    (document,) = read_documents("1.0.0")
    assert str(document["published"]) == "2024-12-20"
    assert document["outlet"] is None
    assert document["url"] is None
    assert document["author"] is None
    assert document["provenance"] == "published"
    assert document["language"] == "en"


def test_manifest_matches_the_files_and_the_data() -> None:
    manifest = json.loads((RELEASE / "manifest.json").read_text())
    for name, entry in manifest["files"].items():
        path = RELEASE / name
        assert sha256_of(path) == entry["sha256"]
        assert path.stat().st_size == entry["bytes"]
    assert manifest["counts"] == annotation_counts(read_documents("1.0.0"))
    assert manifest["schema_version"] == "1.0.0"
    assert manifest["parent"] is None


@pytest.mark.parametrize(("version", "folder"), [(str(v), p) for v, p in list_releases()])
def test_release_rebuilds_byte_identically(version: str, folder: Path, tmp_path: Path) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    out = tmp_path / folder.name
    kept = inputs_dir(version)
    result = build_release(
        version=version,
        released=manifest["released"],
        parent=manifest["parent"],
        sources=kept / "sources",
        schema=read_schema(kept / "hmeimim.yaml"),
        out=out,
    )
    assert result.findings == []
    for name in manifest["files"]:
        assert (out / name).read_bytes() == (folder / name).read_bytes(), name
    # The manifest also keeps what the release command was given (bump, notes, removals),
    # which only the rebuild from the published manifest knows.
    rebuilt = rebuild_release(version, out=tmp_path / "rebuilt")
    for name in [*manifest["files"], "manifest.json"]:
        assert (rebuilt / name).read_bytes() == (folder / name).read_bytes(), name
