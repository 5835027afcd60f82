"""Smoke test of the benchmark scripts: a tiny synthetic corpus is valid, and the
benchmark writes its report with a row per path. Timings are never asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

SCRIPTS = ROOT / "scripts"
HMEIMIM = Path(sys.executable).parent / "hmeimim"
PATHS = ["validate", "load", "spans", "attributions", "stances"]
PATHS += ["ls-export", "ls-import", "release", "diff"]


def run(command: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, check=False, env={**os.environ, **env}
    )


def test_a_synthetic_corpus_validates_clean(tmp_path: Path) -> None:
    root = tmp_path / "root"
    made = run([sys.executable, str(SCRIPTS / "synthesize.py"), "20", "-o", str(root)])
    assert made.returncode == 0, made.stderr
    shape = json.loads(made.stdout)
    assert shape["documents"] == 20
    assert set(shape["splits"]) == {"train", "validation", "test"}
    for target in ([], [str(root / "corpus" / "sources")]):
        checked = run([str(HMEIMIM), "validate", *target], HMEIMIM_ROOT=str(root))
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "clean" in checked.stdout


def test_the_benchmark_reports_every_path(tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, str(SCRIPTS / "bench.py"), "--sizes", "20", "--repeat", "1"]
    command += ["--work", str(tmp_path / "work"), "--out", str(out), "--timeout", "300"]
    done = run(command)
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "benchmarks.json").read_text(encoding="utf-8"))
    assert {"cpu", "cores", "ram_gb", "python", "os"} <= set(report["machine"])
    rows = report["results"]
    assert [row["path"] for row in rows] == PATHS
    for row in rows:
        assert row["N"] == 20
        assert isinstance(row["time_s"], float), row
        assert isinstance(row["baseline_s"], float), row
    table = (out / "benchmarks.md").read_text(encoding="utf-8")
    table_rows = [line for line in table.splitlines() if line.startswith("| ") and " 20 |" in line]
    assert [line.split(" | ")[0][2:] for line in table_rows] == PATHS
