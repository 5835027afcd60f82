"""The DuckDB engine: which rows of a release's Parquet files may carry a finding.

`flag_rows` runs the rules of `validation/rules.py` over the document files and the
annotator layers with DuckDB (streaming, multi-threaded, spilling to a temporary
folder past `MEMORY_LIMIT`) and returns only row numbers: the rows that fail any rule,
every row that shares an id with another (so that the Python checks see every
occurrence of a duplicate, in order), and the document rows that a flagged annotator
layer names (their texts and ids are what the layer is checked against). No text and
no id leaves DuckDB except those of stand-off documents, which the manifest lists.

`validation/validate.py` then hands just those rows, in file order, to `CorpusChecker`,
which builds the findings. When DuckDB cannot read a file, `flag_rows` returns None
and the caller checks everything in Python, which reports the file as the reference
does.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from hmeimim.progress import PROGRESS_INTERVAL, progress_wanted, report_progress
from hmeimim.schema.declaration import Schema
from hmeimim.validation.rules import DOCUMENTS, LAYERS, LISTS, RuleSet, rule_set, sql_string

# Errors in the SQL itself, as opposed to files DuckDB cannot read.
_MISTAKES = (
    duckdb.BinderException,
    duckdb.ParserException,
    duckdb.CatalogException,
    duckdb.NotImplementedException,
)
# DuckDB's buffers (temporary tables of span ids and frames, join and sort state) stay
# under this and spill to the scratch folder beyond it, so the whole process stays under
# 1 GB whatever the corpus size: about 700 MB at 100k documents, 876 MB at 1M
# (docs/benchmarks.md), as each query runs on its own (`insert_parts`).
MEMORY_LIMIT = os.environ.get("HMEIMIM_DUCKDB_MEMORY", "512MB")
# Documents whose layers are checked against their texts in one join (see `layer_offsets`).
LAYER_CHUNK = 10_000


@dataclass
class Flagged:
    """Row numbers to check in Python: per document file (in the order given), of the
    annotator layers, and the doc_ids of stand-off documents (text null, length given)."""

    documents: list[list[int]]
    layers: list[int] = field(default_factory=list)
    standoff: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class TableFile:
    path: Path
    split: str | None = None


def flag_rows(
    schema: Schema,
    documents: Sequence[TableFile],
    layers: TableFile | None,
    *,
    entity_ids: frozenset[str] | None,
    claim_ids: frozenset[str] | None,
) -> Flagged | None:
    """The rows to check in Python; None when DuckDB fails (e.g. a damaged file)."""
    with tempfile.TemporaryDirectory(prefix="hmeimim-duckdb-") as scratch:
        run = _Run(schema, Path(scratch), entity_ids, claim_ids)
        try:
            return run.flag(documents, layers)
        except _MISTAKES:
            raise  # a rule DuckDB cannot plan is a bug here, never a property of the data
        except duckdb.Error:
            return None
        finally:
            run.con.close()


def _layer_offsets(bounds: tuple[str, str] | None) -> str:
    """The spans of the annotator layers whose doc_id is within `bounds` (None: none),
    each with the text, length and stand-off length of its document."""
    if bounds is None:
        within = "false"
    else:
        within = f"doc_id BETWEEN {sql_string(bounds[0])} AND {sql_string(bounds[1])}"
    return (
        f"WITH named AS (SELECT doc_id, text, _n, _length FROM documents WHERE {within}) "
        "SELECT l._f, l._r, d.text AS _text, d._n, d._length, unnest(l.spans) AS s "
        f"FROM (SELECT * FROM records WHERE {within}) l "
        "LEFT JOIN named d ON d.doc_id = l.doc_id"
    )


def scratch_connection(scratch: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection held under MEMORY_LIMIT, spilling into `scratch/spill`, free to
    reorder rows (every query here says its order)."""
    spill = scratch / "spill"
    spill.mkdir()
    return duckdb.connect(
        config={
            "memory_limit": MEMORY_LIMIT,
            "temp_directory": str(spill),
            "preserve_insertion_order": False,
        }
    )


def _span_field(schema: Schema, name: str) -> str:
    return f"s.{name}" if schema.has_column("span", name) else "NULL::VARCHAR"


