"""Agreement on the raw annotator layers of records, a release or an authoring folder.

The layers are rows of the `annotator_layers` table (doc_id, annotator, spans,
attributions, stances); the documents give the ids (and texts, whose code points the
offsets count) the layers must belong to. Labels come from the schema the input was
written with: a release's own (`release_schema`), the checkout's for an authoring
folder; labels a later schema adds are reported without any change here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from hmeimim.agreement.metrics import AgreementReport, LabelKey, compute_agreement
from hmeimim.errors import Finding, HmeimimError
from hmeimim.model import ANNOTATION_KEYS, ANNOTATORS_FILE
from hmeimim.schema.declaration import Schema, load_schema
from hmeimim.storage.records import read_release_records
from hmeimim.storage.releases import release_dir, release_schema
from hmeimim.validation.validate import read_valid_sources

LATEST = "latest"


def schema_labels(schema: Schema) -> list[LabelKey]:
    """Every (layer, label) the schema declares, in declaration order."""
    return [(name, label) for name, layer in schema.layers.items() for label in layer.label_names]


def select_documents(
    doc_ids: Sequence[str] | None, known: Iterable[str], where: str
) -> set[str] | None:
    """The ids `--doc` asks for (None: all); E741 for an id the input lacks."""
    if not doc_ids:
        return None
    missing = sorted(set(doc_ids) - set(known))
    if missing:
        raise HmeimimError("E741", where, doc_ids=", ".join(missing))
    return set(doc_ids)


def require_pairs(report: AgreementReport) -> AgreementReport:
    """`report`, or E740 when no document has two annotators (and nothing else is wrong)."""
    if not report.findings and report.pairs == 0:
        raise HmeimimError(
            "E740", report.input, documents=report.documents_read, layers=report.layers_read
        )
    return report


def agreement_from_records(
    *,
    documents: Iterable[Mapping[str, Any]],
    layers: Iterable[Mapping[str, Any]],
    schema: Schema | None = None,
    doc_ids: Sequence[str] | None = None,
    where: str = "<records>",
) -> AgreementReport:
    """Agreement of the raw `layers` (rows of `annotator_layers`) of `documents`.

    `schema` gives the labels (default: the checkout's); `doc_ids` restricts the
    documents (E741 for an unknown one); `where` names the input in errors and in the
    report. E743 when a layer belongs to no document, E740 when no document has two
    annotators.
    """
    known = {str(d["doc_id"]) for d in documents}
    rows = list(layers)
    for row in rows:
        if str(row["doc_id"]) not in known:
            raise HmeimimError(
                "E743", where, annotator=str(row["annotator"]), layer_doc=str(row["doc_id"])
            )
    wanted = select_documents(doc_ids, known, where)
    by_doc: dict[str, dict[str, Mapping[str, Any]]] = {}
    for row in rows:
        doc_id = str(row["doc_id"])
        if wanted is None or doc_id in wanted:
            body = {key: row.get(key) or [] for key in ANNOTATION_KEYS}
            by_doc.setdefault(doc_id, {})[str(row["annotator"])] = body
    labels = schema_labels(schema or load_schema())
    report = compute_agreement(by_doc, labels, input=where)
    report.documents_read = len(wanted) if wanted is not None else len(known)
    return require_pairs(report)


def agreement_from_release(
    version: str | None = None, *, doc_ids: Sequence[str] | None = None
) -> AgreementReport:
    """Agreement on `annotators.parquet` of a release (`None` or `latest`: the latest),
    with the labels of the release's own schema."""
    folder = release_dir(None if version in (None, LATEST) else version)
    read = read_release_records(folder)
    return agreement_from_records(
        documents=read.records.documents,
        layers=read.records.annotator_layers,
        schema=release_schema(folder, read.manifest),
        doc_ids=doc_ids,
        where=str(folder / ANNOTATORS_FILE),
    )


def agreement_from_sources(
    folder: Path, *, doc_ids: Sequence[str] | None = None, schema: Schema | None = None
) -> AgreementReport:
    """Agreement on the raw layers of an authoring folder (`corpus/sources`).

    The folder is read and validated first; its findings stop the computation and are
    returned in the report (`findings`). E002 when the folder is not there.
    """
    if not (folder / "documents").is_dir():
        raise HmeimimError("E002", str(folder), expected="authoring folder (with documents/)")
    schema = schema or load_schema()
    read, findings = read_valid_sources(folder, schema)
    if findings:
        return AgreementReport(input=str(folder), findings=list(findings))
    return agreement_from_records(
        documents=read.records.documents,
        layers=read.records.annotator_layers,
        schema=schema,
        doc_ids=doc_ids,
        where=str(folder),
    )


def agreement_from_layers(
    layers: Mapping[str, Mapping[str, Mapping[str, Any]]],
    *,
    labels: Sequence[LabelKey],
    doc_ids: Sequence[str] | None = None,
    where: str,
    findings: Sequence[Finding] = (),
) -> AgreementReport:
    """Agreement over `doc_id -> annotator -> record` restricted to `doc_ids` (E741 for
    an unknown one); with `findings`, nothing is computed and they are returned."""
    if findings:
        return AgreementReport(input=where, findings=list(findings))
    wanted = select_documents(doc_ids, layers, where)
    chosen = {k: v for k, v in layers.items() if wanted is None or k in wanted}
    return compute_agreement(chosen, labels, input=where)
