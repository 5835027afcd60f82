"""Files derived from the schema declaration and the releases, and the drift check.

`generated_files()` computes the expected content of every derived file:

- schema/derived/<table>.arrow.txt    Arrow schema of each table
- schema/derived/features.json        Hugging Face features of each table
- schema/derived/<table>.schema.json  JSON Schema of a record of each table
- schema/derived/labeling-config.xml  the Label Studio labeling config
- schema/README.md                    documentation tables of the declaration
- the YAML `configs` front matter of README.md (one config per release)
- the statistics block of DATASHEET.md (between `<!-- stats:begin -->` and `<!-- stats:end -->`)
- CHANGELOG.md, CITATION.cff, croissant.json and the licenses blocks (`publication.py`)

`write_generated` writes what differs (atomically); `stale_files` lists what differs,
which is what the tests check. `write_generated` holds the release lock and first
removes the `.tmp-*` temporaries that killed writers left.

`behind_releases` is the cheap check that `hmeimim release` and `hmeimim validate` run:
the derived files that do not name the latest release (README configs, the DATASHEET
statistics, a CHANGELOG entry per release, CITATION.cff and croissant.json), as a
release whose publishing was cut short (killed, a full disk) leaves them. It reads
only manifests and the derived files, never the data.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from hmeimim.agreement.inputs import agreement_from_records
from hmeimim.errors import CODES, HmeimimError
from hmeimim.labelstudio.mapping import label_config
from hmeimim.paths import corpus_dir, project_root
from hmeimim.publish.croissant import CROISSANT_FILE
from hmeimim.publish.licenses import publication_files
from hmeimim.release.make import release_lock, remove_staging
from hmeimim.schema.declaration import Schema, class_id_changes, load_schema
from hmeimim.schema.jsonschema import record_json_schema
from hmeimim.storage.counts import annotation_counts
from hmeimim.storage.files import write_text_atomic, writing
from hmeimim.storage.parquet import iter_records
from hmeimim.storage.records import read_release_records
from hmeimim.storage.releases import (
    document_files,
    list_releases,
    published_manifest,
    read_manifest,
    release_schema,
    split_files_of,
)

STATS_BEGIN = "<!-- stats:begin -->"
STATS_END = "<!-- stats:end -->"
AGREEMENT_BEGIN = "<!-- agreement:begin -->"
AGREEMENT_END = "<!-- agreement:end -->"
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def _arrow_text(schema: Schema, table: str) -> str:
    arrow = schema.arrow_schema(table)
    text: str = arrow.to_string(show_schema_metadata=False, show_field_metadata=False)
    return text + "\n"


def _features_json(schema: Schema) -> str:
    features = {table: schema.hf_features(table).to_dict() for table in schema.tables}
    return json.dumps(features, indent=2, sort_keys=True) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def schema_docs(schema: Schema) -> str:
    """Markdown tables documenting every layer, label, enum, struct and table."""
    out = [
        "# Schema reference",
        "",
        f"Generated from `schema/hmeimim.yaml` (schema version {schema.version}) by "
        "`hmeimim generate`; do not edit by hand.",
        "",
        "## Layers and labels",
        "",
    ]
    for layer in schema.layers.values():
        out += [
            f"### `{layer.name}`",
            "",
            layer.description,
            "",
            "| label | class id | kind | definition | example |",
        ]
        out.append("|---|---:|---|---|---|")
        out += [
            f"| `{lb.name}` | {lb.class_id} | {lb.kind or ''} | {_cell(lb.definition)} "
            f"| {_cell(lb.example)} |"
            for lb in layer.labels
        ]
        out.append("")
    out += ["## Value sets", ""]
    for name, values in schema.enums.items():
        out += [f"### `{name}`", "", "| value | meaning |", "|---|---|"]
        out += [f"| `{value}` | {_cell(meaning)} |" for value, meaning in values.items()]
        out.append("")
    out += [
        "## Roles of frames and stances",
        "",
        "| frame | role | labels | count |",
        "|---|---|---|---|",
    ]
    for frame, roles in schema.frames.items():
        for role, endpoint in roles.items():
            upper = "n" if endpoint.max is None else str(endpoint.max)
            count = "1" if (endpoint.min, endpoint.max) == (1, 1) else f"{endpoint.min}..{upper}"
            out.append(f"| {frame} | `{role}` | {', '.join(endpoint.labels)} | {count} |")
    out.append("")
    out += [
        "## Finding and error codes",
        "",
        "Messages are filled in from the template; `{field}` stands for a value.",
        "",
        "| code | name | kind | message | what to do |",
        "|---|---|---|---|---|",
    ]
    out += [
        f"| `{c.code}` | {c.name} | {c.kind} | {_cell(c.template)} | {_cell(c.fix)} |"
        for c in CODES.values()
    ]
    out.append("")
    for title, groups in (("Nested records", schema.structs), ("Tables", schema.tables)):
        out += [f"## {title}", ""]
        for name, columns in groups.items():
            out += [f"### `{name}`", ""]
            if name in schema.table_descriptions:
                out += [schema.table_descriptions[name], ""]
            out += ["| column | type | required | description |", "|---|---|---|---|"]
            for c in columns:
                kind = c.type + (f" ({c.enum})" if c.enum else "")
                required = "yes" if c.required else "no"
                out.append(f"| `{c.name}` | {kind} | {required} | {_cell(c.description)} |")
            out.append("")
    return "\n".join(out)


def _data_files(root: Path, by_split: dict[str, list[Path]]) -> list[dict[str, Any]]:
    """A config's `data_files`: each split with its file (a path), or its files in shard
    order (a list of paths) when the release writes it in several."""
    out = []
    for split, paths in by_split.items():
        names = [path.relative_to(root).as_posix() for path in paths]
        out.append({"split": split, "path": names[0] if len(names) == 1 else names})
    return out


def _provenance_configs(root: Path, folder: Path) -> list[dict[str, Any]]:
    """One config per provenance of the latest release (`published`, `constructed`): its
    split files with a row filter, listing only the splits that hold such documents
    (`datasets` refuses a split that a filter leaves empty)."""
    found: dict[str, dict[str, list[Path]]] = {}
    for split, paths in split_files_of(folder).items():
        values = {str(r["provenance"]) for path in paths for r in iter_records(path)}
        for value in sorted(values):
            found.setdefault(value, {})[split] = paths
    return [
        {
            "config_name": value,
            "data_files": _data_files(root, by_split),
            "filters": [["provenance", "==", value]],
        }
        for value, by_split in sorted(found.items())
    ]


def readme_front_matter(root: Path) -> str:
    """Hugging Face dataset card YAML: `default` is the latest release, each release a config."""
    releases = list_releases(root)
    configs = []
    for index, (version, folder) in enumerate(reversed(releases)):
        data_files = _data_files(root, split_files_of(folder))
        if index == 0:
            # Fresh lists, not the version config's: YAML would write shared ones as aliases.
            default = _data_files(root, split_files_of(folder))
            configs.append({"config_name": "default", "data_files": default, "default": True})
            configs += _provenance_configs(root, folder)
        configs.append({"config_name": f"v{version}", "data_files": data_files})
    languages = sorted(
        {str(r["language"]) for p in document_files(releases[-1][1]) for r in iter_records(p)}
        if releases
        else {"en"}
    )
    card = {
        "pretty_name": "Hmeimim Corpus",
        "language": languages,
        # Annotations and text are licensed differently (text: per document, the seed's
        # unknown), so "other", with the name and statement the Hub asks for then.
        "license": "other",
        "license_name": "cc-by-4.0-annotations-text-per-document",
        "license_link": "DATASHEET.md",
        "task_categories": ["token-classification", "text-classification"],
        "tags": ["attribution", "stance", "named-entities", "news", "syria"],
        "configs": configs,
    }
    return "---\n" + yaml.safe_dump(card, sort_keys=False, allow_unicode=True) + "---\n"


def _stats_heading(version: str) -> str:
    return f"Generated from release {version} by `hmeimim generate`; a test fails when it is stale."


def _count_table(title: str, counts: dict[str, int]) -> list[str]:
    rows = [f"| {title} | count |", "|---|---:|"]
    rows += [f"| {key} | {value} |" for key, value in counts.items()]
    return [*rows, ""]


def datasheet_stats(root: Path) -> str:
    """The statistics block of DATASHEET.md, computed from the latest release's Parquet."""
    releases = list_releases(root)
    if not releases:
        return f"{STATS_BEGIN}\nNo release yet.\n{STATS_END}"
    version, folder = releases[-1]
    records = [r for path in document_files(folder) for r in iter_records(path)]
    counts = annotation_counts(records)
    manifest = published_manifest(folder)
    lines = [
        STATS_BEGIN,
        _stats_heading(str(version)),
        "",
        "| measure | value |",
        "|---|---:|",
        f"| documents | {counts['documents']} |",
        f"| characters | {counts['characters']} |",
        f"| spans | {counts['spans_total']} |",
        f"| entity mentions linked to the registry | {counts['entity_links']} |",
        f"| registry entries | {manifest['files']['entities.parquet']['rows']} |",
        f"| attribution frames | {counts['attributions']} |",
        f"| stances | {counts['stances']} |",
        "",
    ]
    lines += _count_table("split", counts["splits"])
    lines += ["| layer | label | spans |", "|---|---|---:|"]
    for layer, labels in counts["spans"].items():
        lines += [f"| {layer} | {label} | {n} |" for label, n in labels.items()]
    lines.append("")
    lines += _count_table("source type", counts["source_types"])
    lines += _count_table("polarity", counts["polarities"])
    lines.append(STATS_END)
    return "\n".join(lines)


