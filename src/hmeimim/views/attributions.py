"""The attribution views: one example per frame, and cue-argument pairs with negatives.

`attribution_examples()` gives one example per frame: the document text, the cue, the
source and content spans (offsets into the text), source_kind, source_type and parent.
`attribution_pairs()` gives (cue, candidate span) pairs for pair classification: every
true cue-source and cue-content link, plus `negatives` sampled non-links per true link
(docs/views.md says how they are drawn). No tokenizer is needed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from typing import Any

from hmeimim.errors import HmeimimError
from hmeimim.model import SPLITS
from hmeimim.schema.declaration import load_schema
from hmeimim.storage.records import iter_documents
from hmeimim.views.base import dataset_dict, span_ref, span_ref_feature

PAIR_LABELS = ("unlinked", "linked")
ROLES = ("sources", "contents")


def attribution_examples_of(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One example per attribution frame of a document, in the document's frame order."""
    by_id = {span["span_id"]: span for span in document["spans"]}
    return [
        {
            "id": frame["frame_id"],
            "doc_id": document["doc_id"],
            "text": document["text"],
            "cue": span_ref(by_id[frame["cue"]]),
            "sources": [span_ref(by_id[s]) for s in frame["sources"]],
            "contents": [span_ref(by_id[c]) for c in frame["contents"]],
            "source_kind": frame["source_kind"],
            "source_type": frame.get("source_type"),
            "parent": frame.get("parent"),
        }
        for frame in document["attributions"]
    ]


def iter_attribution_examples(
    version: str | None = None, split: str | None = None
) -> Iterator[dict[str, Any]]:
    """Streaming twin of `attribution_examples`, with a `split` key."""
    for document in iter_documents(version, split):
        for example in attribution_examples_of(document):
            yield {**example, "split": document["split"]}


def attribution_features() -> Any:
    import datasets

    ref = span_ref_feature()
    return datasets.Features(
        {
            "id": datasets.Value("string"),
            "doc_id": datasets.Value("string"),
            "text": datasets.Value("string"),
            "cue": ref,
            "sources": datasets.List(ref),
            "contents": datasets.List(ref),
            "source_kind": datasets.Value("string"),
            "source_type": datasets.Value("string"),
            "parent": datasets.Value("string"),
        }
    )


def attribution_examples(version: str | None = None) -> Any:
    """The attribution view as a `DatasetDict`: one example per frame."""
    rows: dict[str, list[dict[str, Any]]] = {split: [] for split in SPLITS}
    for example in iter_attribution_examples(version):
        rows[example.pop("split")].append(example)
    return dataset_dict(rows, attribution_features())


def _check_negatives(negatives: int) -> None:
    if isinstance(negatives, bool) or not isinstance(negatives, int) or negatives < 0:
        raise HmeimimError("E503", "option negatives", value=negatives, allowed="0, 1, 2, ...")


def attribution_pairs_of(
    document: Mapping[str, Any], *, negatives: int = 1, seed: int = 0
) -> list[dict[str, Any]]:
    """Cue-argument pairs of one document: true links and sampled non-links.

    For each frame and role (sources, contents) the candidates are the document's spans
    whose label the schema allows in that role and that the frame does not link in that
    role. `negatives` times the number of true links are drawn without replacement
    (all of them when fewer), with a generator seeded by (seed, frame_id, role).
    """
    _check_negatives(negatives)
    schema = load_schema()
    by_id = {span["span_id"]: span for span in document["spans"]}
    ordered = sorted(document["spans"], key=lambda s: (s["start"], s["end"], s["span_id"]))
    pairs = []
    for frame in document["attributions"]:
        cue = span_ref(by_id[frame["cue"]])
        for role in ROLES:
            endpoint = schema.frames["attribution"][role]
            linked = list(frame[role])
            candidates = [
                s["span_id"]
                for s in ordered
                if s["layer"] in endpoint.layers
                and s["label"] in endpoint.labels
                and s["span_id"] not in linked
            ]
            # Sampling for reproducible negatives, not for security.
            rng = random.Random(f"{seed}/{frame['frame_id']}/{role}")  # noqa: S311
            drawn = rng.sample(candidates, min(len(candidates), negatives * len(linked)))
            chosen = [(span_id, 1) for span_id in linked] + [
                (span_id, 0) for span_id in sorted(drawn, key=candidates.index)
            ]
            for span_id, label in chosen:
                pairs.append(
                    {
                        "id": f"{frame['frame_id']}/{role}/{span_id}",
                        "doc_id": document["doc_id"],
                        "frame_id": frame["frame_id"],
                        "role": role[:-1],
                        "text": document["text"],
                        "cue": cue,
                        "candidate": span_ref(by_id[span_id]),
                        "label": PAIR_LABELS[label],
                    }
                )
    return pairs


def iter_attribution_pairs(
    version: str | None = None,
    split: str | None = None,
    *,
    negatives: int = 1,
    seed: int = 0,
) -> Iterator[dict[str, Any]]:
    """Streaming twin of `attribution_pairs`, with a `split` key."""
    for document in iter_documents(version, split):
        for pair in attribution_pairs_of(document, negatives=negatives, seed=seed):
            yield {**pair, "split": document["split"]}


def attribution_pair_features() -> Any:
    import datasets

    ref = span_ref_feature()
    return datasets.Features(
        {
            "id": datasets.Value("string"),
            "doc_id": datasets.Value("string"),
            "frame_id": datasets.Value("string"),
            "role": datasets.Value("string"),
            "text": datasets.Value("string"),
            "cue": ref,
            "candidate": ref,
            "label": datasets.ClassLabel(names=list(PAIR_LABELS)),
        }
    )


def attribution_pairs(version: str | None = None, *, negatives: int = 1, seed: int = 0) -> Any:
    """Cue-source and cue-content pairs as a `DatasetDict`; `label` is unlinked/linked.

    `negatives=0` gives the true links only.
    """
    _check_negatives(negatives)
    rows: dict[str, list[dict[str, Any]]] = {split: [] for split in SPLITS}
    for pair in iter_attribution_pairs(version, negatives=negatives, seed=seed):
        rows[pair.pop("split")].append(pair)
    return dataset_dict(rows, attribution_pair_features())
