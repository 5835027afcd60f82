"""The README's commands and examples run, as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_exactly_two_setup_commands_and_ci_runs_the_second() -> None:
    commands = [block.strip() for block in _blocks("bash")]
    assert len(commands) == 2
    assert all("\n" not in command for command in commands)
    assert commands[1] == "bash scripts/test.sh"
    ci = (ROOT / ".ci" / "run").read_text()
    assert [
        line for line in ci.splitlines() if line and not line.startswith(("#", "set ", "cd "))
    ] == [commands[1]]


@pytest.mark.parametrize("index", range(len(_blocks("python"))))
def test_python_examples_run(index: int, hf_cache: Path) -> None:
    code = _blocks("python")[index]
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ},
    )
    assert run.returncode == 0, run.stderr


def test_duckdb_example_counts_entity_labels() -> None:
    (query,) = _blocks("sql")
    connection = duckdb.connect()
    os.chdir(ROOT)
    rows = connection.sql(query).fetchall()
    # The seed's entity labels, counted by hand (see tests/test_seed_annotations.py).
    assert rows == [
        ("GPE", 22),
        ("NORP", 13),
        ("FAC", 6),
        ("ORG", 6),
        ("LOC", 4),
        ("PER", 3),
        ("PRODUCT", 1),
    ]


@pytest.mark.slow
def test_main_command_works_in_a_fresh_clone(tmp_path: Path) -> None:
    """The first set-up command, exactly as written, in a fresh clone of this checkout."""
    command = _blocks("bash")[0].strip()
    clone = tmp_path / "fresh"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "HMEIMIM_ROOT")}
    run = subprocess.run(
        ["bash", "-c", command], cwd=clone, capture_output=True, text=True, check=False, env=env
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "clean" in run.stdout
    assert "Hmeimim Corpus v" in run.stdout
