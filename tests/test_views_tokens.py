"""The token view: label names, alignment, overlap rule, skipped mentions, determinism.

Expected values are written by hand from corpus/sources/documents/*/gold.yaml and the
text. The seed's 55 entity mentions all align with spaCy's blank English tokenizer:
none starts or ends inside a word. The risky places were checked by hand: "al-Assad's"
(apostrophe U+2019; the tokenizer splits "al", "-", "Assad", "'s", so
"Bashar al-Assad" ends on a token end), "Russia's" ("Russia" + "'s"), "An-124s"
(one token; the mention ends with it) and "(HTS)" (brackets are split off). No two
entity mentions share a character, so the overlap rule skips none either: 0 skipped.
Short texts with emoji and Arabic have their tokens, tags and decoded spans written out
by hand too (`HAND_CASES`), and `test_tags_of_aligned_mentions_follow_their_tokens`
derives its expected tags from how it builds the mentions, not from `decode_tags`.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hmeimim
from hmeimim.views.tokens import decode_tags, ner_examples_of

SEED_DOC = "2024-12-20-russia-withdrawal-syria"
ENTITY_MENTIONS = 55  # in release v1.0.0, which holds the seed alone
V1 = "1.0.0"


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
        "B-DATE", "I-DATE",
        "B-TIME", "I-TIME",
        "B-CARDINAL", "I-CARDINAL",
        "B-QUANTITY", "I-QUANTITY",
        "B-MONEY", "I-MONEY",
        "B-PERCENT", "I-PERCENT",
    ]  # fmt: skip
    bilou = hmeimim.ner_label_names("BILOU")
    assert len(bilou) == 1 + 13 * 4
    assert bilou[1:5] == ["B-PER", "I-PER", "L-PER", "U-PER"]
    assert bilou[-4:] == ["B-PERCENT", "I-PERCENT", "L-PERCENT", "U-PERCENT"]


def test_seed_token_view_holds_every_entity_mention() -> None:
    view = hmeimim.ner(V1)
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
    gold = hmeimim.spans(V1)
    gold = gold[gold["layer"] == "entity"]
    assert len(decoded) == ENTITY_MENTIONS
    assert sorted(decoded) == sorted(zip(gold["start"], gold["end"], gold["label"], strict=True))
    assert len(hmeimim.ner_skipped(V1)) == 0


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
    view = hmeimim.ner(V1, unit="paragraph")
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


# Hand-written: each text, its mentions, and by hand the non-space tokens of spaCy's
# blank English tokenizer with their code-point offsets, the tags in both schemes and
# the spans the tags decode to. Emoji are symbols (\p{So}) to the tokenizer, so they are
# split off as prefixes and suffixes: "Damascus👀" is two tokens, the ZWJ sequence
# "👩\u200d🚀" three ("👩", the joiner, "🚀") and the flag "🇸🇾" two regional indicators.
# Arabic harakat (U+064E fatha, U+064F damma, U+0651 shadda) stay inside their word.
HAND_CASES = [
    pytest.param(
        "Moscow 👀 left Hmeimim.",
        [("m1", "GPE", 0, 6), ("m2", "FAC", 14, 21)],
        [("Moscow", 0, 6), ("👀", 7, 8), ("left", 9, 13), ("Hmeimim", 14, 21), (".", 21, 22)],
        ["B-GPE", "O", "O", "B-FAC", "O"],
        ["U-GPE", "O", "O", "U-FAC", "O"],
        [(0, 6, "GPE"), (14, 21, "FAC")],
        id="emoji",
    ),
    pytest.param(
        "قالَ الشاهدُ إنّ القوات الروسية غادرت حميميم.",
        [("m1", "ORG", 17, 31), ("m2", "FAC", 38, 44)],
        [
            ("قالَ", 0, 4),
            ("الشاهدُ", 5, 12),
            ("إنّ", 13, 16),
            ("القوات", 17, 23),
            ("الروسية", 24, 31),
            ("غادرت", 32, 37),
            ("حميميم", 38, 44),
            (".", 44, 45),
        ],
        ["O", "O", "O", "B-ORG", "I-ORG", "O", "B-FAC", "O"],
        ["O", "O", "O", "B-ORG", "L-ORG", "O", "U-FAC", "O"],
        [(17, 31, "ORG"), (38, 44, "FAC")],
        id="arabic-harakat",
    ),
    pytest.param(
        "Hayat Tahrir al-Sham 👩\u200d🚀 took Damascus👀 🇸🇾",
        [("m1", "ORG", 0, 20), ("m2", "GPE", 30, 38)],
        [
            ("Hayat", 0, 5),
            ("Tahrir", 6, 12),
            ("al", 13, 15),
            ("-", 15, 16),
            ("Sham", 16, 20),
            ("👩", 21, 22),
            ("\u200d", 22, 23),
            ("🚀", 23, 24),
            ("took", 25, 29),
            ("Damascus", 30, 38),
            ("👀", 38, 39),
            ("🇸", 40, 41),
            ("🇾", 41, 42),
        ],
        ["B-ORG", "I-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "O", "O", "O", "B-GPE"] + ["O"] * 3,
        ["B-ORG", "I-ORG", "I-ORG", "I-ORG", "L-ORG", "O", "O", "O", "O", "U-GPE"] + ["O"] * 3,
        [(0, 20, "ORG"), (30, 38, "GPE")],
        id="zwj-flag-glued-emoji",
    ),
]


@pytest.mark.parametrize(("text", "mentions", "tokens", "bio", "bilou", "decoded"), HAND_CASES)
def test_tokens_tags_and_decoded_spans_by_hand(
    text: str,
    mentions: list[tuple[str, str, int, int]],
    tokens: list[tuple[str, int, int]],
    bio: list[str],
    bilou: list[str],
    decoded: list[tuple[int, int, str]],
) -> None:
    for token, start, end in tokens:
        assert text[start:end] == token  # the hand-written offsets themselves
    for scheme, tags in (("BIO", bio), ("BILOU", bilou)):
        [example] = ner_examples_of(_doc(text, mentions), scheme=scheme)
        assert example["tokens"] == [token for token, _, _ in tokens]
        assert example["token_starts"] == [start for _, start, _ in tokens]
        assert example["token_ends"] == [end for _, _, end in tokens]
        assert example["ner_tags"] == tags
        assert example["skipped"] == []
        assert decode_tags(tags, example["token_starts"], example["token_ends"]) == decoded


# Four tokens at [0, 1), [2, 3), [4, 6) and [7, 9).
_STARTS, _ENDS = [0, 2, 4, 7], [1, 3, 6, 9]


@pytest.mark.parametrize(
    ("tags", "decoded"),
    [
        (["B-PER", "I-PER", "O", "B-GPE"], [(0, 3, "PER"), (7, 9, "GPE")]),
        (["B-PER", "L-PER", "U-GPE", "O"], [(0, 3, "PER"), (4, 6, "GPE")]),
        (["U-PER", "B-ORG", "I-ORG", "L-ORG"], [(0, 1, "PER"), (2, 9, "ORG")]),
        (["O", "O", "B-GPE", "I-GPE"], [(4, 9, "GPE")]),  # open at the end
        # Two mentions side by side: a new B- closes the open one.
        (["B-ORG", "B-ORG", "I-ORG", "O"], [(0, 1, "ORG"), (2, 6, "ORG")]),
        # Ill-formed input: an I- without B- opens a span; a label change closes one.
        (["I-LOC", "I-LOC", "I-GPE", "O"], [(0, 3, "LOC"), (4, 6, "GPE")]),
        (["O", "O", "O", "O"], []),
    ],
)
def test_decode_tags_by_hand(tags: list[str], decoded: list[tuple[int, int, str]]) -> None:
    assert decode_tags(tags, _STARTS, _ENDS) == decoded


@settings(max_examples=60, deadline=None)
@given(words=_WORDS, gaps=_GAPS, picks=st.lists(st.integers(0, 10_000), max_size=6))
def test_tags_of_aligned_mentions_follow_their_tokens(
    words: list[str], gaps: list[str], picks: list[int]
) -> None:
    """Mentions made of whole tokens get B/I (BIO) or B/I/L and U (BILOU) on exactly those
    tokens. The expected tags and spans come from the construction, not from the code."""
    from hmeimim.views.base import tokenize

    text = "".join(word + gap for word, gap in zip(words, gaps, strict=False)).strip()
    tokens = [t for t in tokenize({"text": text, "language": "en"}) if not t.is_space]
    # Mentions: disjoint runs of 1-2 non-space tokens chosen by `picks`.
    taken: set[int] = set()
    spans, runs = [], []
    for n, pick in enumerate(picks):
        first = pick % len(tokens)
        last = min(first + pick % 2, len(tokens) - 1)
        if taken & set(range(first, last + 1)):
            continue
        taken |= set(range(first, last + 1))
        start, end = tokens[first].idx, tokens[last].idx + len(tokens[last].text)
        spans.append((f"m{n}", "LOC", start, end))
        runs.append((first, last))
    bio, bilou = ["O"] * len(tokens), ["O"] * len(tokens)
    for first, last in runs:
        bio[first] = "B-LOC"
        bilou[first] = "U-LOC" if first == last else "B-LOC"
        for i in range(first + 1, last + 1):
            bio[i] = "I-LOC"
            bilou[i] = "L-LOC" if i == last else "I-LOC"
    expected_spans = sorted((start, end, "LOC") for _, _, start, end in spans)
    for scheme, tags in (("BIO", bio), ("BILOU", bilou)):
        [example] = ner_examples_of(_doc(text, spans), scheme=scheme)
        assert example["skipped"] == []
        assert example["tokens"] == [t.text for t in tokens]
        assert example["token_starts"] == [t.idx for t in tokens]
        assert example["token_ends"] == [t.idx + len(t.text) for t in tokens]
        assert example["ner_tags"] == tags
        decoded = decode_tags(tags, example["token_starts"], example["token_ends"])
        assert sorted(decoded) == expected_spans


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
