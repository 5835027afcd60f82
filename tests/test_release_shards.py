"""Large splits in several files, read unchanged by `datasets`, DuckDB and Spark.

The module writes release 1.3.0 next to a copy of the repository's releases: the
records of 1.2.0 with a split file holding at most 4 documents, so that train (11
documents) is three files (3, 4 and 4 documents) and validation and test (3 each) keep
their single files. Every reader must find the files through the manifest and give what
it gives for the unsharded 1.2.0.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import datasets
import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from release_support import copy_repo, edit_manifest, hmeimim, rehash

import hmeimim as lib
from hmeimim.errors import HmeimimError
from hmeimim.publish.derived import readme_front_matter
from hmeimim.release.reproduce import rebuild_release
from hmeimim.storage.files import sha256_of
from hmeimim.storage.records import read_release_records
from hmeimim.storage.releases import published_manifest, read_manifest, release_schema
from hmeimim.storage.writer import write_release
from hmeimim.validation.validate import validate_paths

SHARDS = ["train-00000-of-00003.parquet", "train-00001-of-00003.parquet"]
SHARDS.append("train-00002-of-00003.parquet")
SPLIT_FILES = {"train": SHARDS, "validation": ["validation.parquet"], "test": ["test.parquet"]}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    repo = copy_repo(tmp_path_factory.mktemp("shards") / "repo")
    old = repo / "corpus" / "v1.2.0"
    read = read_release_records(old)
    write_release(
        repo / "corpus" / "v1.3.0",
        records=read.records,
        schema=release_schema(old),
        version="1.3.0",
        released="2026-12-01",
        parent="1.2.0",
        sources_digest=str(read.manifest["sources_sha256"]),
        # The kept schema of 1.2.0 is the one these records are written with.
        extra={"inputs": "inputs/v1.2.0", "standoff": []},
        shard_rows=4,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HMEIMIM_ROOT", str(repo))
        yield repo


@pytest.fixture(scope="module")
def sharded(root: Path) -> Path:
    return root / "corpus" / "v1.3.0"


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    session = (
        SparkSession.builder.master("local[1]")
        .appName("hmeimim-shards")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    yield session
    session.stop()


def _expected(version: str) -> dict[str, list[tuple[str, int]]]:
    """(doc_id, spans) of every document of each split, as `load` gives them."""
    loaded = lib.load(version)
    return {
        split: [(row["doc_id"], len(row["spans"])) for row in loaded[split]] for split in loaded
    }


# -- the layout -------------------------------------------------------------------------------


def test_a_large_split_is_several_files_with_hf_names_and_a_stated_row_group_size(
    sharded: Path,
) -> None:
    manifest = read_manifest(sharded)
    names = sorted(n for n in os.listdir(sharded) if n.endswith(".parquet"))
    others = ["validation.parquet", "test.parquet", "annotators.parquet", "entities.parquet"]
    assert names == sorted([*SHARDS, *others, "claims.parquet"])
    assert [manifest["files"][n]["rows"] for n in SHARDS] == [3, 4, 4]
    assert {manifest["files"][n]["split"] for n in SHARDS} == {"train"}
    assert {e["row_group_rows"] for e in manifest["files"].values()} == {1024}
    doc_ids = [r["doc_id"] for n in SHARDS for r in pq.read_table(sharded / n).to_pylist()]
    old = pq.read_table(sharded.parent / "v1.2.0" / "train.parquet").column("doc_id")
    assert doc_ids == old.to_pylist()  # contiguous runs of the doc_id order
    assert doc_ids == sorted(doc_ids)
    assert len(doc_ids) == 11


def test_row_groups_hold_the_stated_rows(tmp_path: Path, sharded: Path) -> None:
    read = read_release_records(sharded)
    out = write_release(
        tmp_path / "v1.3.0",
        records=read.records,
        schema=release_schema(sharded),
        version="1.3.0",
        released="2026-12-01",
        parent="1.2.0",
        sources_digest="0" * 64,
        row_group_rows=2,
    )
    groups = pq.ParquetFile(out / "train.parquet").metadata
    sizes = [groups.row_group(i).num_rows for i in range(groups.num_row_groups)]
    assert sizes == [2, 2, 2, 2, 2, 1]
    assert read_manifest(out)["files"]["train.parquet"]["row_group_rows"] == 2


def test_the_sharded_release_validates_clean_with_both_engines(sharded: Path) -> None:
    for engine in ("duckdb", "python"):
        report = validate_paths([sharded], engine=engine)
        assert report.findings == [], engine
        assert report.documents == 17


def test_an_old_manifest_without_row_group_rows_still_validates(
    tmp_path: Path, sharded: Path
) -> None:
    release = tmp_path / "v1.3.0"
    shutil.copytree(sharded, release)
    edit_manifest(release, lambda m: [e.pop("row_group_rows") for e in m["files"].values()])
    assert validate_paths([release]).findings == []
    assert "row_group_rows" not in published_manifest(release)["files"]["test.parquet"]


@pytest.mark.parametrize("value", [0, -1, "1024", None])
def test_a_row_group_size_that_is_no_size_is_refused(
    tmp_path: Path, sharded: Path, value: Any
) -> None:
    release = tmp_path / "v1.3.0"
    shutil.copytree(sharded, release)
    edit_manifest(release, lambda m: m["files"]["test.parquet"].update(row_group_rows=value))
    findings = validate_paths([release]).findings
    assert [(f.code, f.file) for f in findings] == [("E008", str(release / "manifest.json"))]
    assert "files.test.parquet.row_group_rows" in findings[0].message
    with pytest.raises(HmeimimError) as caught:
        published_manifest(release)
    assert caught.value.code == "E008"


def test_a_row_group_size_the_file_does_not_have_is_a_contradiction(
    tmp_path: Path, sharded: Path
) -> None:
    release = tmp_path / "v1.3.0"
    shutil.copytree(sharded, release)
    edit_manifest(release, lambda m: m["files"][SHARDS[1]].update(row_group_rows=3))
    findings = validate_paths([release]).findings
    assert [(f.code, f.file) for f in findings] == [("E020", str(release / "manifest.json"))]
    assert f"files.{SHARDS[1]}.row_group_rows" in findings[0].message
    assert "hold 4 row(s)" in findings[0].message


# -- readers ----------------------------------------------------------------------------------


def test_load_and_the_views_give_the_rows_of_the_unsharded_release(sharded: Path) -> None:
    old, new = lib.load("1.2.0"), lib.load("1.3.0")
    assert list(new) == ["train", "validation", "test"]
    for split in old:
        assert new[split].to_list() == old[split].to_list()
    for view in ("spans", "attributions", "stances"):
        assert getattr(lib, view)("1.3.0").equals(getattr(lib, view)("1.2.0")), view
    assert list(lib.iter_documents("1.3.0", "train")) == list(lib.iter_documents("1.2.0", "train"))
    assert lib.read_documents("1.3.0") == lib.read_documents("1.2.0")
    # The streaming twins read the shards one after the other.
    for view in ("spans", "attributions", "stances"):
        streamed = pd.concat(list(getattr(lib, f"iter_{view}")("1.3.0")), ignore_index=True)
        assert streamed.equals(getattr(lib, view)("1.2.0")), view
    assert lib.ner("1.3.0")["train"].to_list() == lib.ner("1.2.0")["train"].to_list()


def test_duckdb_reads_each_split_from_its_files_unchanged(sharded: Path) -> None:
    expected = _expected("1.3.0")
    assert expected == _expected("1.2.0")
    listing = read_manifest(sharded)["files"]
    for split, names in SPLIT_FILES.items():
        listed = sorted(n for n, e in listing.items() if e.get("split") == split)
        assert listed == names
        paths = [str(sharded / n) for n in names]
        for source in (paths, str(sharded / f"{split}*.parquet")):
            rows = duckdb.execute(
                "SELECT doc_id, len(spans) FROM read_parquet(?) ORDER BY doc_id", [source]
            ).fetchall()
            assert rows == sorted(expected[split]), (split, source)


def test_spark_reads_each_split_from_its_files_unchanged(
    sharded: Path, spark: SparkSession
) -> None:
    expected = _expected("1.3.0")
    for split, names in SPLIT_FILES.items():
        for frame in (
            spark.read.parquet(*(str(sharded / n) for n in names)),
            spark.read.parquet(str(sharded / f"{split}*.parquet")),
        ):
            rows = frame.select("doc_id", F.size("spans").alias("n")).orderBy("doc_id").collect()
            assert [(r["doc_id"], r["n"]) for r in rows] == sorted(expected[split]), split


def test_the_dataset_card_config_reads_the_sharded_split(root: Path, sharded: Path) -> None:
    card = yaml.safe_load(readme_front_matter(root).split("---\n")[1])
    configs = {c["config_name"]: c for c in card["configs"]}
    default = {e["split"]: e["path"] for e in configs["default"]["data_files"]}
    assert default == {
        "train": [f"corpus/v1.3.0/{n}" for n in SHARDS],
        "validation": "corpus/v1.3.0/validation.parquet",
        "test": "corpus/v1.3.0/test.parquet",
    }
    assert configs["v1.3.0"]["data_files"] == configs["default"]["data_files"]
    assert configs["v1.2.0"]["data_files"][0] == {
        "split": "train",
        "path": "corpus/v1.2.0/train.parquet",
    }
    assert "&id" not in readme_front_matter(root)  # no YAML aliases for the shared lists
    data_files = {
        split: [str(root / p) for p in (path if isinstance(path, list) else [path])]
        for split, path in default.items()
    }
    loaded = datasets.load_dataset("parquet", data_files=data_files)
    expected = _expected("1.3.0")
    for split, rows in expected.items():
        assert [(r["doc_id"], len(r["spans"])) for r in loaded[split]] == rows
    published = configs["published"]["data_files"]
    assert published[0] == {"split": "train", "path": [f"corpus/v1.3.0/{n}" for n in SHARDS]}


def test_croissant_lists_every_shard_and_reads_the_split_from_their_set(root: Path) -> None:
    from hmeimim.publish.croissant import croissant

    document = croissant(root)
    ids = {entry["@id"]: entry for entry in document["distribution"]}
    for name in SHARDS:
        assert ids[name]["sha256"] == sha256_of(root / "corpus" / "v1.3.0" / name)
    assert ids["train-files"]["includes"] == [f"corpus/v1.3.0/{n}" for n in SHARDS]
    train = next(r for r in document["recordSet"] if r["@id"] == "train")
    assert train["field"][0]["source"]["fileSet"] == {"@id": "train-files"}
    test = next(r for r in document["recordSet"] if r["@id"] == "test")
    assert test["field"][0]["source"]["fileObject"] == {"@id": "test.parquet"}
    # mlcroissant reads the split from the set of its files (paths relative to the root).
    import mlcroissant as mlc

    (root / "croissant.json").write_text(json.dumps(document), encoding="utf-8")
    records = mlc.Dataset(jsonld=str(root / "croissant.json")).records("train")
    doc_ids = sorted(r["train/doc_id"].decode() for r in records)
    assert doc_ids == sorted(d for d, _ in _expected("1.3.0")["train"])


def test_rebuilding_a_sharded_release_gives_the_same_bytes(tmp_path: Path, root: Path) -> None:
    """The rebuild cuts each split into as many files as the release lists (here with the
    default threshold, under which train would be one file)."""
    kept = root / "corpus" / "inputs"
    shutil.copytree(kept / "v1.2.0", kept / "v1.3.0")
    edit_manifest(root / "corpus" / "v1.3.0", lambda m: m.update(inputs="inputs/v1.3.0"))
    try:
        rebuilt = rebuild_release("1.3.0", out=tmp_path / "v1.3.0", root=root)
        folder = root / "corpus" / "v1.3.0"
        names = sorted(read_manifest(folder)["files"])
        assert [sha256_of(rebuilt / n) for n in names] == [sha256_of(folder / n) for n in names]
    finally:
        edit_manifest(root / "corpus" / "v1.3.0", lambda m: m.update(inputs="inputs/v1.2.0"))
        shutil.rmtree(kept / "v1.3.0")


def test_old_releases_still_reproduce_byte_for_byte(root: Path) -> None:
    run = hmeimim(root, "reproduce", "1.2.0")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "manifest.json: same" in run.stdout


def test_synthesize_cuts_splits_as_write_release_does(tmp_path: Path) -> None:
    out = tmp_path / "synth"
    script = ["scripts/synthesize.py", "30", "-o", str(out), "--no-sources"]
    made = subprocess.run(
        [sys.executable, *script, "--shard-rows", "8"],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    folder = out / "corpus" / "v1.0.0"
    manifest = read_manifest(folder)
    read = read_release_records(folder)
    again = write_release(
        tmp_path / "v1.0.0",
        records=read.records,
        schema=release_schema(folder),
        version="1.0.0",
        released=str(manifest["released"]),
        parent=None,
        sources_digest=str(manifest["sources_sha256"]),
        extra={k: manifest[k] for k in ("inputs", "bump", "standoff")},
        shard_rows=8,
    )
    # 30 documents: train 18 (3 files), test 9 (2), validation 3 (1).
    assert sorted(os.listdir(again)) == sorted(os.listdir(folder))
    assert "train-00002-of-00003.parquet" in manifest["files"]
    for name in sorted(manifest["files"]):
        assert sha256_of(again / name) == sha256_of(folder / name), name
    assert json.loads((again / "manifest.json").read_text()) == manifest


# -- damage -----------------------------------------------------------------------------------


@pytest.fixture
def release(tmp_path: Path, sharded: Path) -> Path:
    copy = tmp_path / "v1.3.0"
    shutil.copytree(sharded, copy)
    return copy


def _findings(release: Path, missing: bool = False) -> list[tuple[str, str | None]]:
    """The findings on `release`; `missing`: documents of the train split are missing, so
    the annotator layers of some of them name documents the release does not hold (E302),
    which are left out."""
    found = [(f.code, f.file) for f in validate_paths([release]).findings]
    layers = ("E302", str(release / "annotators.parquet"))
    assert (layers in found) == missing
    return [f for f in found if f != layers]


def test_a_missing_shard_is_named(release: Path) -> None:
    (release / SHARDS[1]).unlink()
    assert _findings(release, missing=True) == [("E002", str(release / SHARDS[1]))]


def test_a_shard_missing_from_folder_and_listing_is_named_by_its_siblings(release: Path) -> None:
    (release / SHARDS[1]).unlink()
    edit_manifest(release, lambda m: m["files"].pop(SHARDS[1]))
    assert _findings(release, missing=True) == [
        ("E008", str(release / "manifest.json")),  # counts.splits.train: 11, files list 7
        ("E002", str(release / SHARDS[1])),
    ]
    findings = validate_paths([release]).findings
    assert "counts.splits.train" in findings[0].message
    assert "file 2 of the 3 of split train" in findings[1].message


def test_an_unlisted_extra_shard_is_named(release: Path) -> None:
    shutil.copy2(release / SHARDS[0], release / "train-00003-of-00004.parquet")
    assert _findings(release) == [("E006", str(release / "train-00003-of-00004.parquet"))]


def test_a_shard_renamed_to_another_split_is_named(release: Path) -> None:
    renamed = release / "test-00002-of-00003.parquet"
    (release / SHARDS[2]).rename(renamed)
    expected = [("E002", str(release / SHARDS[2])), ("E006", str(renamed))]
    assert _findings(release, missing=True) == expected


def test_a_shard_whose_rows_belong_to_another_split_is_named(release: Path) -> None:
    path = release / SHARDS[1]
    table = pq.read_table(path)
    rows = [{**row, "split": "test"} for row in table.to_pylist()]
    pq.write_table(type(table).from_pylist(rows, schema=table.schema), path)
    rehash(release, SHARDS[1])
    findings = validate_paths([release]).findings
    # E007 for each of the 4 documents, and the split rule (E317) disagrees with 'test' too.
    assert (
        sorted((f.code, f.file) for f in findings)
        == [("E007", str(path))] * 4 + [("E317", str(path))] * 4
    )
    wrong_file = [f for f in findings if f.code == "E007"]
    assert all(SHARDS[1] in f.message and "'test'" in f.message for f in wrong_file)


def test_readers_find_the_files_through_the_manifest(release: Path, tmp_path: Path) -> None:
    """An unlisted file that looks like a shard is never read."""
    shutil.copy2(release / SHARDS[0], release / "train-00003-of-00004.parquet")
    assert len(read_release_records(release).records.documents) == 17
