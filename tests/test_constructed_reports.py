"""The contrast set of release 1.1.0: sixteen constructed reports, double-annotated blind.

These tests read the data itself (the product), not the code under test: the texts as
they arrived against what ingest stored, the counts per language, both raw layers per
document, the claim links across reports, the split rule and the adjudication logs.
"""

from __future__ import annotations

import collections
import re
import unicodedata
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml

import hmeimim
from conftest import ROOT
from hmeimim.authoring.text import ingest_text
from hmeimim.storage.releases import release_dir

VERSION = "1.1.0"
ORIGINALS = ROOT / "corpus" / "originals" / "constructed"
DOCUMENTS = ROOT / "corpus" / "sources" / "documents"
ANNOTATION = ROOT / "corpus" / "annotation"
CONSTRUCTED = sorted(p.stem for p in ORIGINALS.glob("*.txt"))
LOG_KEYS = {"doc_id", "kind", "at", "A", "B", "decision", "rule"}


def test_sixteen_reports_were_written_in_three_languages() -> None:
    languages = collections.Counter(doc_id.split("-")[1] for doc_id in CONSTRUCTED)
    assert len(CONSTRUCTED) >= 16
    assert languages["en"] >= 8
    assert languages["fr"] >= 4
    assert languages["ar"] >= 4


@pytest.mark.parametrize("doc_id", CONSTRUCTED)
def test_each_text_is_the_ingested_form_of_its_original(doc_id: str) -> None:
    raw = (ORIGINALS / f"{doc_id}.txt").read_bytes().decode("utf-8")
    stored = (DOCUMENTS / doc_id / "text.txt").read_text(encoding="utf-8")
    assert stored == ingest_text(raw)
    words = len(stored.split())
    assert 150 <= words <= 700, words
    assert (ORIGINALS / f"{doc_id}.facts.md").stat().st_size > 500  # the facts note


def test_one_original_arrives_with_crlf_and_one_in_nfd() -> None:
    crlf = (ORIGINALS / "c03-en-state-department-bases-syrians.txt").read_bytes()
    assert b"\r\n" in crlf
    assert b"\n" not in crlf.replace(b"\r\n", b"")
    nfd = (ORIGINALS / "c12-fr-embassy-airlift-khadim-flights.txt").read_text(encoding="utf-8")
    assert not unicodedata.is_normalized("NFC", nfd)
    assert unicodedata.normalize("NFD", nfd) == nfd


# Invented for the contrast set (see the writers' facts notes in corpus/originals/).
FICTIONAL = {
    "marguerite-oyelaran-fisk",
    "lindqvist-centre-for-maritime-security",
    "tim-al-akkawi",
    "two-shores-centre-for-mediterranean-studies",
    "shtorm-levant",
    "halvorsen-orbital-analytics",
    "anbaa-al-volga",
    "ports-and-mediterranean-bulletin",
    "bawabat-al-jabal-al-akhdar",
}
QUOTES = ('"', "«", "“")


def _quoted(text: str, span: dict[str, Any]) -> bool:
    before = text[max(0, span["start"] - 2) : span["start"]].strip()
    after = text[span["end"] : span["end"] + 2].strip()[:1]
    return before in QUOTES or after in ('"', "»", "”")


def test_quoted_words_come_from_unnamed_or_fictional_speakers_only() -> None:
    """The authorship rule: words in quotation marks are given only to fictional or
    unnamed sources. A quoted content's source may name a person only if that person is
    fictional, and may not open with the name of a real organization."""
    checked = 0
    for doc_id in CONSTRUCTED:
        text = (DOCUMENTS / doc_id / "text.txt").read_text(encoding="utf-8")
        gold = yaml.safe_load((DOCUMENTS / doc_id / "gold.yaml").read_text(encoding="utf-8"))
        spans = {s["span_id"]: s for s in gold["spans"]}
        for frame in gold["attributions"]:
            if not any(_quoted(text, spans[c]) for c in frame["contents"]):
                continue
            for source_id in frame["sources"]:
                source = spans[source_id]
                inside = [
                    e
                    for e in gold["spans"]
                    if e["layer"] == "entity"
                    and e.get("entity_id")
                    and source["start"] <= e["start"]
                    and e["end"] <= source["end"]
                ]
                people = {e["entity_id"] for e in inside if e["label"] == "PER"}
                heads = {
                    e["entity_id"]
                    for e in inside
                    if e["label"] == "ORG" and e["start"] - source["start"] <= 4
                }
                assert people | heads <= FICTIONAL, (doc_id, frame["frame_id"], people | heads)
                checked += 1
    assert checked >= 20  # the quotes of the set were all looked at


