"""A release knows its own schema: a schema break does not break any older release.

In a copy of the repository, the documents column `outlet` is renamed to `publisher`
(schema 2.0.0, a major change, from whatever version the declaration has now) and
released on top of the copy's releases. Every release must still validate, load
through `hmeimim.load` and through `datasets.load_dataset` on the checkout, and rebuild
to its own bytes, each with the schema it was written with.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from release_support import copy_repo, hmeimim, sources

from hmeimim.schema.declaration import read_schema
from hmeimim.storage.releases import list_releases

SEED = "2024-12-20-russia-withdrawal-syria"

PROBE = """
import json, sys
import datasets, hmeimim
checkout = sys.argv[1]
out = {}
for version in [str(v) for v, _ in hmeimim.list_releases()]:
    loaded = hmeimim.load(version)
    out[version] = {
        "columns": loaded["train"].column_names,
        "first": loaded["train"][0]["doc_id"],
        "spans": len(hmeimim.spans(version)),
    }
for config in ("v1.0.0", "v2.0.0", "default"):
    ds = datasets.load_dataset(checkout, config)
    out[config] = ds["train"].column_names
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def broken_schema_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_repo(tmp_path_factory.mktemp("schema-change") / "repo")
    declaration = root / "schema" / "hmeimim.yaml"
    text = declaration.read_text(encoding="utf-8")
    current = f'schema_version: "{read_schema(declaration).version}"'
    assert text.count(current) == 1
    assert text.count("{name: outlet,") == 1
    text = text.replace(current, 'schema_version: "2.0.0"')
    text = text.replace("{name: outlet,", "{name: publisher,")
    declaration.write_text(text, encoding="utf-8")
    for meta in sorted((sources(root) / "documents").glob("*/meta.yaml")):
        meta_text = meta.read_text(encoding="utf-8")
        renamed, count = re.subn(r"(?m)^outlet:", "publisher:", meta_text)
        assert count == 1, meta
        meta.write_text(renamed, encoding="utf-8")
    released = hmeimim(root, "release", "--bump", "major", "--released", "2027-01-01")
    assert released.returncode == 0, released.stdout + released.stderr
    assert (root / "corpus" / "v2.0.0" / "manifest.json").is_file()
    return root


def test_every_release_validates_with_its_own_schema(broken_schema_repo: Path) -> None:
    run = hmeimim(broken_schema_repo, "validate", "--format", "json")
    report = json.loads(run.stdout)
    assert run.returncode == 0, report["findings"]
    assert report["ok"] is True
    # The Parquet files of every release, v1.0.0 (three) and the new one among them.
    releases = [folder for _, folder in list_releases(broken_schema_repo)]
    assert report["files"] == sum(len(list(f.glob("*.parquet"))) for f in releases)


def test_every_release_rebuilds_to_its_own_bytes(broken_schema_repo: Path) -> None:
    run = hmeimim(broken_schema_repo, "reproduce")
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    # manifest + the Parquet files, for each release
    releases = [folder for _, folder in list_releases(broken_schema_repo)]
    assert len(lines) == sum(1 + len(list(f.glob("*.parquet"))) for f in releases)
    assert all(" same " in line for line in lines)


def test_old_and_new_releases_load_with_their_own_columns(
    broken_schema_repo: Path, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "HMEIMIM_ROOT": str(broken_schema_repo),
        "HF_HOME": str(tmp_path / "hf"),
        "HF_DATASETS_CACHE": str(tmp_path / "hf" / "datasets"),
    }
    run = subprocess.run(
        [sys.executable, "-c", PROBE, str(broken_schema_repo)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    got = json.loads(run.stdout.splitlines()[-1])
    versions = [str(v) for v, _ in list_releases(broken_schema_repo)]
    assert versions[0] == "1.0.0"
    assert versions[-1] == "2.0.0"
    for version in versions:
        column, absent = ("publisher", "outlet") if version == "2.0.0" else ("outlet", "publisher")
        assert column in got[version]["columns"]
        assert absent not in got[version]["columns"]
    assert got["1.0.0"]["first"] == SEED
    assert got["1.0.0"]["spans"] == 97
    # The renamed column changed no document: 2.0.0 holds its parent's.
    parent = versions[-2]
    assert got["2.0.0"]["first"] == got[parent]["first"]
    assert got["2.0.0"]["spans"] == got[parent]["spans"]
    assert "outlet" in got["v1.0.0"]
    assert "publisher" not in got["v1.0.0"]
    assert "publisher" in got["v2.0.0"]
    assert "outlet" not in got["v2.0.0"]
    assert got["default"] == got["v2.0.0"]
