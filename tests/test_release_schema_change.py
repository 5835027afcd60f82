"""A release knows its own schema: a schema break does not break any older release.

In a copy of the repository, the documents column `outlet` is renamed to `publisher`
(schema 2.0.0, a major change) and released. Every release must still validate, load
through `hmeimim.load` and through `datasets.load_dataset` on the checkout, and rebuild
to its own bytes, each with the schema it was written with.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from release_support import copy_repo, hmeimim, sources

SEED = "2024-12-20-russia-withdrawal-syria"

PROBE = """
import json, sys
import datasets, hmeimim
checkout = sys.argv[1]
out = {}
for version in ("1.0.0", "2.0.0"):
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
    assert text.count('schema_version: "1.0.0"') == 1
    assert text.count("{name: outlet,") == 1
    text = text.replace('schema_version: "1.0.0"', 'schema_version: "2.0.0"')
    text = text.replace("{name: outlet,", "{name: publisher,")
    declaration.write_text(text, encoding="utf-8")
    meta = sources(root) / "documents" / SEED / "meta.yaml"
    meta_text = meta.read_text(encoding="utf-8")
    assert meta_text.count("\noutlet: null\n") == 1
    meta.write_text(meta_text.replace("\noutlet: null\n", "\npublisher: null\n"), encoding="utf-8")
    released = hmeimim(root, "release", "--bump", "major", "--released", "2027-01-01")
    assert released.returncode == 0, released.stdout + released.stderr
    assert (root / "corpus" / "v2.0.0" / "manifest.json").is_file()
    return root


def test_every_release_validates_with_its_own_schema(broken_schema_repo: Path) -> None:
    run = hmeimim(broken_schema_repo, "validate", "--format", "json")
    report = json.loads(run.stdout)
    assert run.returncode == 0, report["findings"]
    assert report["ok"] is True
    assert report["files"] == 6  # three files in each of the two releases


def test_every_release_rebuilds_to_its_own_bytes(broken_schema_repo: Path) -> None:
    run = hmeimim(broken_schema_repo, "reproduce")
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 8  # manifest + 3 Parquet files, for each of two releases
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
    for version, column, absent in (
        ("1.0.0", "outlet", "publisher"),
        ("2.0.0", "publisher", "outlet"),
    ):
        assert column in got[version]["columns"]
        assert absent not in got[version]["columns"]
        assert got[version]["first"] == SEED
        assert got[version]["spans"] == 97
    assert "outlet" in got["v1.0.0"]
    assert "publisher" not in got["v1.0.0"]
    assert "publisher" in got["v2.0.0"]
    assert "outlet" not in got["v2.0.0"]
    assert got["default"] == got["v2.0.0"]
