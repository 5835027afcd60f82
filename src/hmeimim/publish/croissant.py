"""croissant.json: Croissant 1.1 metadata of the latest release, with the RAI fields.

The file lists every file of the latest release with its sha256 and size, and one
record set per split (documents with nested `spans`, `attributions` and `stances`, each
an array of records; read from the split's file, or from a `FileSet` of its files when
the release writes it in several) plus the entity registry. Fields and types come
from the schema declaration; licenses, description and the Responsible-AI fields from
`corpus/release.yaml`. `contentUrl`s are relative to the repository root, where the
file lives, so `mlcroissant` reads the local Parquet. The document is built with
mlcroissant's classes (`Metadata`, `FileObject`, `RecordSet`, `Field`) and their
`to_json()`; mlcroissant is imported only when croissant.json is made (it is slow to import).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from hmeimim.errors import HmeimimError
from hmeimim.model import CLAIMS_FILE, CLAIMS_TABLE, ENTITIES_FILE
from hmeimim.publish.metadata import ReleaseInfo, license_statement, read_release_info, spdx_url
from hmeimim.schema.declaration import Column, Schema, load_schema
from hmeimim.storage.releases import (
    list_releases,
    published_manifest,
    release_schema,
    split_files_of,
)

CROISSANT_FILE = "croissant.json"
CONFORMS_TO = ["http://mlcommons.org/croissant/1.1", "http://mlcommons.org/croissant/RAI/1.0"]
_CR = "http://mlcommons.org/croissant/"
_RAI = "http://mlcommons.org/croissant/RAI/"
_CONTEXT_TERMS = (
    "arrayShape column containedIn data dataType equivalentProperty examples excludes "
    "extract field fileObject fileProperty fileSet format includes isArray isLiveDataset "
    "jsonPath key md5 parentField path recordSet references regex repeated replace "
    "samplingRate separator source subField transform citeAs"
)
# Names in mlc.DataType.
_TYPES = {"string": "TEXT", "int32": "INTEGER", "bool": "BOOL", "date": "DATE"}


def _context() -> dict[str, Any]:
    """The JSON-LD @context of Croissant 1.1.

    mlcroissant builds new metadata with its 1.0 @context (a `Context()` gets the default
    `Rdf()`), which has no `isArray`, `arrayShape` or `containedIn` term, so that fields
    would come out as "cr:isArray". Its 1.1 context is private API; this is the same
    context, handed to the classes through the public `mlc.Rdf(context=...)`.
    """
    context: dict[str, Any] = {"@language": "en", "@vocab": "https://schema.org/"}
    for term in _CONTEXT_TERMS.split():
        context[term] = f"cr:{term}"
    context.update(
        {
            "cr": _CR,
            "rai": _RAI,
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
    ctx: Any, record_set: str, column: Column, file_id: str, parent: str = "", many: bool = False
) -> Any:
    """A field read from `column` of the file (or from a key of each item of `parent`);
    `many`: `file_id` is a file set (a split written in several files)."""
    import mlcroissant as mlc

    element = column.type.removeprefix("list<").removesuffix(">")
    is_list = column.type.startswith("list<")
    return mlc.Field(
        ctx=ctx,
        id=f"{record_set}/{parent + '/' if parent else ''}{column.name}",
        name=column.name,
        description=column.description,
        data_types=[getattr(mlc.DataType, _TYPES[element])],
        source=mlc.Source(
            ctx=ctx,
            file_object=None if many else file_id,
            file_set=file_id if many else None,
            extract=mlc.Extract(ctx=ctx, column=parent or column.name),
            transforms=[mlc.Transform(ctx=ctx, json_path=column.name)] if parent else [],
        ),
        is_array=True if is_list else None,
        array_shape="-1" if is_list else None,
    )


def _fields(
    ctx: Any, schema: Schema, table: str, record_set: str, file_id: str, many: bool = False
) -> list[Any]:
    import mlcroissant as mlc

    fields = []
    for column in schema.tables[table]:
        inner = column.type.removeprefix("list<").removesuffix(">")
        if column.type.startswith("list<") and inner in schema.structs:
            subfields = [
                _leaf(ctx, record_set, sub, file_id, parent=column.name, many=many)
                for sub in schema.structs[inner]
            ]
            fields.append(
                mlc.Field(
                    ctx=ctx,
                    id=f"{record_set}/{column.name}",
                    name=column.name,
                    description=column.description,
                    is_array=True,
                    array_shape="-1",
                    sub_fields=subfields,
                )
            )
        else:
            fields.append(_leaf(ctx, record_set, column, file_id, many=many))
    return fields


def _rai_attributes(metadata_class: Any) -> dict[str, str]:
    """RAI term (`dataBiases`) -> attribute of `mlc.Metadata` (`data_biases`).

    Read from the JSON-LD URL each attribute declares, not guessed from the spelling
    (mlcroissant's `data_collection_timeframe` is `dataCollectionTimeFrame`).
    """
    out = {}
    for attribute in dataclasses.fields(metadata_class):
        url = attribute.metadata.get("url")
        if isinstance(url, str) and url.startswith(_RAI):
            out[url.removeprefix(_RAI)] = attribute.name
    return out


def cite_as(info: ReleaseInfo, version: str, released: str) -> str:
    key = "hmeimim_corpus_" + version.replace(".", "_")
    authors = " and ".join("{" + a + "}" for a in info.authors)
    return (
        f"@misc{{{key}, title = {{{info.title}}}, author = {{{authors}}}, "
        f"year = {{{released[:4]}}}, version = {{{version}}}, note = {{Dataset, released "
        f"{released}}}}}"
    )


def croissant(root: Path, schema: Schema | None = None) -> dict[str, Any]:
    """The Croissant JSON-LD document of the latest release under `root` (`mlcroissant`).

    Its fields follow the schema the release was written with; `schema` is used only
    for a release that keeps none and names no schema version.
    """
    import mlcroissant as mlc

    releases = list_releases(root)
    if not releases:
        raise HmeimimError("E016", str(root / "corpus"))
    version, folder = releases[-1]
    manifest = published_manifest(folder)
    # The fields are those of the schema the release was written with.
    if manifest.get("schema_version") is not None:
        schema = release_schema(folder, manifest)
    schema = schema or load_schema()
    info = read_release_info(root)
    released = str(manifest["released"])
    ctx = mlc.Context(conforms_to=CONFORMS_TO[0], rdf=mlc.Rdf(context=_context()))
    distribution = []
    record_sets = []
    for name, entry in sorted(manifest["files"].items()):
        distribution.append(
            mlc.FileObject(
                ctx=ctx,
                id=name,
                name=name,
                description=f"Table `{entry['table']}` of release {version}.",
                content_url=(folder / name).relative_to(root).as_posix(),
                encoding_formats=["application/x-parquet"],
                content_size=f"{entry['bytes']} B",
                sha256=entry["sha256"],
            )
        )
    # A split's records come from its file, or from the set of its files when the release
    # writes it in several (each of them a FileObject above, with its sha256). In order of
    # the splits' names, as the files are listed above.
    for split, paths in sorted(split_files_of(folder, manifest).items()):
        names = [path.name for path in paths]
        source = names[0]
        if len(names) > 1:
            source = f"{split}-files"
            distribution.append(
                mlc.FileSet(
                    ctx=ctx,
                    id=source,
                    name=source,
                    description=f"The {len(names)} files of the {split} split of release "
                    f"{version}, in order.",
                    encoding_formats=["application/x-parquet"],
                    includes=[(folder / n).relative_to(root).as_posix() for n in names],
                )
            )
        record_sets.append(
            mlc.RecordSet(
                ctx=ctx,
                id=split,
                name=split,
                description=f"Documents of the {split} split, one record each, "
                "with their spans, attribution frames and stances nested as arrays.",
                key=[f"{split}/doc_id"],
                fields=_fields(ctx, schema, "documents", split, source, many=len(names) > 1),
            )
        )
    record_sets.append(
        mlc.RecordSet(
            ctx=ctx,
            id="entities",
            name="entities",
            description=schema.table_descriptions["entities"],
            key=["entities/entity_id"],
            fields=_fields(ctx, schema, "entities", "entities", ENTITIES_FILE),
        )
    )
    if CLAIMS_FILE in manifest["files"] and CLAIMS_TABLE in schema.tables:
        record_sets.append(
            mlc.RecordSet(
                ctx=ctx,
                id=CLAIMS_TABLE,
                name=CLAIMS_TABLE,
                description=schema.table_descriptions[CLAIMS_TABLE],
                key=["claims/claim_id"],
                fields=_fields(ctx, schema, CLAIMS_TABLE, CLAIMS_TABLE, CLAIMS_FILE),
            )
        )
    # RAI fields from release.yaml (keyed by RAI term) go to the attributes of
    # `mlc.Metadata`; a term it has no attribute for is kept as an extra `rai:` property.
    attributes = _rai_attributes(mlc.Metadata)
    rai = {attributes[k]: v for k, v in info.responsible_ai.items() if k in attributes}
    extra: dict[str, Any] = {
        f"rai:{k}": v for k, v in info.responsible_ai.items() if k not in attributes
    }
    # schema.org `alternateName` has no attribute; `isLiveDataset` is written only when true.
    extra.update(alternateName=info.title, isLiveDataset=False)
    metadata = mlc.Metadata(
        ctx=ctx,
        name="hmeimim-corpus",
        description=f"{info.description} {license_statement(info)}",
        version=str(version),
        date_published=released,
        license=[spdx_url(info.annotation_license)],
        creators=[mlc.Organization(ctx=ctx, name=author) for author in info.authors],
        keywords=list(info.keywords),
        in_language=["en"],
        cite_as=cite_as(info, str(version), released),
        conforms_to=CONFORMS_TO,
        distribution=distribution,
        record_sets=record_sets,
        extra_properties=extra,
        **rai,
    )
    document: dict[str, Any] = metadata.to_json()
    return document


def croissant_json(root: Path, schema: Schema | None = None) -> str:
    return json.dumps(croissant(root, schema), indent=2, ensure_ascii=False) + "\n"
