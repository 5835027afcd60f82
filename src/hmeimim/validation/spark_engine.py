"""The Spark engine: the rows of a release's Parquet files that may carry a finding, on Spark.

`flag_rows` keeps the contract of `validation/engine.py` (the same `TableFile` in, the
same `Flagged` out, None when Spark cannot read a file, and the caller then checks
every row in Python) and runs the same rules, `validation/rules.py` in its Spark
dialect, with Spark SQL: for corpora that no single machine holds. Row numbers are
Spark's `_metadata.row_index`, the position of the row in its Parquet file.

pyspark is an optional extra (`pip install 'hmeimim-corpus[spark]'`) and needs a Java
17+ runtime; it is imported only when this engine runs, and `spark_session` raises
E030 when either is missing.

One SparkSession serves the process; it starts on first use (slow: a JVM). By default
it runs in local mode on every core of this machine (`local[*]`), with the web UI, the
progress bar and Spark's logging off (the library never prints). For a cluster:
`HMEIMIM_SPARK_MASTER` names the master URL (e.g. `spark://host:7077`, `yarn`);
`PYSPARK_SUBMIT_ARGS` is passed to spark-submit as pyspark does (a `--master` there is
kept when `HMEIMIM_SPARK_MASTER` is not set); with `SPARK_REMOTE` set, pyspark connects
to that Spark Connect server instead and the server's configuration applies. The files
must then be at the same path on every executor (a shared file system).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import threading
import warnings
from collections.abc import Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

from hmeimim.errors import HmeimimError
from hmeimim.schema.declaration import Schema
from hmeimim.validation.engine import Flagged, TableFile
from hmeimim.validation.rules import DOCUMENTS, LAYERS, LISTS, SPARK, rule_set

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

# Shuffle partitions in local mode: the data of one machine is small for Spark, and
# adaptive execution merges partitions but never splits below this.
LOCAL_PARTITIONS = 4
# Characters Hadoop reads as a glob in a path; escaped so that a path names one file.
_GLOB = frozenset("\\{}[]*?")

_lock = threading.Lock()
_session: SparkSession | None = None


def spark_session() -> SparkSession:
    """The process's SparkSession, started on first use; E030 without pyspark or Java."""
    global _session
    with _lock:
        if _session is None:
            _session = _start()
        return _session


def _start() -> SparkSession:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise HmeimimError("E030", "pyspark", reason="pyspark is not installed") from None
    remote = bool(os.environ.get("SPARK_REMOTE"))
    java_home = os.environ.get("JAVA_HOME")
    if not remote and shutil.which("java") is None and not java_home:
        raise HmeimimError("E030", "java", reason="no Java runtime is on PATH or in JAVA_HOME")
    builder: Any = (
        SparkSession.builder.appName("hmeimim-validate")
        .config("spark.sql.variable.substitute", "false")  # `${` in a literal stays as is
        .config("spark.sql.legacy.sizeOfNull", "false")  # size(NULL) is NULL, as len() in DuckDB
    )
    if not remote:
        master = os.environ.get("HMEIMIM_SPARK_MASTER")
        if master is None and "--master" not in os.environ.get("PYSPARK_SUBMIT_ARGS", ""):
            master = "local[*]"
        if master is not None:
            builder = builder.master(master)
        if master is not None and master.startswith("local"):
            builder = builder.config("spark.sql.shuffle.partitions", str(LOCAL_PARTITIONS))
            # Any Python worker runs in this interpreter's environment, not the first
            # `python3` on PATH.
            builder = builder.config("spark.pyspark.python", sys.executable)
        quiet = resources.files("hmeimim.validation").joinpath("spark-log4j2.properties")
        options = f"-Dlog4j2.configurationFile={quiet}"
        builder = (
            builder.config("spark.driver.extraJavaOptions", options)
            .config("spark.executor.extraJavaOptions", options)
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
        )
    # pyspark logs the errors of queries it raises; this engine handles them.
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            # pyspark warns about the pandas version it finds; this engine uses no pandas.
            warnings.simplefilter("ignore", FutureWarning)
            session: SparkSession = builder.getOrCreate()
    except Exception as error:  # pyspark reports a JVM that does not start in several ways
        reason = " ".join(str(error).split())[:300] or type(error).__name__
        raise HmeimimError("E030", "spark", reason=reason) from None
    return session


