"""Writing an authoring folder (the layout of `corpus/sources/`) from records.

One line per span, frame, stance and registry entry, as in the hand-written files, so
that a written folder reviews well in `git diff`. The folder is filled in a temporary
sibling and renamed into place (`storage.staged_folder`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from hmeimim.authoring import strict_yaml
from hmeimim.model import (
    ANNOTATION_KEYS,
    NESTED_IDS,
    NESTED_STRUCTS,
    STANDOFF_FILE,
    TEXT_COLUMNS,
    TEXT_FILE,
    CorpusRecords,
)
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

try:

    class _CDumper(yaml.CSafeDumper):
        """libyaml's emitter with the same representers: about 3.5x faster."""

    _CDumper.add_representer(str, _represent_str)  # type: ignore[arg-type]
    _FAST: type[yaml.SafeDumper] = _CDumper  # type: ignore[assignment]
except AttributeError:  # PyYAML built without libyaml
    _FAST = _Dumper


def _has_astral(data: Any) -> bool:
    """Whether a string in `data` has a character beyond the BMP (an emoji, say)."""
    if isinstance(data, str):
        return any(ord(char) > 0xFFFF for char in data)
    if isinstance(data, Mapping):
        return any(_has_astral(v) for v in data.values())
    if isinstance(data, list | tuple):
        return any(_has_astral(v) for v in data)
    return False


def dump_yaml(data: Any, *, flow: bool = False) -> str:
    """YAML that reads back to `data` exactly: UTF-8 text, key order kept, no wrapping.

    libyaml writes it, except where a string holds a character beyond the BMP: its
    emitter escapes those (\\U0001F680), which reads back right but no longer shows the
    emoji to a reviewer; Python's emitter writes them as they are. Both give the same
    bytes for everything else.
    """
    text: str = yaml.dump(
        data,
        Dumper=_Dumper if _has_astral(data) else _FAST,
        default_flow_style=flow,
        sort_keys=False,
        allow_unicode=True,
        width=1 << 20,
    )
    return text


def _ordered(record: Mapping[str, Any], columns: Iterable[str]) -> dict[str, Any]:
    return {name: record.get(name) for name in columns}


# Scalars that the YAML resolver reads as something other than a string although they
# start with a letter: such a string must be quoted.
_RESOLVED_WORDS = frozenset(
    word
    for base in ("yes", "no", "true", "false", "on", "off", "null")
    for word in (base, base.capitalize(), base.upper())
)
# What may follow the first letter of a plain scalar in a flow collection: printable
# BMP characters less the flow and comment indicators (`,?[]{}:#&*!|>%@` and the
# backquote), DEL, the YAML line breaks (U+0085, U+2028, U+2029) and the byte order mark.
_PLAIN_REST = re.compile(
    "[ \"$'()+\\-./0-9;<=A-Z\\\\^_a-z~\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*"
)


def _plain_flow(value: str) -> bool:
    """Whether the emitter writes `value` as it is (a plain scalar) inside a flow mapping.

    Deliberately narrow: a letter first, then printable BMP characters other than the
    flow and comment indicators, no space at the end, and no word the resolver reads
    as a boolean or null. Everything else is left to the emitter (`_emitted_scalar`).
    """
    return (
        value[:1].isalpha()
        and value[-1] != " "
        and _PLAIN_REST.fullmatch(value) is not None
        and value not in _RESOLVED_WORDS
    )


@functools.lru_cache(maxsize=1 << 14)
def _emitted_string(value: str) -> str:
    return _emitted_scalar(value)


def _emitted_scalar(value: Any) -> str:
    """`value` as the emitter writes it in a flow collection: the style it chooses for a
    scalar there is the same in a sequence as in a mapping's value."""
    return dump_yaml([value], flow=True).strip()[1:-1]


