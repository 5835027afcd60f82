"""Writing an authoring folder back over its base keeps every unchanged byte.

A Label Studio round trip used to rewrite every line of gold.yaml and drop the
authoring comments, so a reviewer's diff showed the whole file. With the base folder
given, unchanged files are copied byte for byte and changed ones are edited line by
line: the diff is the edit.
"""

from __future__ import annotations

import copy
import difflib
from pathlib import Path

from conftest import ROOT, SEED_DOC
from hmeimim.authoring.sources import read_sources
from hmeimim.authoring.write import merge_item_lines, write_sources_folder
from hmeimim.schema.declaration import load_schema

BASE = ROOT / "corpus" / "sources"


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_unchanged_records_write_back_byte_for_byte(tmp_path: Path) -> None:
    schema = load_schema()
    read = read_sources(BASE, schema)
    assert read.findings == []
    out = write_sources_folder(
        tmp_path / "out", records=read.records, origin="test", schema=schema, base=BASE
    )
    assert _files(out) == _files(BASE)


def test_an_edit_changes_only_its_own_lines(tmp_path: Path) -> None:
    schema = load_schema()
    records = copy.deepcopy(read_sources(BASE, schema).records)
    doc = next(d for d in records.documents if d["doc_id"] == SEED_DOC)
    spans = doc["spans"]
    changed = next(s for s in spans if s["span_id"] == "d001-e20")
    changed["label"] = "GPE"  # North Africa, relabelled by an annotator
    removed = next(s for s in spans if s["span_id"] == "d001-e26")
    spans.remove(removed)
    spans.append({**removed, "span_id": "d001-e99"})  # the same mention, a new id
    out = write_sources_folder(
        tmp_path / "out", records=records, origin="test", schema=schema, base=BASE
    )
    before = (BASE / "documents" / SEED_DOC / "gold.yaml").read_text(encoding="utf-8")
    after = (out / "documents" / SEED_DOC / "gold.yaml").read_text(encoding="utf-8")
    diff = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert len(diff) == 4, diff
    assert sum(line.startswith("-") for line in diff) == 2
    assert any("d001-e20" in line and "label: GPE" in line for line in diff if line[0] == "+")
    assert any("d001-e99" in line for line in diff if line[0] == "+")
    assert before.count("\n#") == after.count("\n#")  # every comment kept
    reread = read_sources(out, schema)
    assert reread.findings == []
    (reread_doc,) = [d for d in reread.records.documents if d["doc_id"] == SEED_DOC]
    assert reread_doc["spans"] == spans


def test_merge_fills_and_empties_sections() -> None:
    base = "# header\nspans: []\nattributions:\n  # keep me\n  - {frame_id: f1}\nstances: []\n"
    merged = merge_item_lines(
        base,
        {
            "spans": ("span_id", [{"span_id": "s1"}]),
            "attributions": ("frame_id", []),
            "stances": ("stance_id", []),
        },
    )
    assert (
        merged
        == "# header\nspans:\n  - {span_id: s1}\nattributions: []\n  # keep me\nstances: []\n"
    )


def test_merge_gives_up_on_a_layout_it_does_not_know() -> None:
    sections = {"spans": ("span_id", [])}
    assert merge_item_lines("spans:\n  - span_id: s1\n    start: 0\n", sections) is None
    assert merge_item_lines("spanz: []\n", sections) is None


def test_ls_import_of_unchanged_gold_keeps_the_authoring_files(tmp_path: Path) -> None:
    import json

    from ls_support import as_label_studio_export

    from hmeimim.labelstudio.importer import import_export, write_import
    from hmeimim.labelstudio.tasks import build_tasks
    from hmeimim.storage.records import read_documents
    from hmeimim.storage.releases import read_manifest, release_dir

    latest = read_manifest(release_dir())["version"]
    seed = [d for d in read_documents(latest) if d["doc_id"] == SEED_DOC]
    tasks = build_tasks(seed, version=latest, as_="annotations")
    export = tmp_path / "export.json"
    export.write_text(json.dumps(as_label_studio_export(tasks)), encoding="utf-8")
    result = import_export(export)
    assert result.findings == []
    out = write_import(result, tmp_path / "imported")
    kept = ROOT / "corpus" / "inputs" / f"v{latest}" / "sources"
    for name in (
        "entities.yaml",
        f"documents/{SEED_DOC}/gold.yaml",
        f"documents/{SEED_DOC}/meta.yaml",
    ):
        assert (out / name).read_bytes() == (kept / name).read_bytes(), name
