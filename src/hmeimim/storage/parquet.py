"""Parquet reading and writing with fixed settings, and the unreadable-file errors.

The same records always give the same bytes (fixed compression, row groups and sort
order), which is what makes releases reproducible. A file that cannot be opened or
read to the end raises `HmeimimError` E001 (E002 when it is missing), never an Arrow
traceback.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from hmeimim.errors import HmeimimError
from hmeimim.schema.declaration import Schema

_SORT_KEYS = {"documents": ("doc_id",), "annotator_layers": ("doc_id", "annotator")}


def table_from_records(
    records: Sequence[Mapping[str, Any]], schema: Schema, table: str
) -> pa.Table:
    arrow_schema = schema.arrow_schema(table)
    keys = _SORT_KEYS.get(table, ("entity_id",))
    ordered = sorted(records, key=lambda r: tuple(str(r[k]) for k in keys))
    rows = [{name: r.get(name) for name in arrow_schema.names} for r in ordered]
    return pa.Table.from_pylist(rows, schema=arrow_schema)


def write_parquet(table: pa.Table, path: Path) -> None:
    # Fixed settings so that the same records always give the same bytes.
    pq.write_table(
        table,
        path,
        compression="zstd",
        compression_level=9,
        row_group_size=1024,
        use_dictionary=True,
        write_statistics=True,
        store_schema=True,
    )


def open_parquet(path: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except FileNotFoundError:
        raise HmeimimError("E002", str(path), expected="file") from None
    except (OSError, pa.ArrowException) as error:
        raise HmeimimError("E001", str(path), format="Parquet", reason=str(error)) from None


def iter_records(path: Path, batch_size: int = 256) -> Iterator[dict[str, Any]]:
    """Stream the rows of one Parquet file as plain dicts, a batch at a time."""
    parquet = open_parquet(path)
    try:
        for batch in parquet.iter_batches(batch_size=batch_size):
            yield from batch.to_pylist()
    except (OSError, pa.ArrowException) as error:
        raise HmeimimError("E001", str(path), format="Parquet", reason=str(error)) from None


def read_records(path: Path) -> list[dict[str, Any]]:
    return list(iter_records(path))
