"""Licence-aware releases: a text that may not be shared is released stand-off and
rehydrates, from the user's own copy, to the same sha256.

One release is made in a throwaway copy of the repository: a constructed report with two
raw layers (c05) is relicensed all-rights-reserved and a new test document with an
`unknown` licence is added. Everything is read back independently (pyarrow, hashlib,
json) rather than through the code under test.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml
from release_support import (
    SECOND_TEXT,
    add_second_document,
    copy_repo,
    edit_yaml_line,
    sources,
)
from release_support import hmeimim as run_cli

import hmeimim
from hmeimim.errors import HmeimimError, TextsWithheld

WITHHELD = "c05-en-khadim-airlift-benghazi"
SECOND = "second-report"


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a nested Parquet/JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _file_strings(path: Path) -> Iterator[str]:
    if path.suffix == ".parquet":
        for row in pq.read_table(path).to_pylist():
            yield from _strings(row)
    else:
        yield path.read_bytes().decode("utf-8", errors="replace")


def _latest(root: Path) -> Path:
    return max((p for p in (root / "corpus").glob("v*") if p.is_dir()), key=lambda p: p.name)


@pytest.fixture(scope="module")
def standoff_repo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = copy_repo(tmp_path_factory.mktemp("standoff") / "repo")
    doc_dir = sources(root) / "documents" / WITHHELD
    original = (doc_dir / "text.txt").read_bytes()
    edit_yaml_line(doc_dir / "meta.yaml", "license: CC-BY-4.0", "license: all-rights-reserved")
    add_second_document(root)
    edit_yaml_line(
        sources(root) / "documents" / SECOND / "meta.yaml",
        "license: CC-BY-4.0",
        "license: unknown",
    )
    released = run_cli(root, "release", "--bump", "minor", "--released", "2026-11-26")
    assert released.returncode == 0, released.stdout + released.stderr
    copies = root.parent / "copies"
    copies.mkdir()
    (copies / f"{WITHHELD}.txt").write_bytes(original)
    (copies / SECOND).mkdir()
    (copies / SECOND / "text.txt").write_bytes(SECOND_TEXT.encode("utf-8"))
    return {"root": root, "release": _latest(root), "original": original, "copies": copies}


def test_release_withholds_the_texts_the_policy_does_not_share(
    standoff_repo: dict[str, Any],
) -> None:
    release = standoff_repo["release"]
    manifest = json.loads((release / "manifest.json").read_text())
    assert manifest["standoff"] == sorted([WITHHELD, SECOND])
    rows = {
        row["doc_id"]: row
        for path in release.glob("*.parquet")
        if path.name not in ("annotators.parquet", "entities.parquet", "claims.parquet")
        for row in pq.read_table(path).to_pylist()
    }
    original = standoff_repo["original"].decode("utf-8")
    withheld = rows[WITHHELD]
    assert withheld["text"] is None
    assert withheld["text_sha256"] == hashlib.sha256(standoff_repo["original"]).hexdigest()
    assert withheld["text_length"] == len(original)
    assert withheld["spans"], "the annotations stay"
    assert {span["text"] for span in withheld["spans"]} == {None}
    layers = [
        row
        for row in pq.read_table(release / "annotators.parquet").to_pylist()
        if row["doc_id"] == WITHHELD
    ]
    assert len(layers) == 2
    assert {span["text"] for layer in layers for span in layer["spans"]} == {None}
    # Documents with a shareable licence (and the seed, kept by name) keep their text.
    assert all(row["text"] is not None for d, row in rows.items() if d not in (WITHHELD, SECOND))


def test_no_file_of_the_release_or_its_kept_inputs_quotes_a_withheld_text(
    standoff_repo: dict[str, Any],
) -> None:
    root, release = standoff_repo["root"], standoff_repo["release"]
    original = standoff_repo["original"].decode("utf-8")
    # Pieces of 40 code points from all over the text, and the whole second text.
    pieces = [original[i : i + 40] for i in range(0, len(original) - 40, 97)]
    pieces.append(SECOND_TEXT)
    kept = root / "corpus" / "inputs" / release.name
    files = [p for folder in (release, kept) for p in folder.rglob("*") if p.is_file()]
    assert len(files) > 10
    leaks = [
        (path.name, piece)
        for path in files
        for value in _file_strings(path)
        for piece in pieces
        if piece in value
    ]
    assert leaks == []
    kept_doc = kept / "sources" / "documents" / WITHHELD
    assert sorted(p.name for p in kept_doc.iterdir()) == [
        "gold.yaml",
        "meta.yaml",
        "text.standoff.yaml",
    ]
    # The lead's own authoring folder keeps the text.
    assert (sources(root) / "documents" / WITHHELD / "text.txt").read_bytes() == (
        standoff_repo["original"]
    )


def test_a_standoff_release_validates_and_reproduces_byte_for_byte(
    standoff_repo: dict[str, Any],
) -> None:
    root, release = standoff_repo["root"], standoff_repo["release"]
    checked = run_cli(root, "validate", str(release))
    assert checked.returncode == 0, checked.stdout
    rebuilt = run_cli(root, "reproduce", release.name.removeprefix("v"))
    assert rebuilt.returncode == 0, rebuilt.stdout
    lines = rebuilt.stdout.strip().splitlines()
    assert len(lines) >= 5
    assert all(" same " in line for line in lines)
    citation = (root / "CITATION.cff").read_text()
    assert release.name.removeprefix("v") in citation


def test_rehydrate_restores_the_same_sha256_and_a_valid_release(
    standoff_repo: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, release = standoff_repo["root"], standoff_repo["release"]
    out = tmp_path / "local"
    run = run_cli(root, "rehydrate", "--from", str(standoff_repo["copies"]), "-o", str(out))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 text(s) filled in, 0 still stand-off" in run.stdout
    local = out / "corpus" / release.name
    checked = run_cli(root, "validate", str(local))
    assert checked.returncode == 0, checked.stdout
    manifest = json.loads((local / "manifest.json").read_text())
    assert manifest["standoff"] == []
    assert manifest["rehydrated"] == sorted([WITHHELD, SECOND])
    rows = {row["doc_id"]: row for row in pq.read_table(local / "validation.parquet").to_pylist()}
    text = rows[WITHHELD]["text"]
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == (
        hashlib.sha256(standoff_repo["original"]).hexdigest()
    )
    gold = yaml.safe_load((sources(root) / "documents" / WITHHELD / "gold.yaml").read_text())
    expected = {s["span_id"]: s["text"] for s in gold["spans"]}
    assert {s["span_id"]: s["text"] for s in rows[WITHHELD]["spans"]} == expected
    # Loaders read the local copy like any release, with nothing left out.
    monkeypatch.setenv("HMEIMIM_ROOT", str(out))
    with warnings.catch_warnings():
        warnings.simplefilter("error", TextsWithheld)
        frame = hmeimim.spans()
    assert set(frame[frame.doc_id == WITHHELD].text) == set(expected.values())


def test_rehydrate_refuses_a_copy_that_differs_and_names_the_document(
    standoff_repo: dict[str, Any], tmp_path: Path
) -> None:
    copies = tmp_path / "copies"
    shutil.copytree(standoff_repo["copies"], copies)
    changed = standoff_repo["original"].replace(b"Benghazi", b"Benghazy", 1)
    assert changed != standoff_repo["original"]
    (copies / f"{WITHHELD}.txt").write_bytes(changed)
    out = tmp_path / "local"
    run = run_cli(standoff_repo["root"], "rehydrate", "--from", str(copies), "-o", str(out))
    assert run.returncode == 2
    assert "E613" in run.stderr
    assert WITHHELD in run.stderr
    assert SECOND not in run.stderr.split("fix:")[0].split("not the released text")[0]
    assert "Traceback" not in run.stderr
    assert not out.exists()


def test_rehydrate_accepts_a_crlf_copy_with_a_byte_order_mark(
    standoff_repo: dict[str, Any], tmp_path: Path
) -> None:
    """A copy saved with \\r\\n line ends and a byte-order mark is the same text once
    stored the way ingest stores it."""
    copies = tmp_path / "copies"
    copies.mkdir()
    crlf = standoff_repo["original"].replace(b"\n", b"\r\n")
    assert crlf != standoff_repo["original"]
    (copies / f"{WITHHELD}.txt").write_bytes(b"\xef\xbb\xbf" + crlf)
    out = tmp_path / "local"
    run = run_cli(standoff_repo["root"], "rehydrate", "--from", str(copies), "-o", str(out))
    assert run.returncode == 0, run.stderr
    # The second document has no copy here: a notice names it, and it stays stand-off.
    assert "E614" in run.stdout
    assert SECOND in run.stdout
    manifest = json.loads(
        (out / "corpus" / standoff_repo["release"].name / "manifest.json").read_text()
    )
    assert manifest["standoff"] == [SECOND]
    assert manifest["rehydrated"] == [WITHHELD]
    checked = run_cli(
        standoff_repo["root"], "validate", str(out / "corpus" / standoff_repo["release"].name)
    )
    assert checked.returncode == 0, checked.stdout


def test_loaders_leave_standoff_documents_out_and_say_how_to_rehydrate(
    standoff_repo: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HMEIMIM_ROOT", str(standoff_repo["root"]))
    assert hmeimim.standoff_documents() == sorted([WITHHELD, SECOND])
    with pytest.warns(TextsWithheld, match="hmeimim rehydrate") as caught:
        frame = hmeimim.spans()
    assert caught[0].message.finding.code == "E506"  # type: ignore[union-attr]
    assert WITHHELD in str(caught[0].message)
    assert WITHHELD not in set(frame.doc_id)
    assert frame.text.notna().all()
    with pytest.warns(TextsWithheld):
        documents = hmeimim.read_documents()
    assert WITHHELD not in {d["doc_id"] for d in documents}
    everything = hmeimim.read_documents(standoff=True)
    assert {d["doc_id"] for d in everything} >= {WITHHELD, SECOND}
    with pytest.warns(TextsWithheld):
        loaded = hmeimim.load(cache_dir=str(tmp_path / "hf"))
    ids = {d for split in loaded.values() for d in split["doc_id"]}
    assert WITHHELD not in ids
    assert SECOND not in ids
    assert all(t is not None for split in loaded.values() for t in split["text"])
    with pytest.warns(TextsWithheld):
        examples = hmeimim.span_examples()
    assert WITHHELD not in {e["doc_id"] for split in examples.values() for e in split}
    summary = hmeimim.summarize()
    assert summary["standoff"] == sorted([WITHHELD, SECOND])
    # Counted without their text: a withheld text still counts its code points.
    total = sum(len(d["text"]) if d["text"] else d["text_length"] for d in everything)
    assert summary["characters"] == total


def test_cli_reports_withheld_texts_as_a_notice(standoff_repo: dict[str, Any]) -> None:
    run = run_cli(standoff_repo["root"], "summary")
    assert run.returncode == 0
    export = run_cli(
        standoff_repo["root"], "ls", "export", "-o", str(standoff_repo["root"] / "tasks.json")
    )
    assert export.returncode == 0, export.stderr
    assert "E506" in export.stderr
    tasks = json.loads((standoff_repo["root"] / "tasks.json").read_text())
    assert WITHHELD not in {t["data"]["doc_id"] for t in tasks}
    assert all(isinstance(t["data"]["text"], str) for t in tasks)


def test_a_policy_that_calls_unknown_shareable_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "corpus").mkdir(parents=True)
    (root / "corpus" / "release.yaml").write_text(
        "text_policy:\n  redistributable: [CC-BY-4.0, unknown]\n  keep_text: {}\n"
    )
    from hmeimim.release.policy import read_text_policy

    with pytest.raises(HmeimimError) as raised:
        read_text_policy(root)
    assert raised.value.code == "E609"
    assert "unknown" in str(raised.value)
    (root / "corpus" / "release.yaml").write_text("title: x\n")
    with pytest.raises(HmeimimError) as missing:
        read_text_policy(root)
    assert missing.value.code == "E609"
