"""The Hmeimim Corpus: news reports with entity, attribution and stance annotations.

This module only re-exports the public surface; each name lives in a module of its own
and is imported on first use, so `import hmeimim` stays light (no pyarrow, datasets or
spaCy until a name that needs them is touched).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hmeimim.actions import make_release, validate_paths
    from hmeimim.agreement.inputs import (
        agreement_from_records,
        agreement_from_release,
        agreement_from_sources,
    )
    from hmeimim.agreement.metrics import (
        AgreementReport,
        compute_agreement,
        krippendorff_alpha_nominal,
    )
    from hmeimim.errors import CODES, Finding, HmeimimError, TextsWithheld
    from hmeimim.labelstudio.agreement import agreement_from_export, agreement_report
    from hmeimim.labelstudio.client import pull, push
    from hmeimim.labelstudio.importer import ImportResult, import_export, write_import
    from hmeimim.labelstudio.mapping import label_config, ls_mapping
    from hmeimim.labelstudio.parse import read_export
    from hmeimim.labelstudio.tasks import build_tasks, export_tasks
    from hmeimim.release.build import build_release
    from hmeimim.release.diff import Diff, diff_releases
    from hmeimim.release.rehydrate import RehydrateResult, rehydrate
    from hmeimim.release.reproduce import rebuild_release, reproduce
    from hmeimim.schema.declaration import Schema, load_schema
    from hmeimim.storage.records import iter_documents, read_documents, standoff_documents
    from hmeimim.storage.releases import list_releases, release_dir
    from hmeimim.validation.validate import Report, validate_records
    from hmeimim.views.attributions import (
        attribution_examples,
        attribution_pairs,
        iter_attribution_examples,
        iter_attribution_pairs,
    )
    from hmeimim.views.claims import claims, iter_claims
    from hmeimim.views.load import (
        attributions,
        claim_registry,
        entities,
        iter_attributions,
        iter_spans,
        iter_stances,
        load,
        spans,
        stances,
    )
    from hmeimim.views.spacy import export_spacy, iter_spacy_docs, read_spacy
    from hmeimim.views.spans import iter_span_examples, span_examples
    from hmeimim.views.stances import iter_stance_examples, stance_examples
    from hmeimim.views.summary import summarize
    from hmeimim.views.tokens import decode_tags, iter_ner, ner, ner_label_names, ner_skipped

_HOMES = {
    "agreement_from_export": "hmeimim.labelstudio.agreement",
    "agreement_from_records": "hmeimim.agreement.inputs",
    "agreement_from_release": "hmeimim.agreement.inputs",
    "agreement_from_sources": "hmeimim.agreement.inputs",
    "agreement_report": "hmeimim.labelstudio.agreement",
    "attribution_examples": "hmeimim.views.attributions",
    "attribution_pairs": "hmeimim.views.attributions",
    "attributions": "hmeimim.views.load",
    "build_release": "hmeimim.release.build",
    "build_tasks": "hmeimim.labelstudio.tasks",
    "claim_registry": "hmeimim.views.load",
    "claims": "hmeimim.views.claims",
    "compute_agreement": "hmeimim.agreement.metrics",
    "decode_tags": "hmeimim.views.tokens",
    "diff_releases": "hmeimim.release.diff",
    "entities": "hmeimim.views.load",
    "export_spacy": "hmeimim.views.spacy",
    "export_tasks": "hmeimim.labelstudio.tasks",
    "import_export": "hmeimim.labelstudio.importer",
    "iter_attribution_examples": "hmeimim.views.attributions",
    "iter_attribution_pairs": "hmeimim.views.attributions",
    "iter_attributions": "hmeimim.views.load",
    "iter_claims": "hmeimim.views.claims",
    "iter_documents": "hmeimim.storage.records",
    "iter_ner": "hmeimim.views.tokens",
    "iter_spacy_docs": "hmeimim.views.spacy",
    "iter_span_examples": "hmeimim.views.spans",
    "iter_spans": "hmeimim.views.load",
    "iter_stance_examples": "hmeimim.views.stances",
    "iter_stances": "hmeimim.views.load",
    "krippendorff_alpha_nominal": "hmeimim.agreement.metrics",
    "label_config": "hmeimim.labelstudio.mapping",
    "list_releases": "hmeimim.storage.releases",
    "load": "hmeimim.views.load",
    "load_schema": "hmeimim.schema.declaration",
    "ls_mapping": "hmeimim.labelstudio.mapping",
    "make_release": "hmeimim.actions",
    "ner": "hmeimim.views.tokens",
    "ner_label_names": "hmeimim.views.tokens",
    "ner_skipped": "hmeimim.views.tokens",
    "pull": "hmeimim.labelstudio.client",
    "push": "hmeimim.labelstudio.client",
    "read_documents": "hmeimim.storage.records",
    "read_export": "hmeimim.labelstudio.parse",
    "read_spacy": "hmeimim.views.spacy",
    "rebuild_release": "hmeimim.release.reproduce",
    "release_dir": "hmeimim.storage.releases",
    "reproduce": "hmeimim.release.reproduce",
    "span_examples": "hmeimim.views.spans",
    "spans": "hmeimim.views.load",
    "stance_examples": "hmeimim.views.stances",
    "stances": "hmeimim.views.load",
    "summarize": "hmeimim.views.summary",
    "validate_paths": "hmeimim.actions",
    "validate_records": "hmeimim.validation.validate",
    "write_import": "hmeimim.labelstudio.importer",
    "AgreementReport": "hmeimim.agreement.metrics",
    "CODES": "hmeimim.errors",
    "Diff": "hmeimim.release.diff",
    "Finding": "hmeimim.errors",
    "HmeimimError": "hmeimim.errors",
    "TextsWithheld": "hmeimim.errors",
    "rehydrate": "hmeimim.release.rehydrate",
    "RehydrateResult": "hmeimim.release.rehydrate",
    "standoff_documents": "hmeimim.storage.records",
    "ImportResult": "hmeimim.labelstudio.importer",
    "Report": "hmeimim.validation.validate",
    "Schema": "hmeimim.schema.declaration",
}

__all__ = [
    "CODES",
    "AgreementReport",
    "Diff",
    "Finding",
    "HmeimimError",
    "ImportResult",
    "RehydrateResult",
    "Report",
    "Schema",
    "TextsWithheld",
    "agreement_from_export",
    "agreement_from_records",
    "agreement_from_release",
    "agreement_from_sources",
    "agreement_report",
    "attribution_examples",
    "attribution_pairs",
    "attributions",
    "build_release",
    "build_tasks",
    "claim_registry",
    "claims",
    "compute_agreement",
    "decode_tags",
    "diff_releases",
    "entities",
    "export_spacy",
    "export_tasks",
    "import_export",
    "iter_attribution_examples",
    "iter_attribution_pairs",
    "iter_attributions",
    "iter_claims",
    "iter_documents",
    "iter_ner",
    "iter_spacy_docs",
    "iter_span_examples",
    "iter_spans",
    "iter_stance_examples",
    "iter_stances",
    "krippendorff_alpha_nominal",
    "label_config",
    "list_releases",
    "load",
    "load_schema",
    "ls_mapping",
    "make_release",
    "ner",
    "ner_label_names",
    "ner_skipped",
    "pull",
    "push",
    "read_documents",
    "read_export",
    "read_spacy",
    "rebuild_release",
    "rehydrate",
    "release_dir",
    "reproduce",
    "span_examples",
    "spans",
    "stance_examples",
    "stances",
    "standoff_documents",
    "summarize",
    "validate_paths",
    "validate_records",
    "write_import",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'hmeimim' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
