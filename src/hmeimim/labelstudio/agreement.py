"""Inter-annotator agreement on a Label Studio export, and the one entry point for all
inputs (method: DATASHEET.md; the figures: `hmeimim.agreement.metrics`).

An export gives, per task, the latest non-cancelled annotation of each annotator; these
are the layers compared. `agreement_report` takes exactly one input: an export, a
release (`annotators.parquet`) or an authoring folder (`annotators/`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hmeimim.agreement.inputs import (
    agreement_from_layers,
    agreement_from_release,
    agreement_from_sources,
    require_pairs,
)
from hmeimim.agreement.metrics import (
    AgreementReport,
    Counts,
    compute_agreement,
    krippendorff_alpha_nominal,
    render_agreement,
)
from hmeimim.errors import HmeimimError
from hmeimim.labelstudio.mapping import ls_mapping
from hmeimim.labelstudio.parse import read_export

__all__ = [
    "AgreementReport",
    "Counts",
    "agreement_from_export",
    "agreement_report",
    "compute_agreement",
    "krippendorff_alpha_nominal",
    "render_agreement",
]


def agreement_from_export(path: Path, *, doc_ids: Sequence[str] | None = None) -> AgreementReport:
    """Agreement between the annotators of a Label Studio export; findings stop it.

    A task with one annotator adds nothing; an export with no task of two annotators
    gives a report of zero pairs (`agreement_report` turns that into E740).
    """
    parsed = read_export(path)
    mapping = ls_mapping()
    labels = [(layer, label) for layer, names in mapping.layers.items() for label in names]
    return agreement_from_layers(
        parsed.by_annotator(),
        labels=labels,
        doc_ids=doc_ids,
        where=str(path),
        findings=parsed.findings,
    )


def agreement_report(
    *,
    export: Path | None = None,
    release: str | None = None,
    sources: Path | None = None,
    doc_ids: Sequence[str] | None = None,
) -> AgreementReport:
    """Agreement on exactly one input (E742 otherwise): a Label Studio `export`, a
    `release` version (`latest` for the latest) or an authoring folder `sources`.

    `doc_ids` restricts the documents (E741 for one the input lacks). E740 when no
    document has two annotators; findings of the input are returned, not raised.
    """
    given = {"an export file": export, "--release": release, "--sources": sources}
    named = [name for name, value in given.items() if value is not None]
    if len(named) != 1:
        raise HmeimimError("E742", "hmeimim agreement", given=", ".join(named) or "none")
    if release is not None:
        return agreement_from_release(release, doc_ids=doc_ids)
    if sources is not None:
        return agreement_from_sources(sources, doc_ids=doc_ids)
    return require_pairs(agreement_from_export(Path(str(export)), doc_ids=doc_ids))
