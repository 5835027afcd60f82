"""Parquet reading and writing with fixed settings, and the unreadable-file errors.

The same records always give the same bytes (fixed compression, row groups and sort
order), which is what makes releases reproducible.

Row groups hold `ROW_GROUP_ROWS` = 1,024 rows (the last one of a file fewer). A row group
is the unit that Spark and DuckDB hand to one task or thread, and what a streaming reader
(`iter_records`, `datasets` streaming, the validator's reads of flagged rows) decodes at
once. A report of 5 kB of text with some 30 spans, 6 frames and 4 stances is about
11 kB a row in Arrow memory, 7.5 kB in uncompressed Parquet pages and 1 kB (templated
synthetic text) to 5 kB (the corpus's own reports) compressed; a group is then about
11 MB decoded and 1 to 5 MB on disk. That is large enough that a scan is not dominated by
per-group overhead (footer entries, statistics, dictionary pages), small enough that a
split file of `writer.SHARD_ROWS` documents has some fifty groups for Spark and DuckDB to
read in parallel, and that a streaming reader holds tens of megabytes, not the file.
Every file of the releases up to 1.2.0 has fewer rows, one group each.

A file that cannot be opened or read to the end raises `HmeimimError` E001 (E002 when it
is missing, E023 when the system will not let it be read), never an Arrow or a decoding
traceback: a string column that holds invalid UTF-8, or a value Python cannot represent
(a date far out of range), is E001 like any other damage. A write the system refuses is
E024.
"""

from __future__ import annotations

import errno
from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from hmeimim.errors import HmeimimError
from hmeimim.schema.declaration import Schema
from hmeimim.storage.files import os_reason, writing

_SORT_KEYS = {
    "documents": ("doc_id",),
    "annotator_layers": ("doc_id", "annotator"),
    "claims": ("claim_id",),
}


def table_from_records(
    records: Sequence[Mapping[str, Any]], schema: Schema, table: str
) -> pa.Table:
    arrow_schema = schema.arrow_schema(table)
    keys = _SORT_KEYS.get(table, ("entity_id",))
    ordered = sorted(records, key=lambda r: tuple(str(r[k]) for k in keys))
    rows = [{name: r.get(name) for name in arrow_schema.names} for r in ordered]
    return pa.Table.from_pylist(rows, schema=arrow_schema)


# Rows per row group (see the module docstring).
ROW_GROUP_ROWS = 1024


def write_parquet(table: pa.Table, path: Path, row_group_rows: int = ROW_GROUP_ROWS) -> None:
    # Fixed settings so that the same records always give the same bytes.
    with writing(path):
        pq.write_table(
            table,
            path,
            compression="zstd",
            compression_level=9,
            row_group_size=row_group_rows,
            use_dictionary=True,
            write_statistics=True,
            store_schema=True,
        )


def _unreadable(path: Path, error: Exception) -> HmeimimError:
    if isinstance(error, OSError) and error.errno in (errno.EACCES, errno.EPERM):
        return HmeimimError("E023", str(path), reason=os_reason(error))
    return HmeimimError("E001", str(path), format="Parquet", reason=str(error))


def open_parquet(path: Path, data: bytes | None = None) -> pq.ParquetFile:
    """The Parquet file at `path`, or parsed from `data` (its bytes, already read).

    The footer is parsed here, with the Arrow schema it gives, so that damage there
    (such as a column name that is not UTF-8) is E001 at once.
    """
    try:
        parquet = pq.ParquetFile(pa.BufferReader(data) if data is not None else path)
        _ = parquet.schema_arrow, parquet.metadata.num_rows
        return parquet
    except FileNotFoundError:
        raise HmeimimError("E002", str(path), expected="file") from None
    except (OSError, pa.ArrowException) as error:
        raise _unreadable(path, error) from None
    except (ValueError, OverflowError) as error:  # UnicodeDecodeError too
        reason = f"the footer cannot be read: {error}"
        raise HmeimimError("E001", str(path), format="Parquet", reason=reason) from None


@contextmanager
def _reading_rows(path: Path) -> Iterator[None]:
    """Damage met while reading rows becomes E001 (or E023) naming `path`."""
    try:
        yield
    except UnicodeDecodeError as error:
        reason = f"a string column holds invalid UTF-8: {error}"
        raise HmeimimError("E001", str(path), format="Parquet", reason=reason) from None
    except (OSError, pa.ArrowException) as error:
        raise _unreadable(path, error) from None
    except (ValueError, OverflowError) as error:
        reason = f"a value cannot be read: {error}"
        raise HmeimimError("E001", str(path), format="Parquet", reason=reason) from None


def parquet_rows(
    parquet: pq.ParquetFile, path: Path, batch_size: int = 256
) -> Iterator[dict[str, Any]]:
    """Stream the rows of an open Parquet file as plain dicts; damage is E001 naming `path`."""
    with _reading_rows(path):
        for batch in parquet.iter_batches(batch_size=batch_size):
            yield from batch.to_pylist()


def parquet_rows_at(
    parquet: pq.ParquetFile, path: Path, rows: Sequence[int]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rows numbered `rows` (ascending, 0-based) of an open Parquet file, with their
    numbers, as plain dicts; only the row groups that hold them are read. Damage is E001
    naming `path`, as in `parquet_rows`."""
    with _reading_rows(path):
        wanted, start = list(rows), 0
        for group in range(parquet.metadata.num_row_groups):
            size = parquet.metadata.row_group(group).num_rows
            first, last = bisect_left(wanted, start), bisect_left(wanted, start + size)
            local = [r - start for r in wanted[first:last]]
            if local:
                table = parquet.read_row_group(group).take(pa.array(local, pa.int64()))
                yield from zip((start + i for i in local), table.to_pylist(), strict=True)
            start += size


def iter_records(path: Path, batch_size: int = 256) -> Iterator[dict[str, Any]]:
    """Stream the rows of one Parquet file as plain dicts, a batch at a time."""
    yield from parquet_rows(open_parquet(path), path, batch_size)


def read_records(path: Path) -> list[dict[str, Any]]:
    return list(iter_records(path))


def read_arrow_schema(path: Path) -> pa.Schema:
    """The Arrow schema stored in a Parquet file's footer."""
    return open_parquet(path).schema_arrow