def _flow_scalar(value: Any) -> str:
    """`value` as the emitter writes it inside a flow mapping; written directly where
    that is certain without running the emitter."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return str(value)
    if type(value) is str:
        return value if _plain_flow(value) else _emitted_string(value)
    return _emitted_scalar(value)


def _yaml_flow(item: Mapping[str, Any]) -> str:
    """One record as a YAML flow mapping on one line, byte for byte what `dump_yaml`
    writes: ids, offsets, labels, nulls and most span texts are written directly, and
    any other scalar by the emitter on its own (the emitter's per-call cost dominated
    writing a large folder); an item with a key that is no plain string or a value that
    is a list or mapping goes through the emitter whole."""
    parts = []
    for key, value in item.items():
        if type(key) is not str or not _plain_flow(key) or isinstance(value, list | dict):
            return dump_yaml(dict(item), flow=True).strip()
        parts.append(f"{key}: {_flow_scalar(value)}")
    return "{" + ", ".join(parts) + "}"


def _meta_yaml(meta: Mapping[str, Any], origin: str) -> str:
    return _comment(f"Written by {origin}.") + "\n" + dump_yaml(dict(meta))


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


_SECTION = re.compile(r"^([a-z_]+):[ \t]*(\[\])?[ \t]*(#.*)?$")
_ITEM = re.compile(r"^([ \t]*)- (\{.*\})[ \t]*$")
_QUIET = re.compile(r"^[ \t]*(#.*)?$")

Sections = Mapping[str | None, tuple[str, Sequence[Mapping[str, Any]]]]


def _parsed_item(text: str) -> dict[str, Any] | None:
    try:
        value = strict_yaml.load(text)
    except strict_yaml.Refusal:
        return None
    return value if isinstance(value, dict) else None


def same_content(loaded: Any, want: Any) -> bool:
    """Whether `loaded` (read from a file) says `want`, where a key that `want` holds as
    null may be absent from `loaded`: an authoring file need not spell out a null, and a
    file written before a nullable field was declared does not."""
    if isinstance(loaded, dict) and isinstance(want, dict):
        if not set(loaded) <= set(want):
            return False
        return all(
            same_content(loaded[key], value) if key in loaded else value is None
            for key, value in want.items()
        )
    if isinstance(loaded, list) and isinstance(want, list):
        return len(loaded) == len(want) and all(map(same_content, loaded, want))
    return bool(loaded == want)


def _without_new_nulls(item: Mapping[str, Any], keys: set[str] | None) -> dict[str, Any]:
    """`item` less its null values under keys outside `keys` (None: keep every key)."""
    if keys is None:
        return dict(item)
    return {k: v for k, v in item.items() if v is not None or k in keys}


def merge_item_lines(base: str, sections: Sections) -> str | None:
    """`base`, a one-item-per-line authoring file, edited to hold `sections`' items.

    `sections` maps each top-level key (None for a file that is one list) to the id
    field of its items and the items, each in column order. Comments, blank lines and
    the line of every unchanged item stay byte for byte, so a reviewer's diff shows only
    the real edits; a changed item gets a new line in its place, a removed one loses its
    line, and new items follow the last line of their section. Returns None when `base`
    is not in that layout (an unknown key, an item over several lines), and the caller
    then writes the file afresh.

    An item that the file holds without some null field (`same_content`) is unchanged.
    A changed item's new line leaves out the null fields its old line did not spell
    out, and a new item the null fields that no item line of its section spells out, so
    that a field declared after the file was written does not turn up on edited lines
    only.
    """
    trailing = base.endswith("\n")
    lines = base.split("\n")[:-1] if trailing else base.split("\n")
    wanted = {
        name: {str(item[id_field]): dict(item) for item in items}
        for name, (id_field, items) in sections.items()
    }
    current: str | None = None
    found: set[str | None] = {None} if None in sections else set()
    out: list[tuple[str | None, str]] = []
    ends: dict[str | None, int] = {}  # where each section's new items go
    present: set[tuple[str | None, str]] = set()
    spelled: dict[str | None, set[str]] = {}  # the keys each section's item lines spell out
    for line in lines:
        header, item_line = _SECTION.match(line), _ITEM.match(line)
        if header is not None:
            current = header.group(1)
            if current not in sections:
                return None
            found.add(current)
            out.append((current, f"{current}:"))
            ends[current] = len(out)
        elif item_line is not None and current in sections:
            item = _parsed_item(item_line.group(2))
            id_field = sections[current][0]
            if item is None or id_field not in item:
                return None
            key = str(item[id_field])
            present.add((current, key))
            spelled.setdefault(current, set()).update(item)
            new = wanted[current].get(key)
            if new is None:
                continue
            if same_content(item, new):
                kept = line
            else:
                kept = f"{item_line.group(1)}- {_yaml_flow(_without_new_nulls(new, set(item)))}"
            out.append((current, kept))
            ends[current] = len(out)
        elif _QUIET.match(line):
            out.append((current, line))
        else:
            return None
    if found != set(sections):
        return None
    indent = {name: "" if name is None else "  " for name in sections}
    for name in sorted(sections, key=lambda n: ends.get(n, len(out)), reverse=True):
        added = [
            (name, f"{indent[name]}- {_yaml_flow(_without_new_nulls(item, spelled.get(name)))}")
            for key, item in wanted[name].items()
            if (name, key) not in present
        ]
        at = ends.get(name, len(out))
        out[at:at] = added
    text = [
        f"{line[:-1]}: []"
        if line.endswith(":") and line[:-1] in sections and not wanted[line[:-1]]
        else line
        for _, line in out
    ]
    if None in sections and not wanted[None] and not any(_ITEM.match(t) for t in text):
        text.append("[]")
    return "\n".join(text) + ("\n" if trailing else "")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def _kept_or_fresh(
    base: Path | None, want: Any, sections: Sections | None, fresh: Callable[[], str]
) -> str:
    """The text to write for one file: the base file itself when it already says `want`,
    the base edited line by line when `sections` allows it, else `fresh()`.

    `fresh` is called only when neither will do: emitting YAML costs far more than
    reading it, and most files of an import or a release are unchanged.
    """
    if base is None or not base.is_file():
        return fresh()
    try:
        text = base.read_bytes().decode("utf-8")
        if same_content(strict_yaml.load(text), want):
            return text
    except (OSError, UnicodeDecodeError, strict_yaml.Refusal):
        return fresh()
    merged = merge_item_lines(text, sections) if sections is not None else None
    try:
        if merged is not None and same_content(strict_yaml.load(merged), want):
            return merged
    except strict_yaml.Refusal:
        pass
    return fresh()


def _in_base_order(
    rows: Sequence[Mapping[str, Any]], key: str, base: Path | None
) -> list[Mapping[str, Any]]:
    """Registry rows in the order of the base file (a registry's order means nothing, and
    a release holds it sorted by id), entries the base lacks after the others."""
    try:
        loaded = strict_yaml.load(base.read_bytes().decode("utf-8")) if base else None
    except (OSError, UnicodeDecodeError, strict_yaml.Refusal):
        loaded = None
    if not isinstance(loaded, list):
        return list(rows)
    place = {str(e.get(key)): n for n, e in enumerate(loaded) if isinstance(e, dict)}
    return sorted(rows, key=lambda row: place.get(str(row.get(key)), len(place)))


def _annotation_sections(
    record: Mapping[str, Any], schema: Schema
) -> tuple[dict[str, list[dict[str, Any]]], dict[str | None, tuple[str, list[dict[str, Any]]]]]:
    want: dict[str, list[dict[str, Any]]] = {}
    for key in ANNOTATION_KEYS:
        columns = [c.name for c in schema.structs[NESTED_STRUCTS[key]]]
        want[key] = [_ordered(item, columns) for item in record.get(key) or []]
    return want, {key: (NESTED_IDS[key], items) for key, items in want.items()}


def write_sources_folder(
    out_dir: Path,
    *,
    records: CorpusRecords,
    origin: str,
    schema: Schema,
    base: Path | None = None,
) -> Path:
    """Write documents, raw annotator layers and the registries as an authoring folder
    (the claim registry where the schema declares one).

    With `base` (the authoring folder the records came from), every file whose content
    is unchanged is copied byte for byte, comments and all, and a changed gold, layer
    or registry file is edited line by line (`merge_item_lines`), so that a reviewer's
    diff shows only the real edits.
    """
    meta_columns = [
        c.name
        for c in schema.tables["documents"]
        if c.name not in (*TEXT_COLUMNS, *ANNOTATION_KEYS)
    ]

    def from_base(*parts: str) -> Path | None:
        return base.joinpath(*parts) if base is not None else None

    with staged_folder(out_dir) as staging:
        for doc in records.documents:
            doc_id = doc["doc_id"]
            folder = staging / "documents" / doc_id
            if doc.get("text") is None:
                # A stand-off document: its fingerprint stands in for the withheld text.
                standoff = {"sha256": doc["text_sha256"], "length": doc["text_length"]}
                _write(folder / STANDOFF_FILE, dump_yaml(standoff))
            else:
                _write(folder / TEXT_FILE, doc["text"])
            meta = _ordered(doc, meta_columns)
            meta_base = from_base("documents", doc_id, "meta.yaml")
            _write(
                folder / "meta.yaml",
                _kept_or_fresh(
                    meta_base,
                    meta,
                    None,
                    functools.partial(_meta_yaml, meta, origin),
                ),
            )
            want, sections = _annotation_sections(doc, schema)
            gold_header = f"Gold of {doc_id}, written by {origin}."
            gold_base = from_base("documents", doc_id, "gold.yaml")
            _write(
                folder / "gold.yaml",
                _kept_or_fresh(
                    gold_base,
                    want,
                    sections,
                    functools.partial(annotations_yaml, doc, schema, gold_header),
                ),
            )
        for layer in records.annotator_layers:
            parts = ("annotators", layer["doc_id"], f"{layer['annotator']}.yaml")
            header = f"Raw layer of {layer['annotator']} on {layer['doc_id']}, written by {origin}."
            want, sections = _annotation_sections(layer, schema)
            _write(
                staging.joinpath(*parts),
                _kept_or_fresh(
                    from_base(*parts),
                    want,
                    sections,
                    functools.partial(annotations_yaml, layer, schema, header),
                ),
            )
        registries = [("entities", "entity_id", "entity registry", records.entities)]
        claims_base = from_base("claims.yaml")
        if "claims" in schema.tables and (
            records.claims or (claims_base is not None and claims_base.is_file())
        ):
            # An absent claims.yaml is an empty registry: a folder without one stays so.
            registries.append(("claims", "claim_id", "claim registry", records.claims))
        for table, key, title, rows in registries:
            columns = [c.name for c in schema.tables[table]]
            name = f"{table}.yaml"
            entries = [_ordered(e, columns) for e in _in_base_order(rows, key, from_base(name))]
            registry = [_comment(f"The {title}, written by {origin}.")]
            registry += [f"- {_yaml_flow(e)}" for e in entries]
            if not entries:
                registry.append("[]")  # an empty file would read as no registry at all
            fresh = "\n".join(registry) + "\n"
            kept = _kept_or_fresh(
                from_base(name), entries, {None: (key, entries)}, functools.partial(str, fresh)
            )
            _write(staging / name, kept)
    return out_dir
