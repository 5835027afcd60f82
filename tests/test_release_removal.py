"""`release` never drops gold silently: a whole document, or more than half of a
document's gold spans, needs `--allow-removal` (E612 otherwise), and the changelog and
the manifest then say what was removed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from release_support import SEED, copied_versions, copy_repo, hmeimim, sources

from hmeimim.model import MAX_REMOVED_SHARE
from hmeimim.storage.releases import list_releases, read_manifest


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_repo(tmp_path / "repo")


def _gold(root: Path) -> Path:
    return sources(root) / "documents" / SEED / "gold.yaml"


def _keep_entity_spans_only(root: Path) -> tuple[int, int]:
    """Drop every non-entity span (and the frames and stances on them); (kept, total)."""
    gold = yaml.safe_load(_gold(root).read_text(encoding="utf-8"))
    total = len(gold["spans"])
    gold["spans"] = [s for s in gold["spans"] if s["layer"] == "entity"]
    gold["attributions"], gold["stances"] = [], []
    _gold(root).write_text(yaml.safe_dump(gold, allow_unicode=True), encoding="utf-8")
    return len(gold["spans"]), total


def _versions(root: Path) -> list[str]:
    return [str(v) for v, _ in list_releases(root)]


def test_emptied_gold_is_refused_without_the_flag(repo: Path) -> None:
    _gold(repo).write_text("spans: []\nattributions: []\nstances: []\n", encoding="utf-8")
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    refused = hmeimim(repo, "release", "--bump", "patch", "--released", "2027-01-02")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "E612" in refused.stdout + refused.stderr
    assert f"document {SEED}: 108 of its 108 gold spans removed" in refused.stdout + refused.stderr
    assert "--allow-removal" in refused.stdout + refused.stderr
    assert _versions(repo) == copied_versions()
    assert (repo / "CHANGELOG.md").read_text(encoding="utf-8") == changelog

    allowed = hmeimim(
        repo, "release", "--bump", "patch", "--released", "2027-01-02", "--allow-removal"
    )
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    manifest = read_manifest(repo / "corpus" / "v1.2.1")
    assert manifest["removals"] == [f"document {SEED}: 108 of its 108 gold spans removed"]
    entry = (repo / "CHANGELOG.md").read_text(encoding="utf-8").split("## 1.2.0")[0]
    assert "Removed with `--allow-removal`:" in entry
    assert f"- document {SEED}: 108 of its 108 gold spans removed" in entry
    rebuilt = hmeimim(repo, "reproduce")  # the removal note is part of what is rebuilt
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr


def test_a_removed_document_is_refused_without_the_flag(repo: Path) -> None:
    shutil.rmtree(sources(repo) / "documents" / SEED)
    shutil.rmtree(sources(repo) / "annotators" / SEED)  # its raw layers go with it
    refused = hmeimim(repo, "release", "--bump", "minor", "--released", "2027-01-02")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "E612" in refused.stdout + refused.stderr
    assert f"document {SEED} removed with its 108 gold span(s)" in refused.stdout + refused.stderr
    assert _versions(repo) == copied_versions()
    allowed = hmeimim(
        repo, "release", "--bump", "minor", "--released", "2027-01-02", "--allow-removal"
    )
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert _versions(repo) == ["1.0.0", "1.1.0", "1.2.0", "1.3.0"]
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"- document {SEED} removed with its 108 gold span(s)" in changelog


def test_removing_up_to_the_share_needs_no_flag(repo: Path) -> None:
    kept, total = _keep_entity_spans_only(repo)
    assert (total - kept) / total <= MAX_REMOVED_SHARE  # 42 of 108: under the limit
    result = hmeimim(repo, "release", "--bump", "patch", "--released", "2027-01-02")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "removals" not in read_manifest(repo / "corpus" / "v1.2.1")
    assert "--allow-removal" not in (repo / "CHANGELOG.md").read_text(encoding="utf-8")