def _replace_block(text: str, block: str, begin: str = STATS_BEGIN, end: str = STATS_END) -> str:
    first, last = text.find(begin), text.find(end)
    if first < 0 or last < 0:
        return text.rstrip("\n") + "\n\n" + block + "\n"
    return text[:first] + block + text[last + len(end) :]


def annotation_rounds(root: Path) -> dict[str, list[str]]:
    """The documents of each blind annotation round, from `corpus/annotation/round-*/raw/`."""
    rounds: dict[str, list[str]] = {}
    base = corpus_dir(root) / "annotation"
    for folder in sorted(base.glob("round-*")) if base.is_dir() else []:
        docs = {p.stem for p in folder.glob("raw/*/*.yaml") if not p.stem.endswith(".entities")}
        rounds[folder.name] = sorted(docs)
    return rounds


def _f1(cell: Mapping[str, Any]) -> str:
    return f"{cell['f1']:.3f}" if cell.get("f1") is not None else "n/a"


def datasheet_agreement(root: Path) -> str:
    """The agreement block of DATASHEET.md: per round of blind annotation, the figures
    `hmeimim agreement --release <latest> --doc ...` prints, computed from the release."""
    lines = [AGREEMENT_BEGIN]
    releases = list_releases(root)
    read = read_release_records(releases[-1][1]) if releases else None
    if read is None or not read.records.annotator_layers:
        return "\n".join([*lines, "No release has raw annotator layers yet.", AGREEMENT_END])
    version, folder = releases[-1]
    schema = release_schema(folder, read.manifest)
    released = {str(d["doc_id"]) for d in read.records.documents}
    rounds = {
        name: [d for d in docs if d in released] for name, docs in annotation_rounds(root).items()
    } or {"all documents": sorted(released)}
    reports = {
        name: agreement_from_records(
            documents=read.records.documents,
            layers=read.records.annotator_layers,
            schema=schema,
            doc_ids=docs,
            where=str(folder),
        ).to_dict()
        for name, docs in rounds.items()
        if docs
    }
    names = list(reports)
    lines += [
        f"Computed from the raw layers of release {version} by `hmeimim generate` (the same "
        "figures as `hmeimim agreement --release "
        f"{version} --doc ...`); a test fails when it is stale. Micro-averaged over the "
        "document pairs of each round; exact / overlap span F1.",
        "",
        "| measure | " + " | ".join(f"{n} ({reports[n]['documents']} docs)" for n in names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for layer in schema.layers:
        cells = [reports[n]["spans"].get(layer) for n in names]
        lines.append(
            f"| {layer} spans | "
            + " | ".join(f"{_f1(c['exact'])} / {_f1(c['overlap'])}" if c else "n/a" for c in cells)
            + " |"
        )
        for label in schema.layers[layer].label_names:
            found = [(c or {}).get("labels", {}).get(label) for c in cells]
            if any(f and (f["exact"]["a"] or f["exact"]["b"]) for f in found):
                lines.append(
                    f"| {layer}/{label} | "
                    + " | ".join(
                        f"{_f1(f['exact'])} / {_f1(f['overlap'])} (n={f['exact']['a']}+"
                        f"{f['exact']['b']})"
                        if f and (f["exact"]["a"] or f["exact"]["b"])
                        else "n/a"
                        for f in found
                    )
                    + " |"
                )
    for key, title in (
        ("frames", "frame F1 (cue, sources and contents)"),
        ("frames_cue_source", "frame F1 (cue and sources)"),
        ("stances", "stance F1 (holder, target, polarity)"),
        ("stances_holder_target", "stance F1 (holder, target)"),
    ):
        lines.append(f"| {title} | " + " | ".join(_f1(reports[n][key]) for n in names) + " |")
    for key in ("polarity", "source_type"):
        cells = []
        for n in names:
            alpha = reports[n]["alpha"][key]
            value = "n/a" if alpha["alpha"] is None else f"{alpha['alpha']:.3f}"
            cells.append(f"{value} (n={alpha['units']})")
        lines.append(f"| Krippendorff's alpha, {key} | " + " | ".join(cells) + " |")
    return "\n".join([*lines, AGREEMENT_END])


def check_class_ids(root: Path, schema: Schema) -> None:
    """Raise E316 when the declaration changes or reuses a class id of the latest
    release's schema: a label's id in every ClassLabel never moves."""
    releases = list_releases(root)
    if not releases:
        return
    version, folder = releases[-1]
    previous = release_schema(folder)
    for label, class_id, given in class_id_changes(schema, previous):
        raise HmeimimError(
            "E316",
            str(root / "schema" / "hmeimim.yaml"),
            label=label,
            class_id=class_id,
            version=str(version),
            previous=given,
        )


def generated_files(root: Path | None = None, schema: Schema | None = None) -> dict[Path, str]:
    """The content of every derived file; E316 when a label's class id moved."""
    root = root or project_root()
    schema = schema or load_schema()
    check_class_ids(root, schema)
    derived = root / "schema" / "derived"
    files = {derived / f"{t}.arrow.txt": _arrow_text(schema, t) for t in schema.tables}
    files[derived / "features.json"] = _features_json(schema)
    for table in schema.tables:
        body = json.dumps(record_json_schema(schema, table), indent=2, ensure_ascii=False)
        files[derived / f"{table}.schema.json"] = body + "\n"
    files[derived / "labeling-config.xml"] = label_config(schema)
    files[root / "schema" / "README.md"] = schema_docs(schema)
    readme = root / "README.md"
    current = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    files[readme] = readme_front_matter(root) + _FRONT_MATTER.sub("", current, count=1)
    datasheet = root / "DATASHEET.md"
    current = datasheet.read_text(encoding="utf-8") if datasheet.is_file() else "# Datasheet\n"
    current = _replace_block(current, datasheet_stats(root))
    files[datasheet] = _replace_block(
        current, datasheet_agreement(root), AGREEMENT_BEGIN, AGREEMENT_END
    )
    files.update(publication_files(root, schema, files))
    return files


def stale_files(root: Path | None = None) -> list[Path]:
    """Derived files whose content differs from what the declaration and data give."""
    stale = []
    for path, content in generated_files(root).items():
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            stale.append(path)
    return stale


def write_generated(root: Path | None = None) -> list[Path]:
    """Rewrite every stale derived file; return the paths written.

    Holds the release lock (E605 while another process releases), and first removes
    the temporaries of killed writers. A write the system refuses is E024.
    """
    root = root or project_root()
    written = []
    with release_lock(root) if corpus_dir(root).is_dir() else contextlib.nullcontext():
        if corpus_dir(root).is_dir():
            remove_staging(root)
        for path, content in generated_files(root).items():
            if not path.is_file() or path.read_text(encoding="utf-8") != content:
                with writing(path.parent):
                    path.parent.mkdir(parents=True, exist_ok=True)
                write_text_atomic(path, content)
                written.append(path)
    return written


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def behind_releases(root: Path | None = None) -> tuple[str, list[Path]] | None:
    """The latest version, and the derived files that do not reflect it; None without
    releases. A derived file that is not there (an installed package) is not checked.

    Raises `HmeimimError` when a release's manifest cannot be read.
    """
    root = root or project_root()
    releases = list_releases(root)
    if not releases:
        return None
    version = str(releases[-1][0])
    manifests = {str(v): read_manifest(folder) for v, folder in releases[:-1]}
    latest = manifests[version] = published_manifest(releases[-1][1])

    def readme(text: str) -> bool:
        return text.startswith(readme_front_matter(root))

    def datasheet(text: str) -> bool:
        return _stats_heading(version) in text

    def changelog(text: str) -> bool:
        headings = set(re.findall(r"^## (\S+) \(", text, re.MULTILINE))
        return headings >= set(manifests)

    def citation(text: str) -> bool:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            return False
        return isinstance(data, dict) and (
            str(data.get("version")),
            str(data.get("date-released")),
        ) == (version, str(latest.get("released")))

    def croissant(text: str) -> bool:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return False
        return isinstance(data, dict) and data.get("version") == version

    checks = {
        "README.md": readme,
        "DATASHEET.md": datasheet,
        "CHANGELOG.md": changelog,
        "CITATION.cff": citation,
        CROISSANT_FILE: croissant,
    }
    stale = []
    for name, fresh in checks.items():
        path = root / name
        if not path.exists():
            continue
        text = _read_text(path)
        if text is None or not fresh(text):
            stale.append(path)
    return version, stale


def check_published(root: Path | None = None) -> None:
    """Raise E610 when derived files do not reflect the latest release."""
    root = root or project_root()
    behind = behind_releases(root)
    if behind is not None and behind[1]:
        version, stale = behind
        files = ", ".join(p.relative_to(root).as_posix() for p in stale)
        raise HmeimimError("E610", str(root), files=files, version=version)
