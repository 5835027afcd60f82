"""The token view: label names, alignment, overlap rule, skipped mentions, determinism.

Expected values are written by hand from corpus/sources/documents/*/gold.yaml and the
text. The seed's 55 entity mentions all align with spaCy's blank English tokenizer:
none starts or ends inside a word. The risky places were checked by hand: "al-Assad's"
(apostrophe U+2019; the tokenizer splits "al", "-", "Assad", "'s", so
"Bashar al-Assad" ends on a token end), "Russia's" ("Russia" + "'s"), "An-124s"
(one token; the mention ends with it) and "(HTS)" (brackets are split off). No two
entity mentions share a character, so the overlap rule skips none either: 0 skipped.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hmeimim
from hmeimim.views.tokens import decode_tags, ner_examples_of

SEED_DOC = "2024-12-20-russia-withdrawal-syria"
ENTITY_MENTIONS = 55


def _names(example: dict, dataset) -> list[str]:
    feature = dataset.features["ner_tags"].feature
    return [feature.int2str(tag) for tag in example["ner_tags"]]


def test_label_names_are_fixed_in_schema_order() -> None:
    assert hmeimim.ner_label_names() == [
        "O",
        "B-PER", "I-PER",
        "B-ORG", "I-ORG",
        "B-GPE", "I-GPE",
        "B-LOC", "I-LOC",
        "B-FAC", "I-FAC",
        "B-NORP", "I-NORP",
        "B-PRODUCT", "I-PRODUCT",
    ]  # fmt: skip
    bilou = hmeimim.ner_label_names("BILOU")
    assert len(bilou) == 1 + 7 * 4
    assert bilou[1:5] == ["B-PER", "I-PER", "L-PER", "U-PER"]


def test_seed_token_view_holds_every_entity_mention() -> None:
    view = hmeimim.ner()
    assert {split: view[split].num_rows for split in view} == {
        "train": 1,
        "validation": 0,
        "test": 0,
    }
    example = view["train"][0]
    assert example["doc_id"] == SEED_DOC
    assert example["skipped"] == []
    decoded = decode_tags(
        _names(example, view["train"]), example["token_starts"], example["token_ends"]
    )
    gold = hmeimim.spans()
    gold = gold[gold["layer"] == "entity"]
    assert len(decoded) == ENTITY_MENTIONS
    assert sorted(decoded) == sorted(zip(gold["start"], gold["end"], gold["label"], strict=True))
    assert len(hmeimim.ner_skipped()) == 0


def test_seed_tags_around_hyphen_and_apostrophe() -> None:
    view = hmeimim.ner()
    example = view["train"][0]
    tags = _names(example, view["train"])
    at = example["token_starts"].index(1039)  # "Bashar al-Assad's regime"
    assert example["tokens"][at : at + 6] == ["Bashar", "al", "-", "Assad", "\u2019s", "regime"]
    assert tags[at : at + 6] == ["B-PER", "I-PER", "I-PER", "I-PER", "O", "O"]
    assert "\n\n" not in example["tokens"]  # whitespace tokens are left out


def test_bilou_scheme() -> None:
    view = hmeimim.ner(scheme="BILOU")
    example = view["train"][0]
    tags = _names(example, view["train"])
    # "The Russian Ministry of Foreign Affairs has ..." (mention starts at "Russian")
    assert tags[:7] == ["O", "B-ORG", "I-ORG", "I-ORG", "I-ORG", "L-ORG", "O"]
    at = example["token_starts"].index(128)  # "Damascus"
    assert tags[at] == "U-GPE"


def test_paragraph_units() -> None:
    view = hmeimim.ner(unit="paragraph")
    train = view["train"]
    # The text has 8 paragraphs separated by blank lines.
    assert train["id"] == [f"{SEED_DOC}/p{n:03d}" for n in range(8)]
    total = sum(
        len(decode_tags(_names(ex, train), ex["token_starts"], ex["token_ends"])) for ex in train
    )
    assert total == ENTITY_MENTIONS
    # Paragraph 2 ("According to military and security sources, Moscow ...") has 4:
    # Moscow, Syrian, Algerian, Syrian.
    second = train[1]
    assert decode_tags(_names(second, train), second["token_starts"], second["token_ends"]) == [
        (383, 389, "GPE"),
        (442, 448, "NORP"),
        (453, 461, "NORP"),
        (501, 507, "NORP"),
    ]


def _doc(text: str, spans: list[tuple[str, str, int, int]]) -> dict:
    return {
        "doc_id": "synthetic",
        "language": "en",
        "split": "train",
        "text": text,
        "spans": [
            {
                "span_id": span_id,
                "layer": "entity",
                "label": label,
                "start": start,
                "end": end,
                "text": text[start:end],
            }
            for span_id, label, start, end in spans
        ],
    }


def test_misaligned_and_overlapping_mentions_are_listed() -> None:
    text = "Russians met Hayat Tahrir al-Sham in Latakia."
    # "Russia" ends inside the token "Russians": misaligned.
    # "Hayat Tahrir" (13..25) overlaps "Hayat Tahrir al-Sham" (13..33): the longer is kept.
    document = _doc(
        text,
        [
            ("m1", "GPE", 0, 6),
            ("m2", "ORG", 13, 33),
            ("m3", "ORG", 13, 25),
            ("m4", "GPE", 37, 44),
        ],
    )
    [example] = ner_examples_of(document)
    assert example["tokens"] == [
        "Russians", "met", "Hayat", "Tahrir", "al", "-", "Sham", "in", "Latakia", ".",
    ]  # fmt: skip
    assert example["ner_tags"] == [
        "O", "O", "B-ORG", "I-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "B-GPE", "O",
    ]  # fmt: skip
    assert [(s["span_id"], s["reason"], s["conflict"]) for s in example["skipped"]] == [
        ("m1", "misaligned", None),
        ("m3", "overlap", "m2"),
    ]


def test_same_length_overlap_keeps_earlier_start() -> None:
    text = "North South Korea"
    document = _doc(text, [("b", "GPE", 6, 17), ("a", "GPE", 0, 11)])
    [example] = ner_examples_of(document)
    assert example["ner_tags"] == ["B-GPE", "I-GPE", "O"]
    assert [(s["span_id"], s["conflict"]) for s in example["skipped"]] == [("b", "a")]


def test_bad_option_is_an_error() -> None:
    with pytest.raises(hmeimim.HmeimimError) as caught:
        hmeimim.ner(scheme="IOB2")
    assert caught.value.code == "E503"
    with pytest.raises(hmeimim.HmeimimError) as caught:
        hmeimim.ner(layer="nope")
    assert caught.value.code == "E503"


def test_token_view_is_deterministic() -> None:
    first = hmeimim.ner()["train"].to_list()
    second = hmeimim.ner()["train"].to_list()
    assert first == second
    assert list(hmeimim.iter_ner()) == list(hmeimim.iter_ner())


_ALPHABET = st.sampled_from(
    [
        "Syria",
        "Moscow",
        "حلب",
        "دمشق",
        "😀",
        "🇸🇾",
        "e\u0301",
        "al-Sham",
        ",",
        ".",
        "\u2019s",
        "(",
        ")",
    ]
)
_WORDS = st.lists(_ALPHABET, min_size=1, max_size=25)
_GAPS = st.lists(st.sampled_from([" ", " ", "  ", "\n", "\n\n"]), min_size=25, max_size=25)


@settings(max_examples=60, deadline=None)
@given(words=_WORDS, gaps=_GAPS, picks=st.lists(st.integers(0, 10_000), max_size=6))
def test_tags_decode_back_to_aligned_mentions(
    words: list[str], gaps: list[str], picks: list[int]
) -> None:
    from hmeimim.views.base import tokenize

    text = "".join(word + gap for word, gap in zip(words, gaps, strict=False)).strip()
    tokens = [t for t in tokenize({"text": text, "language": "en"}) if not t.is_space]
    # Mentions: disjoint runs of 1-2 non-space tokens chosen by `picks`.
    taken: set[int] = set()
    spans = []
    for n, pick in enumerate(picks):
        first = pick % len(tokens)
        last = min(first + pick % 2, len(tokens) - 1)
        if taken & set(range(first, last + 1)):
            continue
        taken |= set(range(first, last + 1))
        start, end = tokens[first].idx, tokens[last].idx + len(tokens[last].text)
        spans.append((f"m{n}", "LOC", start, end))
    for scheme in ("BIO", "BILOU"):
        [example] = ner_examples_of(_doc(text, spans), scheme=scheme)
        assert example["skipped"] == []
        decoded = decode_tags(example["ner_tags"], example["token_starts"], example["token_ends"])
        assert sorted(decoded) == sorted((s, e, label) for _, label, s, e in spans)


@settings(max_examples=60, deadline=None)
@given(words=_WORDS, gaps=_GAPS, cuts=st.lists(st.tuples(st.integers(), st.integers()), max_size=5))
def test_every_mention_is_tagged_or_listed(
    words: list[str], gaps: list[str], cuts: list[tuple[int, int]]
) -> None:
    text = "".join(word + gap for word, gap in zip(words, gaps, strict=False)).strip()
    spans = []
    for n, (a, b) in enumerate(cuts):
        start = a % len(text)
        end = start + 1 + b % (len(text) - start)
        if text[start:end].strip() != text[start:end]:
            continue  # gold spans never have outer whitespace (E204)
        spans.append((f"m{n}", "PER", start, end))
    [example] = ner_examples_of(_doc(text, spans))
    decoded = decode_tags(example["ner_tags"], example["token_starts"], example["token_ends"])
    skipped = {s["span_id"] for s in example["skipped"]}
    assert len(decoded) + len(skipped) == len(spans)
    for span_id, _, start, end in spans:
        assert span_id in skipped or (start, end, "PER") in decoded
