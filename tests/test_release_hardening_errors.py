"""Inputs and disks that used to give tracebacks: each is now a code, a location and a fix.

Huge numbers and deep nesting in manifest.json; files and folders that cannot be read;
a disk that is full, or a folder that may not be written, while `release` writes. The
tests run as root, where permission bits do not stop reads or writes, so the errors the
operating system would give are raised by monkeypatching the calls that read and write
(`deny`, `fail_writes`); one test uses real permissions and is skipped as root.
"""

from __future__ import annotations

import errno
import io
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from fuzz_support import check_printable
from release_support import (
    add_second_document,
    copied_inputs,
    copied_versions,
    copy_repo,
    hmeimim,
)
from typer.testing import CliRunner

from hmeimim import cli
from hmeimim.actions import make_release, validate_paths
from hmeimim.errors import CODES, HmeimimError
from hmeimim.storage.releases import list_releases


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_repo(tmp_path / "repo")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _latest() -> str:
    """The newest release a fresh copy holds, by version number."""
    return max(copied_versions(), key=_version)


def _next_minor() -> str:
    """The version `release --bump minor` makes next: the latest one's minor plus one."""
    major, minor, _ = _version(_latest())
    return f"{major}.{minor + 1}.0"


def _cli(monkeypatch: pytest.MonkeyPatch, root: Path, *args: str) -> Any:
    """Run the CLI in this process (so that monkeypatches apply) against `root`."""
    monkeypatch.setenv("HMEIMIM_ROOT", str(root))
    return CliRunner().invoke(cli.app, list(args))


def _refused(result: Any, code: str, location: str) -> None:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert f"{location}: {code} " in result.output, result.output
    assert "fix: " in result.output


# -- manifest.json that parsers choke on -----------------------------------------------------

HUGE = {
    "float-overflow": '"rows": 1e400',
    "huge-integer": '"rows": 1' + "0" * 5000,
    "deep-nesting": '"rows": ' + "[" * 50_000 + "]" * 50_000,
}


@pytest.mark.parametrize("case", sorted(HUGE))
def test_huge_numbers_and_deep_nesting_in_the_manifest(repo: Path, case: str) -> None:
    # The latest release, which `summary` and `release` read.
    release = repo / "corpus" / f"v{_latest()}"
    manifest = release / "manifest.json"
    text = manifest.read_text(encoding="utf-8")
    first = re.search(r'"rows": \d+,', text)
    assert first is not None
    end = first.end() - 1  # keep the comma
    manifest.write_text(text[: first.start()] + HUGE[case] + text[end:], encoding="utf-8")

    report = validate_paths([release])
    check_printable(report.findings)
    assert [(f.code, f.file) for f in report.findings] == [("E004", str(manifest))]

    shown = hmeimim(repo, "validate")
    assert shown.returncode == 1, shown.stdout + shown.stderr
    assert "Traceback" not in shown.stdout + shown.stderr
    assert f"{manifest}: E004 bad-manifest" in shown.stdout
    for args in (("summary",), ("release", "--bump", "minor")):
        run = hmeimim(repo, *args)
        assert run.returncode == 2, run.stdout + run.stderr
        assert "Traceback" not in run.stdout + run.stderr
        assert f"{manifest}: E004 " in run.stderr
        assert "fix: " in run.stderr


# -- files and folders that cannot be read ---------------------------------------------------


def deny(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    """Make `denied` behave as after `chmod 000` for a user that is not root.

    A file cannot be opened; a folder cannot be listed, and nothing under it can be
    opened or looked at. The folder itself can still be looked at (its parent allows it).
    """
    denied = denied.absolute()

    def blocked(path: Any, *, inside_only: bool = False) -> bool:
        if isinstance(path, int) or not isinstance(path, str | bytes | os.PathLike):
            return False
        target = Path(os.fsdecode(path)).absolute()
        if target == denied:
            return not inside_only or denied.is_dir()
        return denied in target.parents

    def error(path: Any) -> PermissionError:
        return PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))

    real_open, real_listdir, real_scandir, real_stat = io.open, os.listdir, os.scandir, os.stat
    is_dir = denied.is_dir()

    def fake_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if blocked(file):
            raise error(file)
        return real_open(file, *args, **kwargs)

    def fake_listdir(path: Any = ".") -> Any:
        if blocked(path):
            raise error(path)
        return real_listdir(path)

    def fake_scandir(path: Any = ".") -> Any:
        if blocked(path):
            raise error(path)
        return real_scandir(path)

    def fake_stat(path: Any, *args: Any, **kwargs: Any) -> Any:
        target = Path(os.fsdecode(path)).absolute() if not isinstance(path, int) else None
        if is_dir and target is not None and denied in target.parents:
            raise error(path)
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(io, "open", fake_open)
    monkeypatch.setattr(os, "listdir", fake_listdir)
    monkeypatch.setattr(os, "scandir", fake_scandir)
    monkeypatch.setattr(os, "stat", fake_stat)