def _hadoop_path(path: os.PathLike[str]) -> str:
    """The absolute path of `path` with Hadoop's glob characters escaped."""
    text = os.path.abspath(path)
    return "".join(f"\\{c}" if c in _GLOB else c for c in text)


def flag_rows(
    schema: Schema,
    documents: Sequence[TableFile],
    layers: TableFile | None,
    *,
    entity_ids: frozenset[str] | None,
    claim_ids: frozenset[str] | None,
) -> Flagged | None:
    """The rows to check in Python; None when Spark fails (e.g. a damaged file)."""
    from py4j.protocol import Py4JError
    from pyspark.errors import AnalysisException, PySparkException

    spark = spark_session()
    run = _Run(spark, schema, entity_ids, claim_ids)
    try:
        try:
            run.read(documents, layers)
        except (PySparkException, Py4JError):
            return None  # a file Spark cannot read: the Python checks report it
        try:
            return run.flag(len(documents), layers is not None)
        except AnalysisException:
            raise  # a rule Spark cannot plan is a bug here, never a property of the data
        except (PySparkException, Py4JError):
            return None
    finally:
        run.close()


def _span_field(schema: Schema, name: str) -> str:
    return f"s.{name}" if schema.has_column("span", name) else "CAST(NULL AS STRING)"


