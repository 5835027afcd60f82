"""Token-view tags made by spaCy's `offsets_to_biluo_tags` / `biluo_to_iob`, on hand examples."""

from __future__ import annotations

from typing import Any

import pytest

from hmeimim.views.tokens import ner_examples_of


def _doc(text: str, spans: list[tuple[str, int, int]]) -> dict[str, Any]:
    return {
        "doc_id": "d",
        "language": "en",
        "split": "train",
        "text": text,
        "spans": [
            {
                "span_id": f"m{n}",
                "layer": "entity",
                "label": label,
                "start": start,
                "end": end,
                "text": text[start:end],
            }
            for n, (label, start, end) in enumerate(spans)
        ],
    }


@pytest.mark.parametrize(
    ("scheme", "tags"),
    [
        ("BILOU", ["B-ORG", "L-ORG", "O", "U-GPE", "O"]),
        ("BIO", ["B-ORG", "I-ORG", "O", "B-GPE", "O"]),
    ],
)
def test_a_whitespace_token_inside_a_mention_is_left_out(scheme: str, tags: list[str]) -> None:
    # spaCy splits "Hayat  Tahrir" into "Hayat", " ", "Tahrir": the Doc tags are B, I, L;
    # without the whitespace token the mention keeps B and L.
    document = _doc("Hayat  Tahrir met Moscow.", [("ORG", 0, 13), ("GPE", 18, 24)])
    [example] = ner_examples_of(document, scheme=scheme)
    assert example["tokens"] == ["Hayat", "Tahrir", "met", "Moscow", "."]
    assert example["ner_tags"] == tags


def test_paragraph_units_keep_their_own_tags() -> None:
    # Paragraphs "Syria said." and "Moscow and Damascus agreed."; "said.\n\nMoscow" (6..19)
    # crosses the break, so it is listed in its first paragraph and tagged in neither.
    text = "Syria said.\n\nMoscow and Damascus agreed."
    spans = [("GPE", 0, 5), ("ORG", 6, 19), ("GPE", 24, 32)]
    first, second = ner_examples_of(_doc(text, spans), scheme="BILOU", unit="paragraph")
    assert first["ner_tags"] == ["U-GPE", "O", "O"]
    assert second["ner_tags"] == ["O", "O", "U-GPE", "O", "O"]
    assert [s["reason"] for s in first["skipped"]] == ["crosses-paragraph"]
    assert second["skipped"] == []
