"""Every finding code has one golden fixture, and validation reports exactly its findings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hmeimim.actions import validate_paths
from hmeimim.errors import CODES

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "invalid"
FINDING_CODES = sorted(code for code, spec in CODES.items() if spec.kind == "finding")


def test_every_finding_code_has_a_fixture() -> None:
    assert sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()) == FINDING_CODES


@pytest.mark.parametrize("code", FINDING_CODES)
def test_fixture_gives_exactly_its_findings(code: str) -> None:
    expected = json.loads((FIXTURES / code / "expected.json").read_text())
    report = validate_paths([FIXTURES / code / expected["target"]])
    got = sorted((f.code, f.doc_id, f.record_id) for f in report.findings)
    want = sorted((f["code"], f["doc_id"], f["record_id"]) for f in expected["findings"])
    assert got == want
    for finding in report.findings:
        assert finding.file, finding


@pytest.mark.parametrize("code", FINDING_CODES)
def test_cli_reports_code_and_location_without_traceback(code: str) -> None:
    expected = json.loads((FIXTURES / code / "expected.json").read_text())
    target = FIXTURES / code / expected["target"]
    run = subprocess.run(
        [sys.executable, "-m", "hmeimim", "validate", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode in (1, 2), run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert f"{code} {CODES[code].name}" in run.stdout
    assert str(target.parent) in run.stdout
    assert "fix: " in run.stdout


def test_json_output_lists_every_finding() -> None:
    target = FIXTURES / "E205" / "release" / "train.parquet"
    run = subprocess.run(
        [sys.executable, "-m", "hmeimim", "validate", str(target), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    report = json.loads(run.stdout)
    assert report["counts_by_code"] == {"E205": 1, "E303": 1}
    assert {f["record_id"] for f in report["findings"]} == {"x-v1", "x-st1"}


def test_a_truncated_file_alone_is_unusable_input() -> None:
    target = FIXTURES / "E001" / "release" / "train.parquet"
    run = subprocess.run(
        [sys.executable, "-m", "hmeimim", "validate", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2
    assert "E001 unreadable-file" in run.stdout
