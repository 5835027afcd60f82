"""croissant.json: Croissant 1.1 metadata of the latest release, with the RAI fields.

The file lists every file of the latest release with its sha256 and size, and one
record set per split file (documents with nested `spans`, `attributions` and
`stances`, each an array of records) plus the entity registry. Fields and types come
from the schema declaration; licenses, description and the Responsible-AI fields from
`corpus/release.yaml`. `contentUrl`s are relative to the repository root, where the
file lives, so `mlcroissant` reads the local Parquet.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hmeimim.errors import HmeimimError
from hmeimim.model import ENTITIES_FILE
from hmeimim.publish.metadata import ReleaseInfo, license_statement, read_release_info, spdx_url
from hmeimim.schema.declaration import Column, Schema, load_schema
from hmeimim.storage.releases import list_releases, read_manifest

CROISSANT_FILE = "croissant.json"
CONFORMS_TO = ["http://mlcommons.org/croissant/1.1", "http://mlcommons.org/croissant/RAI/1.0"]
_CR = "http://mlcommons.org/croissant/"
_CONTEXT_TERMS = (
    "arrayShape column containedIn data dataType equivalentProperty examples excludes "
    "extract field fileObject fileProperty fileSet format includes isArray isLiveDataset "
    "jsonPath key md5 parentField path recordSet references regex repeated replace "
    "samplingRate separator source subField transform citeAs"
)
_TYPES = {"string": "sc:Text", "int32": "sc:Integer", "date": "sc:Date"}


def _context() -> dict[str, Any]:
    context: dict[str, Any] = {"@language": "en", "@vocab": "https://schema.org/"}
    for term in _CONTEXT_TERMS.split():
        context[term] = f"cr:{term}"
    context.update(
        {
            "cr": _CR,
            "rai": "http://mlcommons.org/croissant/RAI/",
            "dct": "http://purl.org/dc/terms/",
            "sc": "https://schema.org/",
            "conformsTo": "dct:conformsTo",
            "data": {"@id": "cr:data", "@type": "@json"},
            "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
            "examples": {"@id": "cr:examples", "@type": "@json"},
        }
    )
    return context


def _leaf(
    record_set: str, column: Column, file_id: str, parent: str | None = None
) -> dict[str, Any]:
    """A field read from `column` of the file (or from a key of each item of `parent`)."""
    element = column.type.removeprefix("list<").removesuffix(">")
    field_id = f"{record_set}/{parent + '/' if parent else ''}{column.name}"
    source: dict[str, Any] = {
        "fileObject": {"@id": file_id},
        "extract": {"column": parent or column.name},
    }
    if parent:
        source["transform"] = {"jsonPath": column.name}
    out: dict[str, Any] = {
        "@type": "cr:Field",
        "@id": field_id,
        "name": column.name,
        "description": column.description,
        "dataType": _TYPES[element],
        "source": source,
    }
    if column.type.startswith("list<"):
        out.update({"isArray": True, "arrayShape": "-1"})
    return out


def _fields(schema: Schema, table: str, record_set: str, file_id: str) -> list[dict[str, Any]]:
    fields = []
    for column in schema.tables[table]:
        inner = column.type.removeprefix("list<").removesuffix(">")
        if column.type.startswith("list<") and inner in schema.structs:
            fields.append(
                {
                    "@type": "cr:Field",
                    "@id": f"{record_set}/{column.name}",
                    "name": column.name,
                    "description": column.description,
                    "isArray": True,
                    "arrayShape": "-1",
                    "subField": [
                        _leaf(record_set, sub, file_id, parent=column.name)
                        for sub in schema.structs[inner]
                    ],
                }
            )
        else:
            fields.append(_leaf(record_set, column, file_id))
    return fields


def cite_as(info: ReleaseInfo, version: str, released: str) -> str:
    key = "hmeimim_corpus_" + version.replace(".", "_")
    authors = " and ".join("{" + a + "}" for a in info.authors)
    return (
        f"@misc{{{key}, title = {{{info.title}}}, author = {{{authors}}}, "
        f"year = {{{released[:4]}}}, version = {{{version}}}, note = {{Dataset, released "
        f"{released}}}}}"
    )


def croissant(root: Path, schema: Schema | None = None) -> dict[str, Any]:
    """The Croissant JSON-LD document of the latest release under `root`."""
    schema = schema or load_schema()
    releases = list_releases(root)
    if not releases:
        raise HmeimimError("E012", str(root / "corpus"), "holds no release", "release one")
    version, folder = releases[-1]
    manifest = read_manifest(folder)
    info = read_release_info(root)
    distribution = []
    record_sets = []
    for name, entry in sorted(manifest["files"].items()):
        distribution.append(
            {
                "@type": "cr:FileObject",
                "@id": name,
                "name": name,
                "description": f"Table `{entry['table']}` of release {version}.",
                "contentUrl": (folder / name).relative_to(root).as_posix(),
                "encodingFormat": "application/x-parquet",
                "contentSize": f"{entry['bytes']} B",
                "sha256": entry["sha256"],
            }
        )
        if entry["table"] == "documents":
            split = str(entry["split"])
            record_sets.append(
                {
                    "@type": "cr:RecordSet",
                    "@id": split,
                    "name": split,
                    "description": f"Documents of the {split} split, one record each, "
                    "with their spans, attribution frames and stances nested as arrays.",
                    "key": {"@id": f"{split}/doc_id"},
                    "field": _fields(schema, "documents", split, name),
                }
            )
    record_sets.append(
        {
            "@type": "cr:RecordSet",
            "@id": "entities",
            "name": "entities",
            "description": schema.table_descriptions["entities"],
            "key": {"@id": "entities/entity_id"},
            "field": _fields(schema, "entities", "entities", ENTITIES_FILE),
        }
    )
    document: dict[str, Any] = {
        "@context": _context(),
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": "hmeimim-corpus",
        "alternateName": info.title,
        "description": f"{info.description} {license_statement(info)}",
        "version": str(version),
        "datePublished": str(manifest["released"]),
        "license": spdx_url(info.annotation_license),
        "creator": [{"@type": "sc:Organization", "name": a} for a in info.authors],
        "keywords": list(info.keywords),
        "inLanguage": "en",
        "citeAs": cite_as(info, str(version), str(manifest["released"])),
        "isLiveDataset": False,
        "distribution": distribution,
        "recordSet": record_sets,
    }
    for key, value in info.responsible_ai.items():
        document[f"rai:{key}"] = value
    return document


def croissant_json(root: Path, schema: Schema | None = None) -> str:
    return json.dumps(croissant(root, schema), indent=2, ensure_ascii=False) + "\n"