@pytest.mark.parametrize("name", ["train.parquet", "manifest.json", "entities.parquet"])
def test_an_unreadable_file_of_a_release(
    repo: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # Without its manifest a release is checked against the current schema, which only
    # the latest release follows; a Parquet file is denied in 1.0.0, where no other file
    # of the release refers to its rows.
    version = _latest() if name == "manifest.json" else "1.0.0"
    release = repo / "corpus" / f"v{version}"
    deny(monkeypatch, release / name)
    report = validate_paths([release])
    check_printable(report.findings)
    assert [(f.code, f.file) for f in report.findings] == [("E023", str(release / name))]
    result = _cli(monkeypatch, repo, "validate")
    assert result.exit_code == 1, result.output
    assert f"{release / name}: E023 unreadable-path" in result.output
    assert "Traceback" not in result.output


def test_an_unreadable_release_folder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    release = repo / "corpus" / "v1.0.0"
    deny(monkeypatch, release)
    report = validate_paths([release])
    check_printable(report.findings)
    assert [(f.code, f.file) for f in report.findings] == [("E023", str(release))]
    for version in copied_versions():  # every release unreadable: nothing can be read
        if version != "1.0.0":
            deny(monkeypatch, repo / "corpus" / f"v{version}")
    result = _cli(monkeypatch, repo, "validate")
    assert result.exit_code == 2, result.output  # nothing could be read
    assert f"{release}: E023 unreadable-path" in result.output
    assert "Traceback" not in result.output


def test_an_unreadable_corpus_folder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deny(monkeypatch, repo / "corpus")
    for args in (("validate",), ("summary",), ("release", "--bump", "minor")):
        _refused(_cli(monkeypatch, repo, *args), "E023", str(repo / "corpus"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permission bits say")
def test_chmod_000_with_real_permissions(repo: Path) -> None:
    release = repo / "corpus" / "v1.0.0"
    (release / "train.parquet").chmod(0)
    run = hmeimim(repo, "validate")
    assert run.returncode == 1
    assert f"{release / 'train.parquet'}: E023 unreadable-path" in run.stdout
    release.chmod(0)
    try:
        run = hmeimim(repo, "validate")
        assert run.returncode == 2
        assert f"{release}: E023 unreadable-path" in run.stdout
        assert "Traceback" not in run.stdout + run.stderr
    finally:
        release.chmod(0o755)
        (release / "train.parquet").chmod(0o644)


# -- writing that fails: a full disk, a folder that may not be written ------------------------

DERIVED = ("README.md", "DATASHEET.md", "CHANGELOG.md", "CITATION.cff", "croissant.json")
ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
EACCES = PermissionError(errno.EACCES, os.strerror(errno.EACCES))


def _nothing_written(repo: Path) -> None:
    corpus = repo / "corpus"
    assert [str(v) for v, _ in list_releases(repo)] == copied_versions()
    assert sorted(p.name for p in (corpus / "inputs").iterdir()) == copied_inputs()
    assert sorted(p.name for p in corpus.iterdir() if p.name.startswith(".tmp-")) == []
    assert sorted(p.name for p in repo.iterdir() if p.name.startswith(".tmp-")) == []


def _failing(error: OSError) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise error

    return fail


@pytest.mark.parametrize(
    ("where", "error"),
    [
        ("parquet", ENOSPC),
        ("parquet", EACCES),
        ("manifest-fsync", ENOSPC),
        ("staging-folder", EACCES),
        ("inputs-copy", ENOSPC),
    ],
)
def test_a_write_that_fails_during_release_writes_nothing(
    repo: Path, monkeypatch: pytest.MonkeyPatch, where: str, error: OSError
) -> None:
    add_second_document(repo)
    derived = {name: (repo / name).read_bytes() for name in DERIVED}
    if where == "parquet":
        monkeypatch.setattr(pq, "write_table", _failing(error))
    elif where == "manifest-fsync":
        real_fsync = os.fsync

        def fsync(fd: int) -> None:
            if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).startswith(".tmp-manifest"):
                raise error
            real_fsync(fd)

        monkeypatch.setattr(os, "fsync", fsync)
    elif where == "staging-folder":
        real_mkdtemp = tempfile.mkdtemp

        def mkdtemp(*args: Any, **kwargs: Any) -> str:
            if str(kwargs.get("prefix", "")).startswith(".tmp-v"):
                raise error
            return real_mkdtemp(*args, **kwargs)

        monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    else:
        monkeypatch.setattr(shutil, "copy2", _failing(error))
    with pytest.raises(HmeimimError) as caught:
        make_release(bump="minor", released="2027-01-02", root=repo)
    assert caught.value.code == "E024", caught.value
    assert os.strerror(error.errno) in caught.value.message
    assert ".tmp-" not in caught.value.location
    assert caught.value.location.startswith(str(repo / "corpus"))
    _nothing_written(repo)
    assert {name: (repo / name).read_bytes() for name in DERIVED} == derived


def test_a_full_disk_in_the_cli_is_a_coded_error(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_second_document(repo)
    monkeypatch.setattr(pq, "write_table", _failing(ENOSPC))
    result = _cli(monkeypatch, repo, "release", "--bump", "minor")
    _refused(result, "E024", str(repo / "corpus" / f"v{_next_minor()}" / "train.parquet"))
    assert "No space left on device" in result.output
    _nothing_written(repo)


def test_a_full_disk_after_the_release_before_the_derived_files(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_second_document(repo)
    real_mkstemp = tempfile.mkstemp
    corpus = repo / "corpus"

    def mkstemp(*args: Any, **kwargs: Any) -> Any:
        folder = Path(kwargs.get("dir") or args[2])
        if corpus not in [folder, *folder.parents]:
            raise ENOSPC
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    result = _cli(monkeypatch, repo, "release", "--bump", "minor", "--released", "2027-01-02")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert " E611 " in result.output
    assert f"release {_next_minor()} is written" in result.output
    assert "hmeimim generate" in result.output
    assert CODES["E611"].fix in result.output
    monkeypatch.undo()
    # The release is whole; what is missing is said by the next commands.
    assert validate_paths([corpus / f"v{_next_minor()}"]).ok
    again = hmeimim(repo, "release", "--bump", "patch")
    assert again.returncode == 2
    assert " E610 " in again.stderr
    assert "hmeimim generate" in again.stderr
    assert hmeimim(repo, "generate").returncode == 0
    assert hmeimim(repo, "validate").returncode == 0


# -- a release whose relations point nowhere ---------------------------------------------------


@pytest.mark.parametrize(
    ("table", "field"),
    [("attributions", "cue"), ("attributions", "contents"), ("stances", "evidence")],
)
def test_ls_export_of_a_release_with_a_dangling_reference(
    repo: Path, monkeypatch: pytest.MonkeyPatch, table: str, field: str
) -> None:
    """Used to be a KeyError traceback in the task builder; now E733 names the record."""
    from release_support import rehash

    release = repo / "corpus" / "v1.0.0"
    table_data = pq.read_table(release / "train.parquet")
    rows = table_data.to_pylist()
    record = rows[0][table][0]
    record[field] = "no-such-span" if field == "cue" else ["no-such-span"]
    record_id = record["frame_id" if table == "attributions" else "stance_id"]
    pq.write_table(
        type(table_data).from_pylist(rows, schema=table_data.schema), release / "train.parquet"
    )
    rehash(release, "train.parquet")
    assert hmeimim(repo, "validate").returncode == 1  # validate sees it too (E302)
    tasks = str(repo / "tasks.json")
    result = _cli(monkeypatch, repo, "ls", "export", "--version", "1.0.0", "-o", tasks)
    _refused(result, "E733", f"doc={rows[0]['doc_id']} id={record_id}")
    assert "no-such-span" in result.output
    assert not (repo / "tasks.json").exists()
