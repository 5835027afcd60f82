"""The Hmeimim Corpus: news reports with entity, attribution and stance annotations.

This module only re-exports the public surface; each name lives in a module of its own.
"""

from hmeimim.build import build_release
from hmeimim.diff import Diff, diff_releases
from hmeimim.errors import HmeimimError
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

__all__ = [
    "CODES",
    "Diff",
    "Finding",
    "HmeimimError",
    "Report",
    "Schema",
    "attributions",
    "build_release",
    "diff_releases",
    "entities",
    "iter_attributions",
    "iter_documents",
    "iter_spans",
    "iter_stances",
    "list_releases",
    "load",
    "load_schema",
    "make_release",
    "read_documents",
    "rebuild_release",
    "release_dir",
    "reproduce",
    "spans",
    "stances",
    "summarize",
    "validate_paths",
    "validate_records",
]
