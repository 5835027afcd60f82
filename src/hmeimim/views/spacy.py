"""The spaCy export: one DocBin file per split, and reading it back.

Each document becomes a `Doc` from the blank pipeline of its language:

- `doc.ents`: the entity-layer mentions the token view keeps (aligned, overlap rule of
  `views_base`); every other token is outside ("O").
- `doc.spans[layer]`: every aligned span of every layer, overlaps kept; `Span.id_` is
  the span_id and `Span.kb_id_` the entity_id.
- custom attributes: `Doc._.doc_id`, `Doc._.split`, `Doc._.attributions` and
  `Doc._.stances` (plain dicts of span ids, as in the release) and `Doc._.skipped`
  (spans that do not align with tokens or lose the overlap rule, with the reason).

Files are written through a temporary sibling and a rename.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hmeimim.errors import HmeimimError
from hmeimim.model import ENTITY_LAYER, SPLITS
from hmeimim.schema.declaration import load_schema
from hmeimim.storage.records import iter_documents
from hmeimim.views.base import (
    MISALIGNED,
    align_layer,
    blank_pipeline,
    require_spacy,
    skipped_record,
    tokenize,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc

EXTENSIONS = ("doc_id", "split", "attributions", "stances", "skipped")


def register_extensions() -> None:
    """Register the `Doc._` attributes of the export (safe to call more than once)."""
    require_spacy()
    from spacy.tokens import Doc

    for name in EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


def _plain(value: Any) -> Any:
    """Lists and dicts again after msgpack turned lists into tuples."""
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def to_spacy_doc(document: Mapping[str, Any]) -> Doc:
    """The spaCy `Doc` of one document (see the module docstring for what it holds)."""
    from spacy.tokens import Span

    register_extensions()
    doc = tokenize(document)
    kept, skipped = align_layer(doc, document["spans"], ENTITY_LAYER)
    doc.set_ents(
        [
            Span(
                doc,
                k.token_start,
                k.token_end,
                label=k.span["label"],
                kb_id=k.span.get("entity_id") or "",
                span_id=k.span["span_id"],
            )
            for k in kept
        ],
        default="outside",
    )
    for layer in load_schema().layers:
        group = []
        for span in sorted(
            (s for s in document["spans"] if s["layer"] == layer),
            key=lambda s: (s["start"], s["end"], s["span_id"]),
        ):
            found = doc.char_span(span["start"], span["end"], alignment_mode="strict")
            if found is None:
                if layer != ENTITY_LAYER:
                    skipped.append(skipped_record(span, MISALIGNED))
                continue
            group.append(
                Span(
                    doc,
                    found.start,
                    found.end,
                    label=span["label"],
                    kb_id=span.get("entity_id") or "",
                    span_id=span["span_id"],
                )
            )
        doc.spans[layer] = group
    doc._.doc_id = document["doc_id"]
    doc._.split = document["split"]
    doc._.attributions = [dict(frame) for frame in document["attributions"]]
    doc._.stances = [dict(stance) for stance in document["stances"]]
    doc._.skipped = sorted(skipped, key=lambda s: (s["start"], s["end"], s["span_id"]))
    return doc


def iter_spacy_docs(version: str | None = None, split: str | None = None) -> Iterator[Doc]:
    """Stream the documents of a release as spaCy `Doc`s, in release order."""
    for document in iter_documents(version, split):
        yield to_spacy_doc(document)


def _write_docbin(docs: Iterator[Doc], path: Path) -> int:
    from spacy.tokens import DocBin

    docbin = DocBin(store_user_data=True)
    for doc in docs:
        docbin.add(doc)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(docbin.to_bytes())
        Path(tmp).chmod(0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(docbin)


def export_spacy(out_dir: Path, *, version: str | None = None) -> dict[str, Path]:
    """Write `<split>.spacy` (a DocBin) for train, validation and test into `out_dir`.

    Every split gets a file, empty splits an empty DocBin. Returns split -> path.
    """
    require_spacy()
    if out_dir.exists() and not out_dir.is_dir():
        raise HmeimimError("E504", str(out_dir))
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for split in SPLITS:
        path = out_dir / f"{split}.spacy"
        _write_docbin(iter_spacy_docs(version, split), path)
        written[split] = path
    return written


def read_spacy(path: Path, *, language: str = "en") -> list[Doc]:
    """The `Doc`s of an exported DocBin file, with the `Doc._` attributes restored.

    `language` picks the blank pipeline whose vocabulary the documents get.
    """
    from spacy.tokens import DocBin

    vocab = blank_pipeline(language).vocab
    register_extensions()
    try:
        docbin = DocBin(store_user_data=True).from_disk(path)
    except (OSError, ValueError) as error:
        raise HmeimimError("E001", str(path), format="a spaCy DocBin", reason=str(error)) from None
    docs = list(docbin.get_docs(vocab))
    for doc in docs:
        for name in EXTENSIONS:
            setattr(doc._, name, _plain(getattr(doc._, name)))
    return docs
