"""Loading through the real `datasets`, pandas views and their streaming twins."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import datasets
import pandas as pd
import pytest

import hmeimim
from conftest import ROOT, SEED_DOC


def test_load_returns_three_splits_with_declared_features(hf_cache: Path) -> None:
    loaded = hmeimim.load()
    assert isinstance(loaded, datasets.DatasetDict)
    assert list(loaded) == ["train", "validation", "test"]
    # The latest release (v1.2.0): the splits of corpus/sources/documents/*/meta.yaml.
    assert loaded["train"].num_rows == 11
    assert loaded["validation"].num_rows == 3
    assert loaded["test"].num_rows == 3
    features = hmeimim.load_schema().hf_features("documents")
    for split in loaded.values():
        assert split.features == features
    first = loaded["train"][0]
    assert first["doc_id"] == SEED_DOC
    assert isinstance(first["spans"], list)
    assert isinstance(first["spans"][0], dict)


def test_load_by_version_equals_latest(hf_cache: Path) -> None:
    latest = max(p.name for p in (ROOT / "corpus").glob("v*.*.*"))  # v1.2.0 now
    assert latest == "v1.2.0"
    assert hmeimim.load(latest[1:])["train"][0] == hmeimim.load()["train"][0]


def test_unknown_version_is_a_coded_error() -> None:
    with pytest.raises(hmeimim.HmeimimError) as caught:
        hmeimim.load("9.9.9")
    assert caught.value.code == "E012"


def test_load_dataset_on_a_clean_copy_needs_no_script(tmp_path: Path, hf_cache: Path) -> None:
    copy = tmp_path / "checkout"
    if (ROOT / ".git").exists():
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(copy)], check=True)
        # Uncommitted changes to the corpus would not be in the clone; copy the working tree's.
        shutil.rmtree(copy / "corpus")
        shutil.copytree(ROOT / "corpus", copy / "corpus")
        shutil.copy2(ROOT / "README.md", copy / "README.md")
    else:
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv*", ".git"))
    default = datasets.load_dataset(str(copy), cache_dir=str(hf_cache / "d"))
    assert list(default) == ["train", "validation", "test"]
    row = default["train"][0]
    assert row["doc_id"] == SEED_DOC
    assert row["spans"][0]["span_id"] == "d001-e01"
    pinned = datasets.load_dataset(str(copy), "v1.2.0", cache_dir=str(hf_cache / "p"))
    assert pinned["train"][0] == row
    # v1.1.0 has the same annotations and no text fingerprint (schema 1.1.0).
    before = datasets.load_dataset(str(copy), "v1.1.0", cache_dir=str(hf_cache / "b"))
    assert "text_sha256" not in before["train"].features
    assert before["train"][0]["spans"] == row["spans"]
    assert row["text_sha256"] == hashlib.sha256(row["text"].encode("utf-8")).hexdigest()
    old = datasets.load_dataset(str(copy), "v1.0.0", cache_dir=str(hf_cache / "o"))
    assert list(old) == ["train"]
    assert old["train"].num_rows == 1
    assert old["train"][0]["doc_id"] == SEED_DOC


def test_spans_view_has_one_row_per_span() -> None:
    # Release v1.0.0 (one document, 97 spans) pinned; its spans carry no 1.1.0 columns.
    frame = hmeimim.spans("1.0.0")
    assert list(frame.columns) == [
        "doc_id",
        "span_id",
        "layer",
        "label",
        "start",
        "end",
        "text",
        "entity_id",
    ]
    (document,) = hmeimim.read_documents("1.0.0")
    assert len(frame) == len(document["spans"]) == 97
    row = frame.set_index("span_id").loc["d001-e50"]
    assert (row["label"], row["text"], row["start"], row["end"]) == (
        "PER",
        "Obeida Arnaout",
        2332,
        2346,
    )
    for _, span in frame.iterrows():
        assert document["text"][span["start"] : span["end"]] == span["text"]
    # From schema 1.1.0 on the view also has metonymy and claim_id.
    latest = hmeimim.spans()
    assert list(latest.columns) == [*frame.columns, "metonymy", "claim_id"]
    assert len(latest) == 2046


def test_attributions_and_stances_views() -> None:
    # Release v1.0.0 pinned: the seed alone, with 10 frames and 12 stances.
    frames = hmeimim.attributions("1.0.0")
    assert len(frames) == 10
    assert {"doc_id", "frame_id", "cue", "sources", "contents"} <= set(frames.columns)
    arnaout = frames.set_index("frame_id").loc["d001-a09"]
    assert list(arnaout["contents"]) == ["d001-t09", "d001-t10"]
    stances = hmeimim.stances("1.0.0")
    assert len(stances) == 12
    assert {"doc_id", "stance_id", "holder", "target", "polarity", "evidence"} <= set(
        stances.columns
    )
    assert (stances["holder_kind"] == "writer").sum() == 6
    # The latest release (v1.1.0): 17 documents with 270 frames and 211 stances.
    assert (len(hmeimim.attributions()), len(hmeimim.stances())) == (270, 211)


def test_streaming_twins_give_the_same_rows() -> None:
    for whole, stream in (
        (hmeimim.spans, hmeimim.iter_spans),
        (hmeimim.attributions, hmeimim.iter_attributions),
        (hmeimim.stances, hmeimim.iter_stances),
    ):
        streamed = pd.concat(list(stream()), ignore_index=True)
        pd.testing.assert_frame_equal(streamed, whole())
    assert list(hmeimim.iter_documents()) == hmeimim.read_documents()


def test_empty_split_view_has_the_columns() -> None:
    frame = hmeimim.spans("1.0.0", split="test")  # v1.0.0 has no test documents
    assert frame.empty
    assert "span_id" in frame.columns


def test_the_suite_never_uses_the_users_hugging_face_cache(hf_cache: Path) -> None:
    hmeimim.load()
    home_cache = Path.home() / ".cache" / "huggingface"
    assert Path(datasets.config.HF_DATASETS_CACHE).is_relative_to(hf_cache)
    assert not Path(datasets.config.HF_DATASETS_CACHE).is_relative_to(home_cache)
    assert any(hf_cache.rglob("*.arrow")), "the load above did not use the private cache"
