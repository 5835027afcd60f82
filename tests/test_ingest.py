"""Ingest fixes a new text once (NFC, \\n) and never overwrites a document."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SEED, SEED_SHA256
from hmeimim.actions import validate_paths
from hmeimim.authoring.ingest import ingest_document
from hmeimim.errors import HmeimimError
from hmeimim.release.build import build_release
from hmeimim.storage.parquet import iter_records


def test_the_kept_seed_is_the_original_byte_for_byte() -> None:
    assert hashlib.sha256(SEED.read_bytes()).hexdigest() == SEED_SHA256
    assert SEED_SHA256 in (SEED.parent / "README.md").read_text(encoding="utf-8")


def test_seed_reingests_to_the_authored_files() -> None:
    # No argument: the script's default is the kept original inside the repository.
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "ingest_seed.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "text identical: True; metadata identical: True" in run.stdout


def test_ingest_normalizes_line_breaks_and_nfc(tmp_path: Path) -> None:
    raw = "Caf\u0065\u0301 line one\r\nline two 🚀\rمرحبا".encode()
    folder = ingest_document(
        raw=raw, doc_id="new-doc", provenance="constructed", sources=tmp_path
    ).folder
    assert (folder / "text.txt").read_bytes().decode() == "Café line one\nline two 🚀\nمرحبا"
    (tmp_path / "entities.yaml").write_text("[]\n")
    assert validate_paths([tmp_path]).findings == []


def test_ingest_refuses_an_existing_doc_id_and_leaves_no_temporary(tmp_path: Path) -> None:
    ingest_document(raw=b"first", doc_id="same-doc", sources=tmp_path)
    with pytest.raises(HmeimimError) as caught:
        ingest_document(raw=b"second", doc_id="same-doc", sources=tmp_path)
    assert caught.value.code == "E102"
    assert (tmp_path / "documents" / "same-doc" / "text.txt").read_bytes() == b"first"
    assert [p.name for p in (tmp_path / "documents").iterdir()] == ["same-doc"]


def test_ingest_rejects_a_missing_header(tmp_path: Path) -> None:
    with pytest.raises(HmeimimError) as caught:
        ingest_document(raw=b"no header", doc_id="x-doc", strip_prefix=" date ", sources=tmp_path)
    assert (caught.value.code, caught.value.location) == ("E017", "doc_id x-doc")
    assert "' date '" in caught.value.message
    assert not (tmp_path / "documents" / "x-doc").exists()


def test_quoted_and_malformed_dates_in_meta(tmp_path: Path) -> None:
    folder = ingest_document(raw=b"Text.", doc_id="dated-doc", sources=tmp_path).folder
    (tmp_path / "entities.yaml").write_text("[]\n")
    meta = folder / "meta.yaml"
    meta.write_text(meta.read_text().replace("published: null", 'published: "2024-12-21"'))
    assert validate_paths([tmp_path]).findings == []
    result = build_release(version="0.1.0", parent=None, sources=tmp_path, out=tmp_path / "rel")
    assert result.findings == []
    assert str(read_documents_at(tmp_path / "rel")[0]["published"]) == "2024-12-21"
    meta.write_text(meta.read_text().replace('"2024-12-21"', '"2024-13-45"'))
    codes = [f.code for f in validate_paths([tmp_path]).findings]
    assert codes == ["E107"]


def read_documents_at(release: Path) -> list[dict[str, object]]:
    return list(iter_records(release / "train.parquet"))
