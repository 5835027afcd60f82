"""Writing an authoring folder (the layout of `corpus/sources/`) from records.

One line per span, frame, stance and registry entry, as in the hand-written files, so
that a written folder reviews well in `git diff`. The folder is filled in a temporary
sibling and renamed into place (`storage.staged_folder`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from hmeimim.model import ANNOTATION_KEYS, NESTED_STRUCTS, CorpusRecords
from hmeimim.schema.declaration import Schema
from hmeimim.storage.files import staged_folder

# Characters a YAML reader folds into a line break or a space when they stand raw in a
# plain or single-quoted scalar; only double quotes can escape them (\N, \L, \P).
_LINE_BREAKS = frozenset("\x85\u2028\u2029")


class _Dumper(yaml.SafeDumper):
    """The safe dumper, with strings that hold a YAML line break double-quoted."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if _LINE_BREAKS.intersection(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: Any, *, flow: bool = False) -> str:
    """YAML that reads back to `data` exactly: UTF-8 text, key order kept, no wrapping."""
    text: str = yaml.dump(
        data,
        Dumper=_Dumper,
        default_flow_style=flow,
        sort_keys=False,
        allow_unicode=True,
        width=1 << 20,
    )
    return text


def _ordered(record: Mapping[str, Any], columns: Iterable[str]) -> dict[str, Any]:
    return {name: record.get(name) for name in columns}


def _yaml_flow(item: Mapping[str, Any]) -> str:
    return dump_yaml(dict(item), flow=True).strip()


def _comment(text: str) -> str:
    """One comment line: whatever breaks a line in `text` becomes a space."""
    return "# " + " ".join(text.splitlines())


def annotations_yaml(record: Mapping[str, Any], schema: Schema, header: str) -> str:
    """spans/attributions/stances as YAML, one record per line (like the authoring files)."""
    lines = [_comment(header)]
    for key in ANNOTATION_KEYS:
        columns = [c.name for c in schema.structs[NESTED_STRUCTS[key]]]
        items = record.get(key) or []
        if not items:
            lines.append(f"{key}: []")
            continue
        lines.append(f"{key}:")
        lines += [f"  - {_yaml_flow(_ordered(item, columns))}" for item in items]
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def write_sources_folder(
    out_dir: Path,
    *,
    records: CorpusRecords,
    origin: str,
    schema: Schema,
) -> Path:
    """Write documents, raw annotator layers and the registry as an authoring folder."""
    meta_columns = [
        c.name for c in schema.tables["documents"] if c.name not in ("text", *ANNOTATION_KEYS)
    ]
    with staged_folder(out_dir) as staging:
        for doc in records.documents:
            folder = staging / "documents" / doc["doc_id"]
            _write(folder / "text.txt", doc["text"])
            meta = dump_yaml(_ordered(doc, meta_columns))
            _write(folder / "meta.yaml", _comment(f"Written by {origin}.") + "\n" + meta)
            header = f"Gold of {doc['doc_id']}, written by {origin}."
            _write(folder / "gold.yaml", annotations_yaml(doc, schema, header))
        for layer in records.annotator_layers:
            path = staging / "annotators" / layer["doc_id"] / f"{layer['annotator']}.yaml"
            header = f"Raw layer of {layer['annotator']} on {layer['doc_id']}, written by {origin}."
            _write(path, annotations_yaml(layer, schema, header))
        entity_columns = [c.name for c in schema.tables["entities"]]
        registry = [_comment(f"The entity registry, written by {origin}.")]
        registry += [f"- {_yaml_flow(_ordered(e, entity_columns))}" for e in records.entities]
        _write(staging / "entities.yaml", "\n".join(registry) + "\n")
    return out_dir
