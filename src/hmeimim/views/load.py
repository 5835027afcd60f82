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

from hmeimim.errors import HmeimimError
from hmeimim.model import CLAIMS_FILE, CLAIMS_TABLE, ENTITIES_FILE, SPLITS
from hmeimim.storage.parquet import open_parquet
from hmeimim.storage.records import split_files, warn_withheld
from hmeimim.storage.releases import release_dir, release_file, release_schema, split_files_of

# metonymy and claim_id exist from schema 1.1.0 on; releases written before have
# neither, and their frames leave the columns out.
SPAN_COLUMNS = (
    "doc_id",
    "span_id",
    "layer",
    "label",
    "start",
    "end",
    "text",
    "entity_id",
    "metonymy",
    "claim_id",
)
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


PROVENANCES = ("all", "published", "constructed")


def load(
    version: str | None = None, *, provenance: str = "all", cache_dir: str | None = None
) -> Any:
    """The release as a `datasets.DatasetDict` with train, validation and test splits.

    `provenance` keeps only published reports or only texts constructed for the corpus
    ("all" keeps both). Splits without documents are empty datasets with the same
    features (an empty Parquet file cannot be loaded by `datasets`, so releases store no
    file for them).
    """
    import datasets

    if provenance not in PROVENANCES:
        raise HmeimimError("E505", "provenance", value=provenance, allowed=", ".join(PROVENANCES))
    folder = release_dir(version)
    withheld = warn_withheld(version)
    features = release_schema(folder).hf_features("documents")
    # Each split's files as the manifest lists them (one, or several for a large split).
    data_files = {
        split: [str(path) for path in paths] for split, paths in split_files_of(folder).items()
    }
    loaded = datasets.load_dataset(
        "parquet", data_files=data_files, features=features, cache_dir=cache_dir
    )
    out = datasets.DatasetDict()
    for split in SPLITS:
        if split in loaded:
            kept = loaded[split]
            if provenance != "all":
                kept = kept.filter(lambda row: row["provenance"] == provenance)
            if withheld:
                kept = kept.filter(lambda row: row["text"] is not None)
            out[split] = kept
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
    present = {items.type.field(i).name for i in range(items.type.num_fields)}
    fields = {name: items.field(name) for name in _NESTED[column] if name in present}
    return pa.table({"doc_id": doc_ids, **fields})


def _iter_flat(column: str, version: str | None, split: str | None) -> Iterator[pa.Table]:
    # Stand-off documents are left out (with a warning): their spans have no text.
    withheld = warn_withheld(version)
    columns = ["doc_id", column, *(["text"] if withheld else [])]
    for path in split_files(version, split):
        parquet = open_parquet(path)
        for batch in parquet.iter_batches(columns=columns):
            if withheld:
                batch = batch.filter(pc.is_valid(batch.column("text")))
            yield _flatten(batch, column)


def _frame(column: str, version: str | None, split: str | None) -> pd.DataFrame:
    tables = list(_iter_flat(column, version, split))
    if not tables:
        return pd.DataFrame({name: pd.Series(dtype="object") for name in _NESTED[column]})
    frame: pd.DataFrame = pa.concat_tables(tables).to_pandas()
    return frame


def spans(version: str | None = None, split: str | None = None) -> pd.DataFrame:
    """One row per span of every layer.

    Columns: doc_id, span_id, layer, label, start, end, text, entity_id, and from schema
    1.1.0 on metonymy and claim_id.
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


def claim_registry(version: str | None = None) -> pd.DataFrame:
    """The claim registry of a release (no rows for a release whose schema has none)."""
    folder = release_dir(version)
    schema = release_schema(folder)
    if CLAIMS_TABLE not in schema.tables:
        return pd.DataFrame({"claim_id": [], "statement": [], "description": []}, dtype="object")
    table: pa.Table = open_parquet(release_file(folder, CLAIMS_FILE)).read()
    frame: pd.DataFrame = table.to_pandas()
    return frame
