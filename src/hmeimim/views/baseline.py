"""The NER baseline: a small spaCy NER trained on CPU, scored per label.

`run_baseline()` trains on the train split and scores validation and test when they
hold documents. When either is empty it says so (no figures are made up) and adds a
sanity check that is labelled as such: a second model trained on the training
documents minus every fourth paragraph, scored on those held-out paragraphs. Scores
are exact-match entity precision, recall and F1 per label (labels from the schema).
`scripts/train_baseline.py` prints the result.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hmeimim.model import ENTITY_LAYER
from hmeimim.schema.declaration import load_schema
from hmeimim.views.base import blank_pipeline, paragraphs
from hmeimim.views.spacy import iter_spacy_docs

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

HELD_OUT_EVERY = 4
SANITY_LABEL = (
    "sanity check on held-out paragraphs of the training document(s), not a benchmark: "
    "same document, same writer, and every fourth paragraph only"
)


@dataclass(frozen=True)
class LabelScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int  # gold mentions
    predicted: int


@dataclass(frozen=True)
class Evaluation:
    name: str
    description: str
    documents: int
    labels: list[LabelScore]
    micro: LabelScore


@dataclass
class BaselineResult:
    version: str | None
    epochs: int
    seed: int
    losses: list[float] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def split_paragraphs(doc: Doc) -> list[Doc]:
    """One `Doc` per paragraph (entities kept), via `Span.as_doc`."""
    out = []
    for start, end in paragraphs(doc.text):
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None:
            out.append(span.as_doc())
    return out


def held_out_paragraphs(docs: Sequence[Doc]) -> tuple[list[Doc], list[Doc]]:
    """(training, held-out) paragraphs: paragraph i of each document is held out when
    i % 4 == 3 (the 4th, 8th, ...), a fixed rule independent of any seed."""
    train: list[Doc] = []
    held: list[Doc] = []
    for doc in docs:
        for number, paragraph in enumerate(split_paragraphs(doc)):
            (held if number % HELD_OUT_EVERY == HELD_OUT_EVERY - 1 else train).append(paragraph)
    return train, held


def train_ner(
    docs: Sequence[Doc],
    *,
    epochs: int = 30,
    seed: int = 0,
    dropout: float = 0.2,
    batch_size: int = 4,
    language: str = "en",
) -> tuple[Language, list[float]]:
    """A blank pipeline with an NER trained on `docs`; returns it and the loss per epoch."""
    import spacy
    from spacy.training import Example
    from spacy.util import minibatch
    from thinc.api import fix_random_seed

    fix_random_seed(seed)
    nlp = spacy.blank(language)
    ner = nlp.add_pipe("ner")
    for label in [lb.name for lb in load_schema().labels_by_class_id(ENTITY_LAYER)]:
        ner.add_label(label)  # type: ignore[attr-defined]
    examples = [Example(nlp.make_doc(doc.text), doc) for doc in docs]
    optimizer = nlp.initialize(lambda: examples)
    order = random.Random(seed)  # noqa: S311 (shuffling, not security)
    losses_per_epoch = []
    for _ in range(epochs):
        shuffled = list(examples)
        order.shuffle(shuffled)
        losses: dict[str, float] = {}
        for batch in minibatch(shuffled, size=batch_size):  # type: ignore[no-untyped-call]
            nlp.update(batch, drop=dropout, sgd=optimizer, losses=losses)
        losses_per_epoch.append(float(losses.get("ner", 0.0)))
    return nlp, losses_per_epoch


def evaluate_ner(nlp: Language, docs: Sequence[Doc], *, name: str, description: str) -> Evaluation:
    """Exact-match entity precision, recall and F1 per schema label and micro-averaged.

    The figures are spaCy's `Scorer.score_spans` on `Example(nlp(text), gold)`: a predicted
    entity is correct when its label and tokens are those of a gold one. A label with no
    gold and no predicted entity scores 0.
    """
    from spacy.scorer import Scorer
    from spacy.training import Example

    labels = [lb.name for lb in load_schema().labels_by_class_id(ENTITY_LAYER)]
    examples = [Example(nlp(doc.text), doc) for doc in docs]
    scores = Scorer.score_spans(examples, "ents")
    per_type: dict[str, dict[str, float]] = scores["ents_per_type"] or {}
    gold = Counter(e.label_ for example in examples for e in example.reference.ents)
    predicted = Counter(e.label_ for example in examples for e in example.predicted.ents)
    rows = []
    for label in labels:
        prf = per_type.get(label, {})
        p, r, f = (prf.get(key, 0.0) for key in "prf")
        rows.append(LabelScore(label, p, r, f, gold[label], predicted[label]))
    p, r, f = (scores[f"ents_{key}"] or 0.0 for key in "prf")
    micro = LabelScore("micro", p, r, f, sum(gold.values()), sum(predicted.values()))
    return Evaluation(name, description, len(docs), rows, micro)


def run_baseline(version: str | None = None, *, epochs: int = 30, seed: int = 0) -> BaselineResult:
    """Train and score the baseline (see the module docstring); deterministic for a seed."""
    result = BaselineResult(version=version, epochs=epochs, seed=seed)
    blank_pipeline("en")  # raises E501 early when spaCy is missing
    train_docs = list(iter_spacy_docs(version, "train"))
    held_docs = {split: list(iter_spacy_docs(version, split)) for split in ("validation", "test")}
    if not train_docs:
        result.notes.append("the train split is empty: nothing to train on")
        return result
    empty = [split for split, docs in held_docs.items() if not docs]
    if len(empty) < len(held_docs):
        train_units = [p for doc in train_docs for p in split_paragraphs(doc)]
        nlp, result.losses = train_ner(train_units, epochs=epochs, seed=seed)
        for split, docs in held_docs.items():
            if docs:
                description = f"the {split} split ({len(docs)} document(s))"
                result.evaluations.append(
                    evaluate_ner(nlp, docs, name=split, description=description)
                )
    for split in empty:
        result.notes.append(
            f"the {split} split holds no documents in this release: "
            f"no {split} figures can be computed"
        )
    if empty:
        train_part, held_part = held_out_paragraphs(train_docs)
        nlp, losses = train_ner(train_part, epochs=epochs, seed=seed)
        if not result.losses:
            result.losses = losses
        result.evaluations.append(
            evaluate_ner(nlp, held_part, name="held-out-paragraphs", description=SANITY_LABEL)
        )
        result.notes.append(
            f"sanity model trained on {len(train_part)} paragraph(s), "
            f"scored on {len(held_part)} held-out paragraph(s)"
        )
    return result
