"""The benchmark script runs (its timings are printed, never asserted)."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_benchmark_runs_on_a_tiny_release() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "benchmark.py"), "--sizes", "3", "--repeat", "1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    header, row = run.stdout.strip().splitlines()[-2:]
    assert header.split() == ["docs", "baseline", "s", "validate", "spans", "load"]
    assert row.split()[0] == "3"
    assert all(cell.endswith("x") for cell in row.split()[2:])
