"""A Label Studio import becomes a release in one command: `hmeimim release --sources DIR`."""

from __future__ import annotations

import json
from pathlib import Path

from ls_support import (
    DOC_ID,
    LATEST,
    NEXT_MINOR,
    as_label_studio_export,
    constructed_task,
    latest_documents,
)
from release_support import copy_repo, hmeimim

from hmeimim.labelstudio.tasks import build_tasks


def test_release_from_an_ls_import_then_sources_follow(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    # The latest release's documents (schema 1.1.0: metonymy flags), its base by default.
    docs = latest_documents()
    tasks = build_tasks(docs, version=LATEST, as_="annotations")
    tasks.append(constructed_task(as_="annotations"))
    export = tmp_path / "export.json"
    export.write_text(json.dumps(as_label_studio_export(tasks, "ann@example.com")))
    imported = tmp_path / "imported"
    run = hmeimim(repo, "ls", "import", str(export), "--base", LATEST, "-o", str(imported))
    assert run.returncode == 0, run.stdout + run.stderr

    run = hmeimim(
        repo, "release", "--bump", "minor", "--released", "2027-02-03", "--sources", str(imported)
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"v{NEXT_MINOR}" in run.stdout
    manifest = json.loads((repo / "corpus" / f"v{NEXT_MINOR}" / "manifest.json").read_text())
    # The release's 17 documents and the new one.
    assert len(docs) == 17
    assert manifest["counts"]["documents"] == 18
    # The gold of the 17 is unchanged; the new document came in, and one raw layer per
    # exported document (18) beside the base release's 34 (corpus/sources/annotators/).
    assert manifest["files"]["annotators.parquet"]["rows"] == 34 + 18
    assert (repo / "corpus" / "sources" / "documents" / DOC_ID / "text.txt").is_file()
    assert [p.name for p in (repo / "corpus").iterdir() if p.name.startswith(".tmp")] == []
    assert hmeimim(repo, "validate").returncode == 0
    diff = json.loads(hmeimim(repo, "diff", LATEST, NEXT_MINOR, "--format", "json").stdout)
    assert DOC_ID in json.dumps(diff)
