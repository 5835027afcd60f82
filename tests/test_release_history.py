"""Every release ever written stays loadable by version and rebuilds to the same bytes."""

from __future__ import annotations

from pathlib import Path

import datasets
import pytest
import yaml
from release_support import REPO, add_second_document, copy_repo, hmeimim

import hmeimim as hm
from hmeimim.release.reproduce import reproduce
from hmeimim.storage.releases import list_releases, read_manifest

RELEASES = [str(v) for v, _ in list_releases(REPO)]


def test_the_known_releases_are_there() -> None:
    assert RELEASES[:1] == ["1.0.0"]


@pytest.mark.parametrize("version", RELEASES)
def test_release_loads_by_version(version: str) -> None:
    loaded = hm.load(version)
    manifest = read_manifest(REPO / "corpus" / f"v{version}")
    assert loaded.num_rows["train"] == manifest["files"]["train.parquet"]["rows"]
    by_config = datasets.load_dataset(str(REPO), f"v{version}")
    assert by_config["train"]["doc_id"] == loaded["train"]["doc_id"]


@pytest.mark.parametrize("version", RELEASES)
def test_release_rebuilds_to_the_manifest_sha256(version: str) -> None:
    manifest = read_manifest(REPO / "corpus" / f"v{version}")
    pairs = reproduce(version, root=REPO)
    assert set(pairs) == {*manifest["files"], "manifest.json"}
    for name, entry in manifest["files"].items():
        assert pairs[name] == (entry["sha256"], entry["sha256"])
    written, rebuilt = pairs["manifest.json"]
    assert written == rebuilt


def _train_documents(root: Path) -> list[str]:
    """The doc_ids whose meta.yaml puts them in train, read from the sources by hand."""
    folders = sorted((root / "corpus" / "sources" / "documents").iterdir())
    metas = [yaml.safe_load((f / "meta.yaml").read_text(encoding="utf-8")) for f in folders]
    return sorted(m["doc_id"] for m in metas if m["split"] == "train")


def test_a_new_release_is_loadable_and_reproducible_next_to_the_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = copy_repo(tmp_path / "repo")
    previous = RELEASES[-1]  # the latest release of the repository (1.1.0 now)
    major, minor, _ = (int(part) for part in previous.split("."))
    new = f"{major}.{minor + 1}.0"
    before = _train_documents(repo)  # what the latest release holds in train
    add_second_document(repo)
    after = _train_documents(repo)
    assert after == sorted([*before, "second-report"])
    assert hmeimim(repo, "release", "--bump", "minor", "--released", "2027-01-02").returncode == 0
    # Editing the sources afterwards does not change what the new release rebuilds from.
    (repo / "corpus" / "sources" / "documents" / "second-report" / "text.txt").write_text("x")
    assert hmeimim(repo, "reproduce").returncode == 0
    monkeypatch.setenv("HMEIMIM_ROOT", str(repo))
    assert hm.load("1.0.0").num_rows["train"] == 1
    assert sorted(hm.load(previous)["train"]["doc_id"]) == before
    assert sorted(hm.load(new)["train"]["doc_id"]) == after
    assert hm.load().num_rows["train"] == len(after)
    latest = datasets.load_dataset(str(repo))
    assert sorted(latest["train"]["doc_id"]) == after
    old = datasets.load_dataset(str(repo), "v1.0.0")
    assert old["train"]["doc_id"] == ["2024-12-20-russia-withdrawal-syria"]
