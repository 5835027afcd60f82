"""Loading a release: as a Hugging Face `DatasetDict`, or as flat pandas views.

Every reader has a streaming twin (`iter_spans`, ...) that reads one Parquet batch at a
time, for corpora larger than memory; documents stream with `storage.records`. The
features come from the release's own schema, so every old release loads forever.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hmeimim.model import ENTITIES_FILE, SPLITS
from hmeimim.storage.parquet import open_parquet
from hmeimim.storage.records import split_files
from hmeimim.storage.releases import document_files, release_dir, release_file, release_schema

SPAN_COLUMNS = ("doc_id", "span_id", "layer", "label", "start", "end", "text", "entity_id")
ATTRIBUTION_COLUMNS = (
    "doc_id",
    "frame_id",
    "cue",
    "sources",
    "contents",
    "source_kind",
    "source_type",
    "parent",
)
STANCE_COLUMNS = (
    "doc_id",
    "stance_id",
    "holder_kind",
    "holder",
    "target_kind",
    "target",
    "polarity",
    "evidence",
)
_NESTED = {"spans": SPAN_COLUMNS, "attributions": ATTRIBUTION_COLUMNS, "stances": STANCE_COLUMNS}


def load(version: str | None = None, *, cache_dir: str | None = None) -> Any:
    """The release as a `datasets.DatasetDict` with train, validation and test splits.

    Splits without documents are empty datasets with the same features (an empty Parquet
    file cannot be loaded by `datasets`, so releases store no file for them).
    """
    import datasets

    folder = release_dir(version)
    features = release_schema(folder).hf_features("documents")
    data_files = {path.stem: str(path) for path in document_files(folder)}
    loaded = datasets.load_dataset(
        "parquet", data_files=data_files, features=features, cache_dir=cache_dir
    )
    out = datasets.DatasetDict()
    for split in SPLITS:
        if split in loaded:
            out[split] = loaded[split]
        else:
            # from_list([]) yields no columns at all in datasets 5.x; from_dict keeps them.
            empty: dict[str, list[Any]] = {name: [] for name in features}
            out[split] = datasets.Dataset.from_dict(empty, features=features, split=split)
    return out


def _flatten(batch: pa.RecordBatch, column: str) -> pa.Table:
    """One row per nested item of `column`, with the doc_id of its document."""
    nested = batch.column(column)
    parents = pc.list_parent_indices(nested)
    items = pc.list_flatten(nested)
    doc_ids = pc.take(batch.column("doc_id"), parents)
    fields = {name: items.field(name) for name in _NESTED[column] if name != "doc_id"}
    return pa.table({"doc_id": doc_ids, **fields})


def _iter_flat(column: str, version: str | None, split: str | None) -> Iterator[pa.Table]:
    for path in split_files(version, split):
        parquet = open_parquet(path)
        for batch in parquet.iter_batches(columns=["doc_id", column]):
            yield _flatten(batch, column)


def _frame(column: str, version: str | None, split: str | None) -> pd.DataFrame:
    tables = list(_iter_flat(column, version, split))
    if not tables:
        return pd.DataFrame({name: pd.Series(dtype="object") for name in _NESTED[column]})
    frame: pd.DataFrame = pa.concat_tables(tables).to_pandas()
    return frame


def spans(version: str | None = None, split: str | None = None) -> pd.DataFrame:
    """One row per span of every layer.

    Columns: doc_id, span_id, layer, label, start, end, text, entity_id.
    """
    return _frame("spans", version, split)


def attributions(version: str | None = None, split: str | None = None) -> pd.DataFrame:
    """One row per attribution frame; cue, sources and contents hold span ids."""
    return _frame("attributions", version, split)


def stances(version: str | None = None, split: str | None = None) -> pd.DataFrame:
    """One row per stance; holder, target and evidence hold span ids (or an entity id)."""
    return _frame("stances", version, split)


def iter_spans(version: str | None = None, split: str | None = None) -> Iterator[pd.DataFrame]:
    """Streaming twin of `spans`: one DataFrame per Parquet batch."""
    for table in _iter_flat("spans", version, split):
        yield table.to_pandas()


def iter_attributions(
    version: str | None = None, split: str | None = None
) -> Iterator[pd.DataFrame]:
    """Streaming twin of `attributions`."""
    for table in _iter_flat("attributions", version, split):
        yield table.to_pandas()


def iter_stances(version: str | None = None, split: str | None = None) -> Iterator[pd.DataFrame]:
    """Streaming twin of `stances`."""
    for table in _iter_flat("stances", version, split):
        yield table.to_pandas()


def entities(version: str | None = None) -> pd.DataFrame:
    """The entity registry of a release."""
    table: pa.Table = open_parquet(release_file(release_dir(version), ENTITIES_FILE)).read()
    frame: pd.DataFrame = table.to_pandas()
    return frame