class _Run:
    def __init__(
        self,
        schema: Schema,
        scratch: Path,
        entity_ids: frozenset[str] | None,
        claim_ids: frozenset[str] | None,
    ) -> None:
        self.schema = schema
        self.scratch = scratch
        self.entity_ids = entity_ids
        self.claim_ids = claim_ids
        self.con = scratch_connection(scratch)
        # The library never prints: DuckDB tracks a long query's progress for a caller's
        # progress sink (see `run`) but never draws its own bar.
        self.con.execute(f"SET enable_progress_bar = {str(progress_wanted()).lower()}")
        self.con.execute("SET enable_progress_bar_print = false")
        self.links = 0
        self.fingerprint = {"text_sha256", "text_length"} <= schema.column_names(DOCUMENTS)

    def run(self, sql: str, label: str, part: tuple[int, int] = (0, 1)) -> None:
        """Execute `sql`; with a progress sink, in a worker thread while this one reports
        DuckDB's estimate of how far the query is (percent), as `part` (the
        index of this query and the number of queries of the step) of the step."""
        if not progress_wanted():
            self.con.execute(sql)
            return
        failed: list[BaseException] = []

        def work() -> None:
            try:
                self.con.execute(sql)
            except BaseException as error:  # handed to the calling thread below
                failed.append(error)

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        try:
            while worker.is_alive():
                worker.join(PROGRESS_INTERVAL)
                done = self.con.query_progress()
                if done >= 0:
                    report_progress(label, (part[0] + done / 100) * 100 / part[1], 100)
        except BaseException:
            self.con.interrupt()  # e.g. Ctrl-C: stop the query, not only the wait
            worker.join()
            raise
        if failed:
            raise failed[0]
        report_progress(label, (part[0] + 1) * 100 / part[1], 100)

    def link(self, path: Path) -> str:
        """A plain name for `path`, so that no character of it is read as a glob."""
        name = self.scratch / f"f{self.links}.parquet"
        self.links += 1
        name.symlink_to(path.resolve())
        return sql_string(str(name))

    def union(self, files: Sequence[TableFile]) -> str:
        parts = [
            f"SELECT {i} AS _f, file_row_number AS _r, "
            f"{sql_string(f.split) if f.split else 'NULL'}::VARCHAR AS _split, "
            f"* EXCLUDE (file_row_number) FROM read_parquet({self.link(f.path)}, "
            "file_row_number = true)"
            for i, f in enumerate(files)
        ]
        return "\nUNION ALL ".join(parts)

    def standoff_length(self, alias: str) -> str:
        if not self.fingerprint:
            return "NULL::INTEGER"
        return (
            f"CASE WHEN {alias}text IS NULL AND {alias}text_length >= 0 THEN {alias}text_length END"
        )

    def registry(self, name: str, ids: frozenset[str] | None) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} (id VARCHAR)")
        if ids:
            self.con.execute(
                f"INSERT INTO {name} SELECT unnest($ids::VARCHAR[])", {"ids": sorted(ids)}
            )

    def views(self, records: str, offsets: str, label: str) -> None:
        con = self.con
        con.execute(f"CREATE OR REPLACE VIEW records AS {records}")
        con.execute(f"CREATE OR REPLACE VIEW offsets AS {offsets}")
        # Materialized once, as the queries read them many times: ids, layers, labels
        # and links of the spans; frames and stances whole.
        links = ", ".join(
            f"{name} := {_span_field(self.schema, name)}"
            for name in ("span_id", "layer", "label", "entity_id", "claim_id")
        )
        self.run(
            "CREATE OR REPLACE TEMP TABLE spans AS SELECT _f, _r, struct_pack("
            f"{links}) AS s FROM (SELECT _f, _r, unnest(spans) AS s FROM records)",
            f"validate: reading the spans of {label}",
        )
        for column, alias in (("attributions", "a"), ("stances", "st")):
            relation = LISTS[column][1]
            self.run(
                f"CREATE OR REPLACE TEMP TABLE {relation} AS "
                f"SELECT _f, _r, unnest({column}) AS {alias} FROM records",
                f"validate: reading the {column} of {label}",
            )

    def insert_parts(self, table: str, parts: Sequence[str], label: str) -> None:
        """Each part's flagged rows into `table`, one query after the other: run as one
        UNION, DuckDB holds every part's joins and aggregates at once, past its memory
        cap (over 3 GB at a million documents, against some 700 MB for the largest part)."""
        for number, part in enumerate(parts, 1):
            self.run(f"INSERT INTO {table} {part}", label, (number - 1, len(parts)))

    def layer_offsets(self, rules: RuleSet) -> None:
        """The offsets rules of the annotator layers, into `layer_offset_flags`, a range
        of LAYER_CHUNK documents at a time: each layer span is checked against the text
        of its document, and the join that brings them together holds the texts, which
        DuckDB cannot spill (at a million documents they do not fit in memory)."""
        con = self.con
        con.execute("CREATE OR REPLACE TEMP TABLE layer_offset_flags (_f BIGINT, _r BIGINT)")
        predicate = rules.predicate("offsets")
        if predicate is None:
            return
        named = [
            doc_id
            for (doc_id,) in con.execute(
                "SELECT DISTINCT doc_id FROM records WHERE doc_id IS NOT NULL ORDER BY doc_id"
            ).fetchall()
        ]
        for start in range(0, len(named), LAYER_CHUNK):
            bounds = (named[start], named[min(start + LAYER_CHUNK, len(named)) - 1])
            con.execute(f"CREATE OR REPLACE VIEW offsets AS {_layer_offsets(bounds)}")
            self.run(
                f"INSERT INTO layer_offset_flags SELECT _f, _r FROM offsets WHERE {predicate}",
                "validate: offsets of annotator layers",
            )

    def flag(self, documents: Sequence[TableFile], layers: TableFile | None) -> Flagged:
        con = self.con
        self.registry("entity_ids", self.entity_ids)
        self.registry("claim_ids", self.claim_ids)
        entities_known, claims_known = self.entity_ids is not None, self.claim_ids is not None
        flagged = Flagged([[] for _ in documents])
        if documents:
            con.execute(f"CREATE OR REPLACE VIEW doc_records AS {self.union(documents)}")
            con.execute(
                "CREATE OR REPLACE VIEW documents AS SELECT _f, _r, doc_id, text, "
                f"length(text) AS _n, {self.standoff_length('')} AS _length FROM doc_records"
            )
        else:
            con.execute(
                "CREATE OR REPLACE VIEW documents AS SELECT NULL::BIGINT AS _f, "
                "NULL::BIGINT AS _r, NULL::VARCHAR AS doc_id, NULL::VARCHAR AS text, "
                "NULL::BIGINT AS _n, NULL::INTEGER AS _length WHERE false"
            )
        con.execute("CREATE OR REPLACE TEMP TABLE doc_flags (_f BIGINT, _r BIGINT)")
        if layers is not None:
            self.views(self.union([layers]), _layer_offsets(None), "annotator layers")
            rules = rule_set(
                self.schema, LAYERS, entities_known=entities_known, claims_known=claims_known
            )
            self.layer_offsets(rules)
            con.execute("CREATE OR REPLACE TEMP TABLE layer_flags (_f BIGINT, _r BIGINT)")
            self.insert_parts(
                "layer_flags",
                rules.parts(done=["layer_offset_flags"]),
                "validate: rules on annotator layers",
            )
            flagged.layers = sorted(
                r for (r,) in con.execute("SELECT DISTINCT _r FROM layer_flags").fetchall()
            )
            # The documents a flagged layer names: the layer is checked against them.
            con.execute(
                "INSERT INTO doc_flags SELECT d._f, d._r FROM documents d WHERE d.doc_id IN "
                "(SELECT l.doc_id FROM records l JOIN layer_flags USING (_f, _r))"
            )
        if documents:
            self.views(
                "SELECT * FROM doc_records",
                # The length once per document, not once per span.
                "SELECT _f, _r, _text, _n, _length, unnest(spans) AS s FROM (SELECT _f, _r, "
                f"text AS _text, length(text) AS _n, {self.standoff_length('')} AS _length, "
                "spans FROM records)",
                "documents",
            )
            rules = rule_set(
                self.schema, DOCUMENTS, entities_known=entities_known, claims_known=claims_known
            )
            self.insert_parts("doc_flags", rules.parts(), "validate: rules on documents")
            for f, r in con.execute(
                "SELECT DISTINCT _f, _r FROM doc_flags ORDER BY 1, 2"
            ).fetchall():
                flagged.documents[f].append(r)
            if self.fingerprint:
                rows = con.execute(
                    "SELECT DISTINCT doc_id FROM documents "
                    "WHERE doc_id IS NOT NULL AND _length IS NOT NULL"
                ).fetchall()
                flagged.standoff = {doc_id for (doc_id,) in rows}
        return flagged
