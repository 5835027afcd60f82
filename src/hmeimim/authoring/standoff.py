"""Turning documents of an authoring folder stand-off: the text goes, its fingerprint stays.

`withhold_texts` works on a copy that is about to be released (the kept inputs under
`corpus/inputs/`), never on the lead's own `corpus/sources`: text.txt is replaced by
text.standoff.yaml (the text's sha256 and length), and the `text` of every span in the
gold and in each raw layer becomes null, so that no file of the release or of its kept
inputs quotes the text. Offsets stay; `hmeimim rehydrate` puts the texts back.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hmeimim.authoring import strict_yaml
from hmeimim.authoring.write import annotations_yaml, dump_yaml
from hmeimim.errors import HmeimimError
from hmeimim.model import ANNOTATION_KEYS, STANDOFF_FILE, TEXT_FILE, text_fingerprint
from hmeimim.schema.declaration import Schema
from hmeimim.storage.files import read_bytes, write_text_atomic

_HEADER = (
    "{what} of {doc_id}, stand-off: the text may not be redistributed, so spans keep "
    "their offsets and no text. `hmeimim rehydrate` fills it in from your own copy."
)


def withhold_texts(root: Path, doc_ids: Iterable[str], schema: Schema) -> None:
    """Make the documents `doc_ids` of the authoring folder `root` stand-off, in place."""
    for doc_id in doc_ids:
        folder = root / "documents" / doc_id
        text_file = folder / TEXT_FILE
        text = read_bytes(text_file).decode("utf-8")
        digest, length = text_fingerprint(text)
        write_text_atomic(folder / STANDOFF_FILE, dump_yaml({"sha256": digest, "length": length}))
        _strip(folder / "gold.yaml", schema, _HEADER.format(what="Gold", doc_id=doc_id))
        layers = root / "annotators" / doc_id
        for layer in sorted(layers.glob("*.yaml")) if layers.is_dir() else []:
            what = f"Raw layer {layer.stem}"
            _strip(layer, schema, _HEADER.format(what=what, doc_id=doc_id))
        text_file.unlink()


def _strip(path: Path, schema: Schema, header: str) -> None:
    """Rewrite an annotation file with every span's text null."""
    body: Any = strict_yaml.load(read_bytes(path).decode("utf-8"))
    if not isinstance(body, dict):
        # The folder was validated before; a file that changed since is not ours to guess.
        raise HmeimimError("E107", str(path), field="<top>", reason="not a mapping")
    record = {key: body.get(key) or [] for key in ANNOTATION_KEYS}
    record["spans"] = [{**span, "text": None} for span in record["spans"]]
    write_text_atomic(path, annotations_yaml(record, schema, header))
