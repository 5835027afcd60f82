"""Property tests of text ingest and newline offsets: emoji, combining marks, Arabic, \\r\\n.

The oracles are written apart from `hmeimim.authoring.text`: a regular expression for
the line breaks and `unicodedata` for NFC.
"""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from conftest import fingerprint
from hmeimim.authoring.text import ingest_text, normalize_newlines
from hmeimim.schema.declaration import load_schema
from hmeimim.validation.checks import CorpusChecker

# Pieces that break naive offset code: astral emoji, a ZWJ sequence, combining marks,
# Arabic (right to left), and every kind of line break.
PIECES = st.sampled_from(
    [
        "a",
        "Z",
        " ",
        "é",
        "e\u0301",
        "🚀",
        "👩\u200d🚀",
        "\u0627\u0644\u0634",
        "\u064e",
        "\r\n",
        "\r",
        "\n",
        "’",
    ]
)
TEXTS = st.lists(PIECES, max_size=40).map("".join)


def _lf(raw: str) -> str:
    """Oracle: every \\r\\n and every lone \\r becomes \\n."""
    return re.sub(r"\r\n?", "\n", raw)


@given(TEXTS)
def test_newline_normalization_matches_the_oracle(raw: str) -> None:
    text, mapping = normalize_newlines(raw)
    assert text == _lf(raw)
    # Boundary i of the raw text maps to the length of the normalized prefix raw[:i]. A
    # boundary between \r and \n therefore maps after the new \n (raw[:i] ends in \r).
    assert mapping == [len(_lf(raw[:i])) for i in range(len(raw) + 1)]


@given(TEXTS, st.data())
def test_newline_normalization_maps_every_span(raw: str, data: st.DataObject) -> None:
    text, mapping = normalize_newlines(raw)
    assert "\r" not in text
    assert len(mapping) == len(raw) + 1
    assert mapping == sorted(mapping)
    if not raw:
        return
    start = data.draw(st.integers(0, len(raw) - 1))
    end = data.draw(st.integers(start + 1, len(raw)))
    expected = raw[start:end].replace("\r\n", "\n").replace("\r", "\n")
    got = text[mapping[start] : mapping[end]]
    # A span that starts or ends between \r and \n keeps the whole line break.
    assert got.replace("\n", "") == expected.replace("\n", "")


@given(TEXTS)
def test_ingest_gives_nfc_without_carriage_returns(raw: str) -> None:
    text = ingest_text(raw)
    assert text == unicodedata.normalize("NFC", _lf(raw))
    assert "\r" not in text
    assert unicodedata.is_normalized("NFC", text)
    assert ingest_text(text) == text


@given(TEXTS, st.data())
def test_validator_accepts_exact_slices_and_rejects_shifted_ones(
    raw: str, data: st.DataObject
) -> None:
    text = ingest_text(raw)
    stripped = [i for i, ch in enumerate(text) if not ch.isspace()]
    if not stripped:
        return
    start = data.draw(st.sampled_from(stripped))
    end = data.draw(st.sampled_from([i + 1 for i in stripped if i >= start]))
    span = {
        "span_id": "p1",
        "start": start,
        "end": end,
        "text": text[start:end],
        "layer": "stance",
        "label": "STANCE",
        "entity_id": None,
    }
    record = {
        "doc_id": "prop-doc",
        "text": text,
        **fingerprint(text),
        "language": "ar",
        "provenance": "constructed",
        "split": "train",
        "spans": [span],
        "attributions": [],
        "stances": [],
    }
    assert CorpusChecker(load_schema()).check_document(record) == []
    wrong = {**span, "text": text[start:end] + "x"}
    codes = [
        f.code for f in CorpusChecker(load_schema()).check_document({**record, "spans": [wrong]})
    ]
    assert codes == ["E203"]
