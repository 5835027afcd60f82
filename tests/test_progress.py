"""Progress of long operations: reported to a sink when one listens, drawn by the CLI as a
rich bar on a terminal (a real pseudo-terminal here), and absent when stderr is piped."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

from conftest import ROOT
from hmeimim.actions import validate_paths
from hmeimim.authoring.sources import read_sources
from hmeimim.labelstudio.parse import parse_export
from hmeimim.labelstudio.tasks import iter_tasks, write_tasks
from hmeimim.progress import counted, progress_wanted, reporting
from hmeimim.schema.declaration import load_schema

LATEST = ROOT / "corpus" / "v1.2.0"
HMEIMIM = Path(sys.executable).parent / "hmeimim"
Calls = list[tuple[str, float, float | None]]


def _documents_in(folder: Path) -> int:
    return sum(
        pq.ParquetFile(folder / f"{s}.parquet").metadata.num_rows
        for s in ("train", "validation", "test")
        if (folder / f"{s}.parquet").exists()
    )


def test_counted_hands_items_through_and_reports_the_end() -> None:
    calls: Calls = []
    assert not progress_wanted()
    assert list(counted(iter("abc"), "letters", 3)) == ["a", "b", "c"]
    with reporting(lambda *call: calls.append(call)):
        assert progress_wanted()
        assert list(counted(iter("abcd"), "letters")) == ["a", "b", "c", "d"]
    assert not progress_wanted()
    assert calls[0] == ("letters", 0, None)
    # An unknown total becomes the count at the end, so a bar can finish.
    assert calls[-1] == ("letters", 4, 4)


def test_ls_export_reports_each_task(tmp_path: Path) -> None:
    calls: Calls = []
    out = tmp_path / "tasks.json"
    with reporting(lambda *call: calls.append(call)):
        write_tasks(out, iter_tasks(None))
    documents = _documents_in(LATEST)
    assert len(json.loads(out.read_text())) == documents
    steps = [c for c in calls if c[0] == "ls export: tasks"]
    assert steps[0] == ("ls export: tasks", 0, documents)
    assert steps[-1] == ("ls export: tasks", documents, documents)


def test_validate_reports_the_duckdb_queries_and_finds_the_same() -> None:
    calls: Calls = []
    quiet = validate_paths([LATEST])
    with reporting(lambda *call: calls.append(call)):
        tracked = validate_paths([LATEST])
    assert [f.to_dict() for f in tracked.findings] == [f.to_dict() for f in quiet.findings]
    assert tracked.documents == quiet.documents == _documents_in(LATEST)
    labels = {label for label, _, _ in calls}
    assert {"validate: rules on documents", "validate: rules on annotator layers"} <= labels
    last = {label: (done, total) for label, done, total in calls}
    assert last["validate: rules on documents"] == (100, 100)
    assert all(0 <= done <= 100 for label, done, _ in calls if label.startswith("validate"))


def _environment() -> dict[str, str]:
    # What would make rich treat a pipe as a terminal is removed: the test decides.
    hidden = ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR", "TERM")
    return {**{k: v for k, v in os.environ.items() if k not in hidden}, "TERM": "xterm"}


def test_the_cli_draws_a_bar_on_a_terminal(tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    run = subprocess.run(
        [str(HMEIMIM), "ls", "export", "-o", str(tmp_path / "t.json")],
        stdout=subprocess.PIPE,
        stderr=follower,
        env=_environment(),
        check=False,
    )
    os.close(follower)
    drawn = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal is closed once the child is gone
            break
        if not chunk:
            break
        drawn += chunk
    os.close(leader)
    assert run.returncode == 0
    assert b"ls export: tasks" in drawn
    assert b"100%" in drawn
    # The report itself goes to stdout, untouched by the bar.
    assert run.stdout.decode().startswith("wrote ")


def test_the_cli_draws_nothing_when_piped(tmp_path: Path) -> None:
    run = subprocess.run(
        [str(HMEIMIM), "ls", "export", "-o", str(tmp_path / "t.json")],
        capture_output=True,
        env=_environment(),
        check=False,
    )
    assert run.returncode == 0
    assert run.stderr == b""
    assert "\x1b" not in run.stdout.decode()


def test_reading_the_authoring_folder_reports_each_document() -> None:
    calls: Calls = []
    folders = [
        p
        for p in (ROOT / "corpus" / "sources" / "documents").iterdir()
        if p.is_dir() and not p.name.startswith(".")
    ]
    with reporting(lambda *call: calls.append(call)):
        read = read_sources(ROOT / "corpus" / "sources", load_schema())
    assert len(read.records.documents) == len(folders)
    steps = [c for c in calls if c[0] == "reading the authoring folder"]
    assert steps[-1] == ("reading the authoring folder", len(folders), len(folders))


def test_ls_import_reports_the_tasks_it_reads(tmp_path: Path) -> None:
    export = tmp_path / "tasks.json"
    write_tasks(export, iter_tasks(None))
    tasks = json.loads(export.read_text())
    calls: Calls = []
    with reporting(lambda *call: calls.append(call)):
        parse_export(tasks, file=str(export))
    assert calls[-1] == ("ls import: tasks read", len(tasks), len(tasks))
