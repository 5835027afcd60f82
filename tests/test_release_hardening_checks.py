"""Release folders whose hashes agree with the manifest but which are no release.

Each test breaks one thing in a copy of release 1.0.0 and re-hashes the file into the
manifest (`rehash`), so that only the check under test can see the damage. Expected
findings are written by hand from the edit.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fuzz_support import check_printable
from release_support import copied_versions, copy_repo, edit_manifest, hmeimim, rehash

from hmeimim.actions import validate_paths
from hmeimim.errors import HmeimimError
from hmeimim.storage.parquet import table_from_records, write_parquet
from hmeimim.storage.records import read_release_records
from hmeimim.storage.releases import release_schema
from hmeimim.views.load import entities, spans
from hmeimim.views.load import load as hmeimim_load


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_repo(tmp_path / "repo")


@pytest.fixture
def release(repo: Path) -> Path:
    return repo / "corpus" / "v1.0.0"


def _latest() -> str:
    """The newest release a fresh copy holds, by version number."""
    return max(copied_versions(), key=lambda v: tuple(int(part) for part in v.split(".")))


def _findings(folder: Path) -> list[tuple[str, str]]:
    report = validate_paths([folder])
    check_printable(report.findings)
    return sorted((f.code, str(f.file)) for f in report.findings)


# -- rows, and the files a release must have --------------------------------------------------


def test_a_split_file_without_rows(release: Path) -> None:
    train = release / "train.parquet"
    # The release's own schema (1.0.0), so that only the missing rows differ.
    write_parquet(table_from_records([], release_schema(release), "documents"), train)
    rehash(release, "train.parquet", rows=0)
    # The manifest's counts still give one document in train.
    assert _findings(release) == [("E009", str(train)), ("E018", str(train))]


def test_a_file_without_row_groups(release: Path) -> None:
    train = release / "train.parquet"
    pq.ParquetWriter(train, release_schema(release).arrow_schema("documents")).close()
    assert pq.ParquetFile(train).metadata.num_row_groups == 0
    rehash(release, "train.parquet")  # still lists 1 row
    assert _findings(release) == [
        ("E009", str(train)),  # files.train.parquet.rows
        ("E009", str(train)),  # counts.splits.train
        ("E018", str(train)),
    ]


def test_rows_that_differ_from_the_file(release: Path) -> None:
    rehash(release, "entities.parquet", rows=25)
    assert _findings(release) == [("E009", str(release / "entities.parquet"))]


@pytest.mark.parametrize("rows", [-1, 1.0, "26", None, True, 1e300])
def test_rows_that_are_no_count(release: Path, rows: Any) -> None:
    rehash(release, "entities.parquet", rows=rows)
    assert _findings(release) == [("E008", str(release / "manifest.json"))]


@pytest.mark.parametrize("name", ["train.parquet", "entities.parquet", "annotators.parquet"])
def test_a_deleted_file_whose_entry_was_removed_too(release: Path, name: str) -> None:
    (release / name).unlink()
    edit_manifest(release, lambda m: m["files"].pop(name))
    assert _findings(release) == [("E002", str(release / name))]


def test_a_split_the_counts_give_documents_has_a_file(release: Path) -> None:
    edit_manifest(release, lambda m: m["counts"]["splits"].update(validation=2))
    assert _findings(release) == [("E002", str(release / "validation.parquet"))]


def test_an_unlisted_file_and_an_unlisted_missing_file_are_both_findings(release: Path) -> None:
    shutil.copy2(release / "train.parquet", release / "validation.parquet")
    (release / "annotators.parquet").unlink()
    edit_manifest(release, lambda m: m["files"].pop("annotators.parquet"))
    assert _findings(release) == [
        ("E002", str(release / "annotators.parquet")),
        ("E006", str(release / "validation.parquet")),
    ]


# -- entries that point outside the release ---------------------------------------------------


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path opened through Python's `open` while the test runs."""
    paths: list[str] = []
    real_open = io.open

    def recording_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, str | os.PathLike):
            paths.append(os.path.realpath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", recording_open)
    return paths


@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlink"])
def test_entries_outside_the_release_are_findings_and_never_opened(
    release: Path, tmp_path: Path, how: str, opened: list[str]
) -> None:
    outside = tmp_path / "outside.parquet"
    shutil.copy2(release / "annotators.parquet", outside)
    if how == "symlink":
        (release / "annotators.parquet").unlink()
        (release / "annotators.parquet").symlink_to(outside)
        name = "annotators.parquet"
    else:
        name = "../../../outside.parquet" if how == "dotdot" else str(outside)
        assert (release / name).resolve() == outside.resolve()
        data = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
        data["files"][name] = dict(data["files"]["annotators.parquet"])
        (release / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    assert _findings(release) == [("E019", str(release / "manifest.json"))]
    assert str(outside.resolve()) not in opened


@pytest.mark.parametrize(
    ("name", "reader"),
    [
        *[("train.parquet", r) for r in ("load", "spans", "summary", "ls-export", "records")],
        ("entities.parquet", "entities"),
        ("entities.parquet", "records"),
        ("annotators.parquet", "records"),
    ],
)
def test_readers_refuse_a_symlinked_release_file_as_validate_does(
    repo: Path,
    release: Path,
    tmp_path: Path,
    name: str,
    reader: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The loaders used to follow a link that `validate` flags (E019); now they refuse too."""
    outside = tmp_path / name
    shutil.copy2(release / name, outside)
    (release / name).unlink()
    (release / name).symlink_to(outside)
    if reader in ("summary", "ls-export"):
        args = ["summary"] if reader == "summary" else ["ls", "export", "-o", str(tmp_path / "t")]
        result = hmeimim(repo, *args, "--version", "1.0.0")
        assert result.returncode == 2, result.stdout + result.stderr
        assert "Traceback" not in result.stdout + result.stderr
        assert f"{release / 'manifest.json'}: E019 " in result.stdout + result.stderr
        return
    monkeypatch.setenv("HMEIMIM_ROOT", str(repo))
    readers: dict[str, Any] = {
        "load": lambda: hmeimim_load("1.0.0"),
        "spans": lambda: spans("1.0.0"),
        "entities": lambda: entities("1.0.0"),
        "records": lambda: read_release_records(release),
    }
    with pytest.raises(HmeimimError) as caught:
        readers[reader]()
    assert caught.value.code == "E019"
    assert name in str(caught.value)


# -- the manifest against its folder and the release's kept schema ----------------------------


@pytest.mark.parametrize(
    ("key", "value"), [("version", "1.0.1"), ("version", "2.0.0"), ("schema_version", "1.0.1")]
)
def test_a_manifest_that_contradicts_its_folder_or_schema(
    release: Path, key: str, value: str
) -> None:
    edit_manifest(release, lambda m: m.update({key: value}))
    assert _findings(release) == [("E020", str(release / "manifest.json"))]


@pytest.mark.parametrize("value", [7, None, "one"])
def test_a_manifest_version_that_is_no_version(release: Path, value: Any) -> None:
    edit_manifest(release, lambda m: m.update(version=value))
    assert _findings(release) == [("E008", str(release / "manifest.json"))]


EDITS: dict[str, Any] = {
    "released-missing": lambda m: m.pop("released"),
    "released-no-date": lambda m: m.update(released="soon"),
    "table-wrong": lambda m: m["files"]["train.parquet"].update(table="entities"),
    "split-wrong": lambda m: m["files"]["train.parquet"].update(split="test"),
    "entry-a-list": lambda m: m["files"].update({"entities.parquet": [1]}),
    "counts-a-list": lambda m: m.update(counts=[1]),
}


@pytest.mark.parametrize("case", sorted(EDITS))
def test_manifest_keys_that_publishing_reads(repo: Path, case: str) -> None:
    # The latest release: `release` reads its manifest to make the next version.
    release = repo / "corpus" / f"v{_latest()}"
    manifest = release / "manifest.json"
    edit_manifest(release, EDITS[case])
    assert ("E008", str(manifest)) in _findings(release)
    for args in (("generate", "--check"), ("reproduce",), ("release", "--bump", "patch")):
        run = hmeimim(repo, *args)
        assert run.returncode == 2, run.stdout + run.stderr
        assert "Traceback" not in run.stdout + run.stderr
        assert f"{manifest}: E008 " in run.stderr


# -- Parquet metadata and contents ------------------------------------------------------------


def _rewrite_metadata(path: Path, huggingface: bytes) -> None:
    table = pq.read_table(path)
    metadata = {**(table.schema.metadata or {}), b"huggingface": huggingface}
    write_parquet(table.replace_schema_metadata(metadata), path)


@pytest.mark.parametrize(
    "huggingface",
    [
        b'{"info": {"features": ',
        b"\xff\xfe",
        b"[1, 2]",
        json.dumps(
            {"info": {"features": {"doc_id": {"_type": "Value", "dtype": "int64"}}}}
        ).encode(),
    ],
)
def test_corrupt_huggingface_metadata(release: Path, huggingface: bytes) -> None:
    train = release / "train.parquet"
    _rewrite_metadata(train, huggingface)
    rehash(release, "train.parquet")
    assert _findings(release) == [("E021", str(train))]


def _invalid_utf8_doc_id(path: Path) -> None:
    table = pq.read_table(path)
    index = table.schema.get_field_index("doc_id")
    bad = pa.array([b"\xffbad"] * table.num_rows, pa.binary()).view(pa.string())
    write_parquet(table.set_column(index, table.schema.field(index), bad), path)


def test_invalid_utf8_in_a_string_column(release: Path) -> None:
    train = release / "train.parquet"
    _invalid_utf8_doc_id(train)
    rehash(release, "train.parquet")
    report = validate_paths([release])
    check_printable(report.findings)
    assert [(f.code, f.file) for f in report.findings] == [("E001", str(train))]
    assert "UTF-8" in report.findings[0].message


@pytest.mark.parametrize(
    "args",
    [
        ("summary", "--version", "1.0.0"),
        ("diff", "1.0.0", "1.0.0"),
        ("ls", "export", "--version", "1.0.0", "--out", "tasks.json"),
    ],
)
def test_invalid_utf8_through_the_other_readers(repo: Path, args: tuple[str, ...]) -> None:
    release = repo / "corpus" / "v1.0.0"
    _invalid_utf8_doc_id(release / "train.parquet")
    run = hmeimim(repo, *[str(repo / a) if a.endswith(".json") else a for a in args])
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert f"{release / 'train.parquet'}: E001 " in run.stderr
    assert "fix: " in run.stderr