class _Run:
    def __init__(
        self,
        spark: SparkSession,
        schema: Schema,
        entity_ids: frozenset[str] | None,
        claim_ids: frozenset[str] | None,
    ) -> None:
        # A session of its own (same Spark context): its views are this run's only.
        self.spark = spark if os.environ.get("SPARK_REMOTE") else spark.newSession()
        self.schema = schema
        self.entity_ids = entity_ids
        self.claim_ids = claim_ids
        self.cached: list[DataFrame] = []
        self.fingerprint = {"text_sha256", "text_length"} <= schema.column_names(DOCUMENTS)
        self.doc_records: DataFrame | None = None
        self.layer_records: DataFrame | None = None

    def close(self) -> None:
        for frame in self.cached:
            frame.unpersist()

    def view(self, name: str, sql: str, *, cache: bool = False) -> DataFrame:
        frame = self.spark.sql(sql)
        if cache:
            frame = frame.cache()
            self.cached.append(frame)
        frame.createOrReplaceTempView(name)
        return frame

    def read_file(self, number: int, file: TableFile) -> DataFrame:
        from pyspark.sql import functions as F

        frame = self.spark.read.parquet(_hadoop_path(file.path))
        columns = [F.col(f"`{name}`") for name in frame.columns]
        return frame.select(
            F.lit(number).cast("bigint").alias("_f"),
            F.col("_metadata.row_index").alias("_r"),
            F.lit(file.split).cast("string").alias("_split"),
            *columns,
        )

    def read(self, documents: Sequence[TableFile], layers: TableFile | None) -> None:
        """The files as DataFrames (Spark reads their footers here)."""
        frames = [self.read_file(i, f) for i, f in enumerate(documents)]
        if frames:
            union = frames[0]
            for frame in frames[1:]:
                union = union.unionByName(frame)
            self.doc_records = union
        if layers is not None:
            self.layer_records = self.read_file(0, layers)

    def registry(self, name: str, ids: frozenset[str] | None) -> None:
        rows = [(i,) for i in sorted(ids or ())]
        self.spark.createDataFrame(rows, "id STRING").createOrReplaceTempView(name)

    def standoff_length(self) -> str:
        if not self.fingerprint:
            return "CAST(NULL AS INT)"
        return "CASE WHEN text IS NULL AND text_length >= 0 THEN text_length END"

    def views(self, records: DataFrame, offsets: str) -> None:
        """The relations the rules read (`validation/rules.py`), for one table."""
        records = records.cache()
        self.cached.append(records)
        records.createOrReplaceTempView("records")
        self.view("offsets", offsets)
        links = ", ".join(
            f"'{name}', {_span_field(self.schema, name)}"
            for name in ("span_id", "layer", "label", "entity_id", "claim_id")
        )
        self.view(
            "spans",
            f"SELECT _f, _r, named_struct({links}) AS s "
            "FROM (SELECT _f, _r, explode(spans) AS s FROM records)",
            cache=True,
        )
        for column, alias in (("attributions", "a"), ("stances", "st")):
            relation = LISTS[column][1]
            self.view(
                relation,
                f"SELECT _f, _r, explode({column}) AS {alias} FROM records",
                cache=True,
            )

    def flag(self, documents: int, layers: bool) -> Flagged:
        self.registry("entity_ids", self.entity_ids)
        self.registry("claim_ids", self.claim_ids)
        entities_known, claims_known = self.entity_ids is not None, self.claim_ids is not None
        flagged = Flagged([[] for _ in range(documents)])
        if self.doc_records is not None:
            self.doc_records.createOrReplaceTempView("doc_records")
            self.view(
                "documents",
                "SELECT _f, _r, doc_id, text, length(text) AS _n, "
                f"{self.standoff_length()} AS _length FROM doc_records",
            )
        else:
            self.view(
                "documents",
                "SELECT CAST(NULL AS BIGINT) AS _f, CAST(NULL AS BIGINT) AS _r, "
                "CAST(NULL AS STRING) AS doc_id, CAST(NULL AS STRING) AS text, "
                "CAST(NULL AS INT) AS _n, CAST(NULL AS INT) AS _length WHERE false",
            )
        doc_rows: set[tuple[int, int]] = set()
        if self.layer_records is not None:
            self.views(
                self.layer_records,
                "SELECT l._f, l._r, d.text AS _text, d._n, d._length, explode(l.spans) AS s "
                "FROM records l LEFT JOIN documents d ON d.doc_id = l.doc_id",
            )
            rules = rule_set(
                self.schema,
                LAYERS,
                dialect=SPARK,
                entities_known=entities_known,
                claims_known=claims_known,
            )
            layer_flags = self.view("layer_flags", rules.flagged(), cache=True)
            flagged.layers = sorted(row[1] for row in layer_flags.collect())
            # The documents a flagged layer names: the layer is checked against them.
            named = self.spark.sql(
                "SELECT d._f, d._r FROM documents d WHERE d.doc_id IN "
                "(SELECT l.doc_id FROM records l JOIN layer_flags USING (_f, _r))"
            )
            doc_rows.update((row[0], row[1]) for row in named.collect())
        if self.doc_records is not None:
            self.views(
                self.doc_records,
                # The length once per document, not once per span.
                "SELECT _f, _r, _text, _n, _length, explode(spans) AS s FROM (SELECT _f, _r, "
                f"text AS _text, length(text) AS _n, {self.standoff_length()} AS _length, "
                "spans FROM records)",
            )
            rules = rule_set(
                self.schema,
                DOCUMENTS,
                dialect=SPARK,
                entities_known=entities_known,
                claims_known=claims_known,
            )
            doc_rows.update((row[0], row[1]) for row in self.spark.sql(rules.flagged()).collect())
            if self.fingerprint:
                standoff = self.spark.sql(
                    "SELECT DISTINCT doc_id FROM documents "
                    "WHERE doc_id IS NOT NULL AND _length IS NOT NULL"
                )
                flagged.standoff = {row[0] for row in standoff.collect()}
        for f, r in sorted(doc_rows):
            flagged.documents[f].append(r)
        return flagged
