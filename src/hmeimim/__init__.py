"""The Hmeimim Corpus: news reports with entity, attribution and stance annotations.

This module only re-exports the public surface; each name lives in a module of its own.
"""

from hmeimim.agreement import (
    AgreementReport,
    agreement_from_export,
    compute_agreement,
    krippendorff_alpha_nominal,
)
from hmeimim.build import build_release
from hmeimim.diff import Diff, diff_releases
from hmeimim.errors import HmeimimError
from hmeimim.export_spacy import export_spacy, iter_spacy_docs, read_spacy
from hmeimim.findings import CODES, Finding
from hmeimim.loaders import (
    attributions,
    entities,
    iter_attributions,
    iter_documents,
    iter_spans,
    iter_stances,
    load,
    read_documents,
    spans,
    stances,
)
from hmeimim.ls_client import pull, push
from hmeimim.ls_config import label_config, ls_mapping
from hmeimim.ls_import import ImportResult, import_export, read_export, write_import
from hmeimim.ls_tasks import build_tasks, export_tasks
from hmeimim.release import make_release, rebuild_release, reproduce
from hmeimim.schema import Schema, load_schema
from hmeimim.storage import list_releases, release_dir
from hmeimim.summary import summarize
from hmeimim.validate import Report, validate_paths, validate_records
from hmeimim.views_attributions import (
    attribution_examples,
    attribution_pairs,
    iter_attribution_examples,
    iter_attribution_pairs,
)
from hmeimim.views_spans import iter_span_examples, span_examples
from hmeimim.views_stances import iter_stance_examples, stance_examples
from hmeimim.views_tokens import decode_tags, iter_ner, ner, ner_label_names, ner_skipped

__all__ = [
    "CODES",
    "AgreementReport",
    "Diff",
    "Finding",
    "HmeimimError",
    "ImportResult",
    "Report",
    "Schema",
    "agreement_from_export",
    "attribution_examples",
    "attribution_pairs",
    "attributions",
    "build_release",
    "build_tasks",
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
    "release_dir",
    "reproduce",
    "span_examples",
    "spans",
    "stance_examples",
    "stances",
    "summarize",
    "validate_paths",
    "validate_records",
    "write_import",
]
