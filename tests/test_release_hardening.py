"""`release` publishes only what `validate` accepts, and recovers from a killed publish.

1. The staged release folder (the files about to be renamed into place) is checked with
   the validator of `hmeimim validate`; on any finding nothing is published, and the
   findings name `corpus/sources` or the release's final path, never the temporary.
2. A writer killed after the release folder is renamed but before the derived files are
   written leaves those files stale; the next `release`, `validate` and `generate
   --check` say so and name `hmeimim generate`. Temporaries of killed writers are
   removed by the next run and ignored by git.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from release_support import (
    REPO,
    SEED,
    add_second_document,
    copied_inputs,
    copied_versions,
    copy_repo,
    hmeimim,
    sources,
)

import hmeimim.release.build as build
from hmeimim.actions import make_release, validate_paths
from hmeimim.errors import HmeimimError
from hmeimim.storage.files import staged_folder, write_text_atomic
from hmeimim.storage.releases import list_releases

DERIVED = ("README.md", "DATASHEET.md", "CHANGELOG.md", "CITATION.cff", "croissant.json")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_repo(tmp_path / "repo")


def _versions(root: Path) -> list[str]:
    return [str(v) for v, _ in list_releases(root)]


LATEST = copied_versions()[-1]  # the latest release of the repository
_MAJOR, _MINOR, _ = (int(part) for part in LATEST.split("."))
NEXT_MINOR = f"{_MAJOR}.{_MINOR + 1}.0"  # what `--bump minor` makes next


def _nothing_published(repo: Path) -> None:
    corpus = repo / "corpus"
    assert _versions(repo) == copied_versions()
    assert sorted(p.name for p in (corpus / "inputs").iterdir()) == copied_inputs()
    assert sorted(p.name for p in corpus.iterdir() if p.name.startswith(".tmp-")) == []


# -- 1. the staged release is validated -------------------------------------------------------


def test_an_annotator_layer_of_a_missing_document(repo: Path) -> None:
    layer = sources(repo) / "annotators" / "no-such-document" / "ann1.yaml"
    layer.parent.mkdir(parents=True)
    layer.write_text("spans: []\nattributions: []\nstances: []\n", encoding="utf-8")
    report = validate_paths([sources(repo)])
    assert [(f.code, f.doc_id, f.record_id) for f in report.findings] == [
        ("E302", "no-such-document", "ann1")
    ]
    result = make_release(bump="minor", released="2027-01-02", root=repo)
    assert result.path is None
    assert [(f.code, f.file, f.doc_id) for f in result.findings] == [
        ("E302", str(sources(repo)), "no-such-document")
    ]
    _nothing_published(repo)


def _with_float_offset(real: Any) -> Any:
    """`read_valid_sources` as a reader that lets `end: 99999.0` through unreported."""

    def read(folder: Path, schema: Any, file: str | None = None) -> Any:
        read, findings = real(folder, schema, file=file)
        span = next(s for s in read.records.documents[0]["spans"] if s["span_id"] == "d001-e01")
        span["end"] = 99999.0
        return read, findings

    return read


def test_a_float_offset_the_reader_let_through_is_not_published(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_second_document(repo)
    # `release` reads its inputs through the text policy step of `release.build`.
    monkeypatch.setattr(build, "read_valid_sources", _with_float_offset(build.read_valid_sources))
    result = make_release(bump="minor", released="2027-01-02", root=repo)
    assert result.path is None
    final = repo / "corpus" / f"v{NEXT_MINOR}" / "train.parquet"
    assert [(f.code, f.file, f.doc_id, f.record_id) for f in result.findings] == [
        ("E202", str(final), SEED, "d001-e01")
    ]
    assert all(".tmp-" not in f.render() for f in result.findings)
    _nothing_published(repo)


def test_a_float_offset_in_gold_yaml_is_not_released(repo: Path) -> None:
    gold = sources(repo) / "documents" / SEED / "gold.yaml"
    text = gold.read_text(encoding="utf-8")
    assert text.count("start: 4, end: 39,") == 1
    gold.write_text(text.replace("start: 4, end: 39,", "start: 4, end: 99999.0,"), "utf-8")
    run = hmeimim(repo, "release", "--bump", "patch")
    assert run.returncode in (1, 2), run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert ".tmp-" not in run.stdout + run.stderr
    _nothing_published(repo)


def test_build_validates_what_it_wrote(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "read_valid_sources", _with_float_offset(build.read_valid_sources))
    out = tmp_path / "out" / "v9.0.0"
    result = build.build_release(version="9.0.0", sources=sources(repo), out=out)
    assert result.release is None
    assert [(f.code, f.file) for f in result.findings] == [("E202", str(out / "train.parquet"))]
    assert not out.exists()
    assert list(out.parent.iterdir()) == []


# -- 2. a publish killed after the release folder was renamed ---------------------------------

CHILD = """
import sys, time
from pathlib import Path
import hmeimim.actions as actions
import hmeimim.publish.derived as derived

root, marker = Path(sys.argv[1]), Path(sys.argv[2])