def test_the_release_holds_the_constructed_reports_with_two_raw_layers_each() -> None:
    corpus = hmeimim.load(VERSION, provenance="constructed")
    docs = [row for split in corpus.values() for row in split]
    assert len(docs) >= 16
    assert {doc["provenance"] for doc in docs} == {"constructed"}
    assert collections.Counter(doc["language"] for doc in docs) == {"en": 8, "fr": 4, "ar": 4}
    layers = pq.read_table(release_dir(VERSION) / "annotators.parquet").to_pylist()
    per_doc = collections.Counter(layer["doc_id"] for layer in layers)
    for doc in docs:
        layer_counts = collections.Counter(s["layer"] for s in doc["spans"])
        assert set(layer_counts) == {"entity", "attribution", "stance"}, doc["doc_id"]
        assert doc["attributions"], doc["doc_id"]
        assert doc["stances"], doc["doc_id"]
        assert per_doc[doc["doc_id"]] == 2, doc["doc_id"]
    published = hmeimim.load(VERSION, provenance="published")
    assert [row["doc_id"] for split in published.values() for row in split] == [
        "2024-12-20-russia-withdrawal-syria"
    ]
    assert per_doc["2024-12-20-russia-withdrawal-syria"] == 2  # the seed's second blind pass


def test_a_claim_is_linked_across_three_or_more_reports() -> None:
    table = hmeimim.claims(VERSION)
    reports = table.groupby("claim_id")["doc_id"].nunique()
    assert reports.max() >= 3, reports.to_dict()
    assert (table["kind"] == "frame").any()


def test_splits_follow_the_perspective_rule_and_every_perspective_is_there() -> None:
    schema = yaml.safe_load((ROOT / "schema" / "hmeimim.yaml").read_text(encoding="utf-8"))
    rule = {p: split for split in ("train", "validation", "test") for p in schema["splits"][split]}
    seen = set()
    for folder in sorted(DOCUMENTS.iterdir()):
        meta = yaml.safe_load((folder / "meta.yaml").read_text(encoding="utf-8"))
        assert meta["split"] == rule[meta["perspective"]], folder.name
        seen.add(meta["perspective"])
    assert seen == set(schema["enums"]["perspective"])
    assert {"train", "validation", "test"} == set(rule.values())


@pytest.mark.parametrize("doc_id", sorted(p.name for p in DOCUMENTS.iterdir()))
def test_every_document_has_an_adjudication_log_naming_its_rules(doc_id: str) -> None:
    logs = list(ANNOTATION.glob(f"round-*/adjudication/{doc_id}.yaml"))
    assert len(logs) == 1, logs
    items = yaml.safe_load(logs[0].read_text(encoding="utf-8"))
    assert items, doc_id
    for item in items:
        assert set(item) >= LOG_KEYS, item
        assert item["doc_id"] == doc_id
        assert re.search(r"\d|none:", str(item["rule"])), item  # a section number or a proposal
    raw = list(ANNOTATION.glob(f"round-*/raw/*/{doc_id}.yaml"))
    assert len(raw) == 2, raw


def test_raw_layers_are_the_delivered_files_but_for_registry_aliases() -> None:
    """scripts/annotation_layers.py --check: the layers in corpus/sources are up to date."""
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "annotation_layers.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    layers = list((ROOT / "corpus" / "sources" / "annotators").glob("*/*.yaml"))
    assert len(layers) == 34


def test_load_dataset_has_a_config_per_provenance() -> None:
    import datasets

    constructed = datasets.load_dataset(str(ROOT), "constructed")
    rows = [row for split in constructed.values() for row in split]
    assert len(rows) == 16
    assert {row["provenance"] for row in rows} == {"constructed"}
    assert set(constructed) == {"train", "validation", "test"}
    published = datasets.load_dataset(str(ROOT), "published")
    assert list(published) == ["train"]  # the seed is the only published report
    assert [row["doc_id"] for row in published["train"]] == ["2024-12-20-russia-withdrawal-syria"]


def test_an_unknown_provenance_is_a_coded_error() -> None:
    from hmeimim.errors import HmeimimError

    with pytest.raises(HmeimimError) as caught:
        hmeimim.load(VERSION, provenance="synthetic")
    assert caught.value.code == "E505"
