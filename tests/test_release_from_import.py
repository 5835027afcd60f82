"""A Label Studio import becomes a release in one command: `hmeimim release --sources DIR`."""

from __future__ import annotations

import json
from pathlib import Path

from ls_support import DOC_ID, as_label_studio_export, constructed_task
from release_support import copy_repo, hmeimim

from hmeimim.labelstudio.tasks import build_tasks
from hmeimim.storage.records import read_documents


def test_release_from_an_ls_import_then_sources_follow(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    tasks = build_tasks(read_documents("1.0.0"), version="1.0.0", as_="annotations")
    tasks.append(constructed_task(as_="annotations"))
    export = tmp_path / "export.json"
    export.write_text(json.dumps(as_label_studio_export(tasks, "ann@example.com")))
    imported = tmp_path / "imported"
    run = hmeimim(repo, "ls", "import", str(export), "--base", "1.0.0", "-o", str(imported))
    assert run.returncode == 0, run.stdout + run.stderr

    run = hmeimim(
        repo, "release", "--bump", "minor", "--released", "2027-02-03", "--sources", str(imported)
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "v1.1.0" in run.stdout
    manifest = json.loads((repo / "corpus" / "v1.1.0" / "manifest.json").read_text())
    assert manifest["counts"]["documents"] == 2
    # The seed's gold is unchanged; the new document and two raw layers came in.
    assert manifest["files"]["annotators.parquet"]["rows"] == 2
    assert (repo / "corpus" / "sources" / "documents" / DOC_ID / "text.txt").is_file()
    assert [p.name for p in (repo / "corpus").iterdir() if p.name.startswith(".tmp")] == []
    assert hmeimim(repo, "validate").returncode == 0
    diff = json.loads(hmeimim(repo, "diff", "1.0.0", "1.1.0", "--format", "json").stdout)
    assert DOC_ID in json.dumps(diff)