def block(*args, **kwargs):
    marker.write_text("published-nothing")
    while True:
        time.sleep(60)

# make_release imports write_generated from publish.derived when it runs.
derived.write_generated = block
actions.make_release(bump="minor", released="2027-01-02", root=root)
"""


def _kill_after_release_rename(repo: Path, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(repo), str(marker)],
        env={**os.environ, "HMEIMIM_ROOT": str(repo)},
    )
    try:
        for _ in range(1200):
            if marker.exists() or child.poll() is not None:
                break
            time.sleep(0.1)
        assert marker.read_text() == "published-nothing"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()


def test_stale_derived_files_after_a_kill_are_named_by_the_next_commands(
    repo: Path, tmp_path: Path
) -> None:
    add_second_document(repo)
    before = {name: (repo / name).read_bytes() for name in DERIVED}
    _kill_after_release_rename(repo, tmp_path)
    assert _versions(repo) == [*copied_versions(), NEXT_MINOR]
    assert {name: (repo / name).read_bytes() for name in DERIVED} == before

    release = hmeimim(repo, "release", "--bump", "patch")
    assert release.returncode == 2, release.stdout + release.stderr
    assert f"{repo}: E610 " in release.stderr
    assert "hmeimim generate" in release.stderr
    for name in DERIVED:
        assert name in release.stderr
    assert "Traceback" not in release.stderr

    shown = hmeimim(repo, "validate")
    assert shown.returncode == 1, shown.stdout + shown.stderr
    assert f"{repo}: E610 derived-files-stale" in shown.stdout
    assert "hmeimim generate" in shown.stdout
    for name in DERIVED:
        assert name in shown.stdout
    # An explicit target is checked on its own: the release itself is fine.
    assert hmeimim(repo, "validate", str(repo / "corpus" / f"v{NEXT_MINOR}")).returncode == 0

    check = hmeimim(repo, "generate", "--check")
    assert check.returncode == 1
    for name in DERIVED:
        assert f"stale: {repo / name}" in check.stdout
    assert "hmeimim generate" in check.stdout

    assert hmeimim(repo, "generate").returncode == 0
    assert hmeimim(repo, "validate").returncode == 0
    retry = hmeimim(repo, "release", "--bump", "patch")
    assert retry.returncode == 2
    assert " E602 " in retry.stderr


def test_a_refused_release_does_nothing(repo: Path) -> None:
    add_second_document(repo)
    citation = repo / "CITATION.cff"
    stale = citation.read_text(encoding="utf-8").replace(f"version: {LATEST}", "version: 0.9.0")
    citation.write_text(stale, "utf-8")
    leftover = repo / "corpus" / "inputs" / ".tmp-inputs-left"
    leftover.mkdir()
    with pytest.raises(HmeimimError) as refused:
        make_release(bump="minor", released="2027-01-02", root=repo)
    assert (refused.value.code, refused.value.location) == ("E610", str(repo))
    assert "CITATION.cff" in refused.value.message
    assert _versions(repo) == copied_versions()
    assert sorted(p.name for p in (repo / "corpus" / "inputs").iterdir()) == [
        ".tmp-inputs-left",
        *copied_inputs(),
    ]


# -- temporaries of killed writers ------------------------------------------------------------

LEFTOVERS = (
    ".tmp-README.md.k1l2",
    "corpus/.tmp-CHANGELOG.md.x9",
    f"corpus/.tmp-v{NEXT_MINOR}-ab12/",
    "corpus/.tmp-sources-new/",
    "corpus/inputs/.tmp-inputs-cd34/",
    "schema/.tmp-README.md.q7",
    "schema/derived/.tmp-features.json.z3",
)


def _leave(repo: Path) -> list[Path]:
    made = []
    for name in LEFTOVERS:
        path = repo / name.rstrip("/")
        if name.endswith("/"):
            path.mkdir()
            (path / "part.parquet").write_bytes(b"PAR1")
        else:
            path.write_text("half", encoding="utf-8")
        made.append(path)
    return made


@pytest.mark.parametrize("command", ["release", "generate"])
def test_temporaries_of_a_killed_writer_are_removed_by_the_next_run(
    repo: Path, command: str
) -> None:
    add_second_document(repo)
    made = _leave(repo)
    args = ("release", "--bump", "minor") if command == "release" else ("generate",)
    run = hmeimim(repo, *args)
    assert run.returncode == 0, run.stdout + run.stderr
    assert [p for p in made if os.path.lexists(p)] == []


def test_temporaries_are_ignored_by_git() -> None:
    run = subprocess.run(
        ["git", "-C", str(REPO), "check-ignore", "--no-index", *LEFTOVERS],
        capture_output=True,
        text=True,
        check=False,
    )
    assert sorted(run.stdout.split()) == sorted(LEFTOVERS)


def test_written_files_get_the_mode_of_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / "file.txt", "x\n")
        with staged_folder(tmp_path / "folder") as staging:
            (staging / "inner.txt").write_text("y\n")
    finally:
        os.umask(old)
    assert (tmp_path / "file.txt").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "folder").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "folder" / "inner.txt").stat().st_mode & 0o777 == 0o644
