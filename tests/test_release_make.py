"""`hmeimim release` and `hmeimim diff` on a throwaway copy of the repository.

Expected values are written by hand from the edits each test makes. The releases made
follow the latest release of the repository (v1.1.0: 17 documents, 2,046 spans with
307 GPE mentions and 187 STANCE spans, 211 stances, counted from the gold.yaml files).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from release_support import (
    REPO,
    SEED,
    add_second_document,
    copied_inputs,
    copied_versions,
    copy_repo,
    edit_yaml_line,
    hmeimim,
    sources,
)

from hmeimim.actions import make_release, validate_paths
from hmeimim.errors import HmeimimError
from hmeimim.model import CorpusRecords
from hmeimim.release.diff import diff_releases
from hmeimim.schema.declaration import load_schema, read_schema
from hmeimim.storage.files import sha256_of
from hmeimim.storage.releases import list_releases, read_manifest
from hmeimim.storage.writer import write_release

LATEST = copied_versions()[-1]  # the latest release of the repository
_MAJOR, _MINOR, _PATCH = (int(part) for part in LATEST.split("."))
NEXT_MINOR = f"{_MAJOR}.{_MINOR + 1}.0"
NEXT_PATCH = f"{_MAJOR}.{_MINOR}.{_PATCH + 1}"
LATEST_COUNTS = {"documents": 17, "spans": 2046, "GPE": 307, "STANCE": 187, "stances": 211}

V1_SHA256 = {
    "annotators.parquet": "d7e74d7dcb80605fbe8c33db970e12738650bd6274d02255d0895ec971639c01",
    "entities.parquet": "01d420a37f64a01658d2ae99e12af7613968d32c487287b15e491a4e5ae3f28c",
    "train.parquet": "1ecea749c8054f7967aae34a732df95bb65efbc4a2d9d3add69ffc3a8c36fec1",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_repo(tmp_path / "repo")


def _gold(root: Path) -> Path:
    return sources(root) / "documents" / SEED / "gold.yaml"


def _correct_two_things(root: Path) -> None:
    """A label fix on span d001-e10 and a polarity fix on stance d001-st01."""
    gold = _gold(root)
    edit_yaml_line(gold, "label: GPE, start: 383", "label: ORG, start: 383")
    edit_yaml_line(
        gold,
        "target: d001-e14, polarity: against",
        "target: d001-e14, polarity: uncertain",
    )


def _versions(root: Path) -> list[str]:
    return [str(v) for v, _ in list_releases(root)]


def test_minor_release_writes_next_version_with_manifest_and_changelog(repo: Path) -> None:
    add_second_document(repo)
    edit_yaml_line(sources(repo) / "documents" / SEED / "meta.yaml", "title: null", "title: T")
    result = hmeimim(repo, "release", "--bump", "minor", "--released", "2027-01-02", "--note", "N")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _versions(repo) == [*copied_versions(), NEXT_MINOR]
    manifest = read_manifest(repo / "corpus" / f"v{NEXT_MINOR}")
    assert manifest["parent"] == LATEST
    assert manifest["released"] == "2027-01-02"
    assert manifest["bump"] == "minor"
    assert manifest["notes"] == "N"
    assert manifest["counts"]["documents"] == LATEST_COUNTS["documents"] + 1
    assert manifest["counts"]["spans_total"] == LATEST_COUNTS["spans"] + 3
    assert manifest["counts"]["spans"]["entity"]["GPE"] == LATEST_COUNTS["GPE"] + 2
    assert manifest["counts"]["stances"] == LATEST_COUNTS["stances"] + 1
    assert (repo / "corpus" / "inputs" / f"v{NEXT_MINOR}" / "sources" / "documents").is_dir()
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    entry = changelog[changelog.index(f"## {NEXT_MINOR}") : changelog.index(f"## {LATEST}")]
    assert f"## {NEXT_MINOR} (2027-01-02)" in entry
    schema = read_schema(repo / "schema" / "hmeimim.yaml").version
    assert f"Parent: {LATEST}. Schema: {schema}. Bump: minor." in entry
    assert "| documents | 1 | 0 | 1 |" in entry
    assert "| spans | 3 | 0 | 0 |" in entry
    assert "| stances | 1 | 0 | 0 |" in entry
    # Moscow and Damascus are registered already: the registry gains nothing.
    assert "| registry entries | 0 | 0 | 0 |" in entry
    assert "- Documents added: `second-report`" in entry
    assert "- Documents changed: `2024-12-20-russia-withdrawal-syria`" in entry
    assert "- Spans added: `d002-e01`, `d002-e02`, `d002-v01`" in entry
    assert f"| entity | GPE | {LATEST_COUNTS['GPE'] + 2} | +2 |" in entry
    assert f"| stance | STANCE | {LATEST_COUNTS['STANCE'] + 1} | +1 |" in entry
    # Earlier releases untouched, everything valid, derived files fresh.
    for name, digest in V1_SHA256.items():
        assert sha256_of(repo / "corpus" / "v1.0.0" / name) == digest
    latest = REPO / "corpus" / f"v{LATEST}"
    for path in sorted(latest.iterdir()):
        assert sha256_of(repo / "corpus" / f"v{LATEST}" / path.name) == sha256_of(path)
    assert hmeimim(repo, "validate").returncode == 0
    assert hmeimim(repo, "generate", "--check").returncode == 0
    assert f"version: {NEXT_MINOR}" in (repo / "CITATION.cff").read_text(encoding="utf-8")


def test_diff_between_releases_is_keyed_by_id(repo: Path) -> None:
    add_second_document(repo)
    _correct_two_things(repo)
    made = hmeimim(repo, "release", "--bump", "minor", "--released", "2027-01-02")
    assert made.returncode == 0, made.stdout + made.stderr

    shown = hmeimim(repo, "diff", LATEST, NEXT_MINOR, "--format", "json")
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["old"] == LATEST
    assert data["new"] == NEXT_MINOR
    assert data["summary"]["document"] == {"added": 1, "removed": 0, "changed": 0}
    assert data["summary"]["span"] == {"added": 3, "removed": 0, "changed": 1}
    assert data["summary"]["stance"] == {"added": 1, "removed": 0, "changed": 1}
    assert data["summary"]["frame"] == {"added": 0, "removed": 0, "changed": 0}
    # Moscow and Damascus are registered already.
    assert data["summary"]["entity"] == {"added": 0, "removed": 0, "changed": 0}
    changes = {(c["kind"], c["key"]): c for c in data["changes"]}
    assert changes[("span", "d001-e10")]["status"] == "changed"
    assert changes[("span", "d001-e10")]["doc_id"] == SEED
    assert changes[("span", "d001-e10")]["fields"] == {"label": {"old": "GPE", "new": "ORG"}}
    assert changes[("stance", "d001-st01")]["fields"] == {
        "polarity": {"old": "against", "new": "uncertain"}
    }
    assert changes[("span", "d002-v01")]["status"] == "added"
    assert changes[("span", "d002-v01")]["doc_id"] == "second-report"
    assert changes[("document", "second-report")]["status"] == "added"
    assert len(data["changes"]) == 7  # 1 document, 3 + 1 spans, 1 + 1 stances

    text = hmeimim(repo, "diff", LATEST, NEXT_MINOR)
    assert text.returncode == 0
    assert f"~ span d001-e10 (doc {SEED})" in text.stdout
    assert "    label: 'GPE' -> 'ORG'" in text.stdout
    assert "+ document second-report" in text.stdout
    # Reversed, additions become removals.
    back = diff_releases(NEXT_MINOR, LATEST, root=repo)
    assert back.count("span", "removed") == 3
    assert back.count("document", "removed") == 1


def test_patch_release_for_corrections_only(repo: Path) -> None:
    _correct_two_things(repo)
    with pytest.raises(HmeimimError) as refused:
        make_release(bump="minor", released="2027-01-02", root=repo)
    assert refused.value.code == "E601"
    assert "needs a patch bump" in refused.value.message
    result = make_release(bump="patch", released="2027-01-02", root=repo)
    assert result.version == NEXT_PATCH
    assert _versions(repo) == [*copied_versions(), NEXT_PATCH]
    diff = diff_releases(LATEST, NEXT_PATCH, root=repo)
    assert [(c.kind, c.key, c.status) for c in diff.changes] == [
        ("span", "d001-e10", "changed"),
        ("stance", "d001-st01", "changed"),
    ]


@pytest.mark.parametrize("bump", ["patch", "major"])
def test_bump_that_does_not_fit_additions_is_refused(repo: Path, bump: str) -> None:
    add_second_document(repo)
    result = hmeimim(repo, "release", "--bump", bump)
    assert result.returncode == 2
    assert "E601" in result.stderr
    assert "needs a minor bump" in result.stderr
    assert _versions(repo) == copied_versions()
    assert sorted(p.name for p in (repo / "corpus" / "inputs").iterdir()) == copied_inputs()


def test_schema_break_needs_major(repo: Path) -> None:
    schema = repo / "schema" / "hmeimim.yaml"
    current = read_schema(schema).version  # the declaration's version, whatever it is now
    edit_yaml_line(schema, f'schema_version: "{current}"', 'schema_version: "2.0.0"')
    with pytest.raises(HmeimimError) as refused:
        make_release(bump="minor", released="2027-01-02", root=repo)
    assert refused.value.code == "E601"
    assert "needs a major bump" in refused.value.message
    result = make_release(bump="major", released="2027-01-02", root=repo)
    assert result.version == "2.0.0"
    assert read_manifest(repo / "corpus" / "v2.0.0")["schema_version"] == "2.0.0"
    kept = repo / "corpus" / "inputs" / "v2.0.0" / "hmeimim.yaml"
    assert 'schema_version: "2.0.0"' in kept.read_text(encoding="utf-8")


def test_table_change_without_schema_version_is_refused(repo: Path) -> None:
    schema = repo / "schema" / "hmeimim.yaml"
    edit_yaml_line(
        schema,
        "{name: author, type: string, required: false,",
        "{name: byline, type: string, required: false,",
    )
    with pytest.raises(HmeimimError) as refused:
        make_release(bump="patch", root=repo)
    assert refused.value.code == "E603"
    assert _versions(repo) == copied_versions()


def test_nothing_to_release_is_refused(repo: Path) -> None:
    result = hmeimim(repo, "release", "--bump", "patch")
    assert result.returncode == 2
    assert "E602" in result.stderr
    assert _versions(repo) == copied_versions()


def test_existing_version_is_never_overwritten(repo: Path) -> None:
    _correct_two_things(repo)
    # A folder squatting on the next version (no manifest): refused, left as it is.
    squatter = repo / "corpus" / f"v{NEXT_PATCH}"
    squatter.mkdir()
    (squatter / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(HmeimimError):
        make_release(bump="patch", root=repo)
    assert (squatter / "keep.txt").read_text(encoding="utf-8") == "mine"
    # The writer itself refuses an existing folder.
    with pytest.raises(HmeimimError) as refused:
        write_release(
            repo / "corpus" / "v1.0.0",
            records=CorpusRecords(),
            schema=load_schema(),
            version="1.0.0",
            released="2027-01-01",
            parent=None,
            sources_digest="0" * 64,
        )
    assert refused.value.code == "E013"
    for name, digest in V1_SHA256.items():
        assert sha256_of(repo / "corpus" / "v1.0.0" / name) == digest


def test_invalid_inputs_write_nothing(repo: Path) -> None:
    edit_yaml_line(_gold(repo), "end: 136, text: Damascus,", "end: 136, text: Damascu,")
    result = hmeimim(repo, "release", "--bump", "patch")
    assert result.returncode == 1
    assert "E203" in result.stdout
    assert _versions(repo) == copied_versions()
    assert sorted(p.name for p in (repo / "corpus" / "inputs").iterdir()) == copied_inputs()


@pytest.mark.parametrize("name", ["train.parquet", "entities.parquet", "manifest.json"])
def test_validate_names_the_changed_file(repo: Path, name: str) -> None:
    path = repo / "corpus" / "v1.0.0" / name
    if name == "manifest.json":
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["files"]["train.parquet"]["sha256"] = "0" * 64
        path.write_text(json.dumps(manifest), encoding="utf-8")
        changed = repo / "corpus" / "v1.0.0" / "train.parquet"
    else:
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
        changed = path
    report = validate_paths([repo / "corpus" / "v1.0.0"])
    mismatches = [f for f in report.findings if f.code == "E005"]
    assert [f.file for f in mismatches] == [str(changed)]
    result = hmeimim(repo, "validate")
    assert result.returncode == 1
    assert f"{changed}: E005 hash-mismatch" in result.stdout
