"""The command line: exit codes, coded messages, no tracebacks for user mistakes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hmeimim", *args], capture_output=True, text=True, check=False
    )


def test_summary_of_the_latest_release() -> None:
    run = _run("summary", "--format", "json")
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    # Release v1.2.0 (the annotations of v1.1.0, with text fingerprints), counted from
    # corpus/sources/documents/*/gold.yaml by hand (grep).
    assert summary["version"] == "1.2.0"
    assert summary["standoff"] == []
    assert summary["spans"]["entity"]["GPE"] == 307
    assert summary["attributions"] == 270
    assert summary["stances"] == 211


def test_unknown_version_exits_2_with_a_coded_message() -> None:
    run = _run("summary", "--version", "7.0.0")
    assert run.returncode == 2
    assert "E012" in run.stderr
    assert "fix:" in run.stderr
    assert "Traceback" not in run.stderr


def test_malformed_version_exits_2() -> None:
    run = _run("summary", "--version", "one")
    assert run.returncode == 2
    assert "E011" in run.stderr


def test_a_missing_path_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    run = _run("validate", str(tmp_path / "nope.parquet"))
    assert run.returncode == 2
    assert "E002 missing-file" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr


def test_a_text_file_posing_as_parquet(tmp_path: Path) -> None:
    fake = tmp_path / "train.parquet"
    fake.write_text("doc_id,text\n")
    run = _run("validate", str(fake))
    assert run.returncode == 2
    assert "E001 unreadable-file" in run.stdout
    assert str(fake) in run.stdout


def test_build_refuses_an_existing_folder(tmp_path: Path) -> None:
    existing = ROOT / "corpus" / "v1.0.0"
    run = _run("build", "--version", "1.0.0", "--out", str(existing))
    assert run.returncode == 2
    assert "E013" in run.stderr
    assert "Traceback" not in run.stderr


def test_build_needs_an_output_folder_and_never_writes_into_corpus() -> None:
    before = sorted(p.name for p in (ROOT / "corpus").iterdir())
    run = _run("build", "--version", "9.0.0")
    assert run.returncode == 2
    assert "--out" in run.stderr
    assert sorted(p.name for p in (ROOT / "corpus").iterdir()) == before


def test_build_with_invalid_sources_writes_nothing(tmp_path: Path) -> None:
    sources = Path(__file__).parent / "fixtures" / "invalid" / "E107" / "sources"
    out = tmp_path / "v9.0.0"
    run = _run("build", "--version", "9.0.0", "--sources", str(sources), "--out", str(out))
    assert run.returncode == 1
    assert "E107 wrong-type" in run.stdout
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []
