"""The Hmeimim Corpus: news reports with entity, attribution and stance annotations.

This module only re-exports the public surface; each name lives in a module of its own.
"""

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
    "Diff",
    "Finding",
    "HmeimimError",
    "Report",
    "Schema",
    "attribution_examples",
    "attribution_pairs",
    "attributions",
    "build_release",
    "decode_tags",
    "diff_releases",
    "entities",
    "export_spacy",
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
    "list_releases",
    "load",
    "load_schema",
    "make_release",
    "ner",
    "ner_label_names",
    "ner_skipped",
    "read_documents",
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
]
