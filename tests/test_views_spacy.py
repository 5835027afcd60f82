"""The spaCy export round trip, its CLI command, and the NER baseline.

The tests that spell out counts pin release v1.0.0, which holds the seed alone.
Expected counts come from its gold.yaml by hand: 55 entity mentions (none overlapping, all
aligned: see tests/test_views_tokens.py), 31 attribution spans, 11 stance spans, 10
frames, 12 stances. The held-out paragraphs of the sanity check are paragraphs 4 and 8
("Since September 2015 ..." and "Obeida Arnaout ..."), whose gold mentions are
PER 3 (Bashar al-Assad, Bashar, Obeida Arnaout), ORG 2 (Hayat Tahrir al-Sham, HTS),
GPE 6 (Russia x2, Syria, Latakia, Kremlin x2), LOC 1 (Alawite mountains),
FAC 2 (Hmeimim airbase, Tartous naval base) and NORP 4 (Syrian, Russian x3): 18.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import hmeimim
from hmeimim.cli import app
from hmeimim.storage.files import sha256_of
from hmeimim.views.baseline import held_out_paragraphs, run_baseline, train_ner

SEED_DOC = "2024-12-20-russia-withdrawal-syria"
V1 = "1.0.0"


def test_docbin_round_trip(tmp_path: Path) -> None:
    written = hmeimim.export_spacy(tmp_path / "out", version=V1)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "test.spacy",
        "train.spacy",
        "validation.spacy",
    ]
    assert hmeimim.read_spacy(written["validation"]) == []
    assert hmeimim.read_spacy(written["test"]) == []
    [doc] = hmeimim.read_spacy(written["train"])
    assert doc._.doc_id == SEED_DOC
    assert doc._.split == "train"
    assert len(doc.ents) == 55
    first = doc.ents[0]
    assert (first.text, first.label_, first.id_, first.kb_id_) == (
        "Russian Ministry of Foreign Affairs",
        "ORG",
        "d001-e01",
        "russian-mfa",
    )
    assert {name: len(group) for name, group in doc.spans.items()} == {
        "entity": 55,
        "attribution": 31,
        "stance": 11,
    }
    source = next(s for s in doc.spans["attribution"] if s.id_ == "d001-s01")
    assert (source.start_char, source.end_char, source.label_) == (0, 39, "SOURCE")
    assert len(doc._.attributions) == 10
    assert doc._.attributions[8] == {
        "frame_id": "d001-a09",
        "cue": "d001-c09",
        "sources": ["d001-s09"],
        "contents": ["d001-t09", "d001-t10"],
        "source_kind": "explicit",
        "source_type": "named_person",
        "parent": None,
    }
    assert len(doc._.stances) == 12
    assert doc._.stances[1]["target"] == "assad-regime"
    assert doc._.skipped == []


def test_export_is_byte_identical(tmp_path: Path) -> None:
    one = hmeimim.export_spacy(tmp_path / "a")
    two = hmeimim.export_spacy(tmp_path / "b")
    assert {s: sha256_of(p) for s, p in one.items()} == {s: sha256_of(p) for s, p in two.items()}


def test_docbin_keeps_misaligned_spans_listed(tmp_path: Path) -> None:
    from hmeimim.views.spacy import to_spacy_doc

    text = "Russians met in Latakia."
    document = {
        "doc_id": "synthetic",
        "language": "en",
        "split": "train",
        "text": text,
        "spans": [
            {"span_id": "m1", "layer": "entity", "label": "GPE", "start": 0, "end": 6,
             "text": "Russia", "entity_id": "russia"},
            {"span_id": "m2", "layer": "entity", "label": "GPE", "start": 16, "end": 23,
             "text": "Latakia", "entity_id": "latakia"},
            {"span_id": "c1", "layer": "attribution", "label": "CUE", "start": 9, "end": 11,
             "text": "me", "entity_id": None},
        ],
        "attributions": [],
        "stances": [],
    }  # fmt: skip
    doc = to_spacy_doc(document)
    assert [(e.text, e.id_) for e in doc.ents] == [("Latakia", "m2")]
    assert [(s["span_id"], s["reason"]) for s in doc._.skipped] == [
        ("m1", "misaligned"),
        ("c1", "misaligned"),
    ]
    assert len(doc.spans["attribution"]) == 0


def test_cli_export(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["export", "spacy", "-o", str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cli" / "train.spacy").is_file()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(app, ["export", "spacy", "-o", str(blocker)])
    assert result.exit_code == 2
    assert "E504" in result.output


def test_held_out_paragraphs() -> None:
    docs = list(hmeimim.iter_spacy_docs(V1, split="train"))
    train, held = held_out_paragraphs(docs)
    assert (len(train), len(held)) == (6, 2)
    assert held[0].text.startswith("Since September 2015")
    assert held[1].text.startswith("Obeida Arnaout")
    labels = [e.label_ for doc in held for e in doc.ents]
    assert {label: labels.count(label) for label in set(labels)} == {
        "PER": 3,
        "ORG": 2,
        "GPE": 6,
        "LOC": 1,
        "FAC": 2,
        "NORP": 4,
    }


def test_training_loss_falls() -> None:
    docs = list(hmeimim.iter_spacy_docs(split="train"))
    train, _ = held_out_paragraphs(docs)
    _, losses = train_ner(train, epochs=6, seed=0, dropout=0.0)
    assert len(losses) == 6
    assert losses[-1] < losses[0] / 2
    _, again = train_ner(train, epochs=6, seed=0, dropout=0.0)
    assert again == losses


@pytest.mark.slow
def test_baseline_reports_honestly() -> None:
    result = run_baseline(V1, epochs=3, seed=0)
    assert [e.name for e in result.evaluations] == ["held-out-paragraphs"]
    sanity = result.evaluations[0]
    assert "not a benchmark" in sanity.description
    assert sanity.micro.support == 18
    # Every entity label of schema 1.1.0, including the value labels v1.0.0 has no gold for.
    assert [s.label for s in sanity.labels] == [
        "PER", "ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT",
        "DATE", "TIME", "CARDINAL", "QUANTITY", "MONEY", "PERCENT",
    ]  # fmt: skip
    assert any("validation split holds no documents" in note for note in result.notes)
    assert any("test split holds no documents" in note for note in result.notes)
