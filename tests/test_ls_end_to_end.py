"""The annotation lead's whole path, against a real Label Studio server, in a copy of the
repository: ingest a saved web page -> `ls push --sources` -> an annotator annotates it
-> `ls pull` -> `ls import` -> `render` -> `release` (stand-off, by its licence) ->
`rehydrate` from the saved page. The annotation is written out by hand below; every
expectation is checked against it, the fixture page's hand-written text, or hashlib.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from label_studio_sdk import LabelStudio
from ls_server import ServerInfo, create_user
from release_support import copy_repo, sources

from conftest import ROOT
from hmeimim.authoring.sources import read_sources
from hmeimim.labelstudio.tasks import document_results
from hmeimim.schema.declaration import load_schema

PAGE = ROOT / "tests" / "fixtures" / "ingest" / "report.html"
EXPECTED_TEXT = (ROOT / "tests" / "fixtures" / "ingest" / "report.expected.txt").read_text(
    encoding="utf-8"
)
PROJECT = "Hmeimim end to end"
ANNOTATOR = "lead-path@example.com"


def _span(span_id: str, layer: str, label: str, quote: str, **extra: Any) -> dict[str, Any]:
    start = EXPECTED_TEXT.index(quote)
    return {
        "span_id": span_id,
        "start": start,
        "end": start + len(quote),
        "text": quote,
        "layer": layer,
        "label": label,
        "entity_id": extra.get("entity_id"),
        "metonymy": extra.get("metonymy"),
        "claim_id": None,
    }


def _annotation(doc_id: str) -> dict[str, Any]:
    """What the annotator submits: two name mentions and one attribution frame."""
    return {
        "doc_id": doc_id,
        "text": EXPECTED_TEXT,
        "spans": [
            _span(
                "n-e1",
                "entity",
                "FAC",
                "Hmeimim air base",
                entity_id="hmeimim-air-base",
                metonymy=False,
            ),
            _span("n-e2", "entity", "GPE", "Syria", entity_id="syria", metonymy=False),
            _span("n-c1", "attribution", "CUE", "described"),
            _span("n-s1", "attribution", "SOURCE", "residents of nearby villages"),
            _span(
                "n-t1",
                "attribution",
                "CONTENT",
                "the busiest day of flights since the fall of the Assad government on 8 December",
            ),
        ],
        "attributions": [
            {
                "frame_id": "n-a1",
                "cue": "n-c1",
                "sources": ["n-s1"],
                "contents": ["n-t1"],
                "source_kind": "explicit",
                "source_type": "witnesses",
                "parent": None,
            }
        ],
        "stances": [],
    }


def _cli(root: Path, info: ServerInfo, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HMEIMIM_ROOT": str(root), "LABEL_STUDIO_API_KEY": info.api_key}
    return subprocess.run(
        [sys.executable, "-m", "hmeimim", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


@pytest.mark.slow
def test_ingest_push_annotate_pull_import_render_release(
    label_studio: ServerInfo, tmp_path: Path
) -> None:
    info = label_studio
    root = copy_repo(tmp_path / "repo")
    runs = []

    ingest = _cli(
        root, info, "ingest", str(PAGE), "--license", "all-rights-reserved", "--perspective",
        "neutral-wire",
    )  # fmt: skip
    runs.append(ingest)
    assert ingest.returncode == 0, ingest.stdout + ingest.stderr
    (doc_id,) = re.findall(r"\(doc_id ([a-z0-9-]+)\)", ingest.stdout)
    stored = sources(root) / "documents" / doc_id
    assert (stored / "text.txt").read_text(encoding="utf-8") == EXPECTED_TEXT

    push = _cli(
        root, info, "ls", "push", "--url", info.url, "--project", PROJECT, "--sources",
        str(sources(root)),
    )  # fmt: skip
    runs.append(push)
    assert push.returncode == 0, push.stdout + push.stderr
    assert "18 task(s) imported" in push.stdout  # the 17 documents and the new one

    admin = LabelStudio(base_url=info.url, api_key=info.api_key)
    (project,) = [p for p in admin.projects.list(title=PROJECT) if p.title == PROJECT]
    tasks = {t.data["doc_id"]: t for t in admin.tasks.list(project=project.id)}
    assert tasks[doc_id].data["text"] == EXPECTED_TEXT
    user = create_user(info, ANNOTATOR)
    annotator = LabelStudio(base_url=info.url, api_key=user.api_key)
    wanted = _annotation(doc_id)
    annotator.annotations.create(
        id=tasks[doc_id].id,
        result=document_results(wanted),
        ground_truth=False,
        was_cancelled=False,
    )

    export = tmp_path / "export.json"
    pull = _cli(
        root, info, "ls", "pull", "--url", info.url, "--project", PROJECT, "-o", str(export)
    )
    runs.append(pull)
    assert pull.returncode == 0, pull.stdout + pull.stderr
    imported = tmp_path / "imported"
    merged = _cli(root, info, "ls", "import", str(export), "-o", str(imported))
    runs.append(merged)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    read = read_sources(imported, load_schema())
    assert read.findings == []
    docs = {d["doc_id"]: d for d in read.records.documents}
    new = docs[doc_id]
    assert new["text"] == EXPECTED_TEXT
    assert new["license"] == "all-rights-reserved"
    assert new["outlet"] == "The Mediterranean Observer"
    for key in ("spans", "attributions", "stances"):
        assert new[key] == wanted[key], key

    pages = tmp_path / "pages"
    render = _cli(root, info, "render", doc_id, "--sources", str(imported), "-o", str(pages))
    runs.append(render)
    assert render.returncode == 0, render.stdout + render.stderr
    page = next(p for p in pages.rglob("*.html") if doc_id in p.name)
    html = page.read_text(encoding="utf-8")
    for span in wanted["spans"]:
        assert span["span_id"] in html
    assert "n-a1" in html

    release = _cli(
        root, info, "release", "--bump", "minor", "--sources", str(imported), "--released",
        "2026-11-26",
    )  # fmt: skip
    runs.append(release)
    assert release.returncode == 0, release.stdout + release.stderr
    folder = max((p for p in (root / "corpus").glob("v*") if p.is_dir()), key=lambda p: p.name)
    manifest = json.loads((folder / "manifest.json").read_text())
    # All rights reserved: the release holds the annotations and the fingerprint only.
    assert manifest["standoff"] == [doc_id]
    row = next(
        r
        for path in folder.glob("*.parquet")
        if path.stem in ("train", "validation", "test")
        for r in pq.read_table(path).to_pylist()
        if r["doc_id"] == doc_id
    )
    assert row["text"] is None
    assert row["text_sha256"] == hashlib.sha256(EXPECTED_TEXT.encode("utf-8")).hexdigest()
    assert [s["span_id"] for s in row["spans"]] == [s["span_id"] for s in wanted["spans"]]
    assert _cli(root, info, "validate").returncode == 0

    copies = tmp_path / "copies"
    copies.mkdir()
    (copies / f"{doc_id}.html").write_bytes(PAGE.read_bytes())  # the page the lead saved
    local = tmp_path / "local"
    rehydrate = _cli(root, info, "rehydrate", "--from", str(copies), "-o", str(local))
    runs.append(rehydrate)
    assert rehydrate.returncode == 0, rehydrate.stdout + rehydrate.stderr
    filled = next(
        r
        for path in (local / "corpus" / folder.name).glob("*.parquet")
        if path.stem in ("train", "validation", "test")
        for r in pq.read_table(path).to_pylist()
        if r["doc_id"] == doc_id
    )
    assert filled["text"] == EXPECTED_TEXT
    assert [s["text"] for s in filled["spans"]] == [s["text"] for s in wanted["spans"]]

    for run in runs:
        assert info.api_key not in run.stdout + run.stderr
