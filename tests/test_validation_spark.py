"""The Spark engine gives exactly the findings of the DuckDB engine, in Spark's local mode.

These tests need pyspark (the `spark` extra) and a Java 17+ runtime, which
scripts/test.sh installs; without them they fail, they are never skipped. One
SparkSession (the engine's, one per process) serves every test: a JVM starts slowly.
Every run checks that Spark really decided which rows to check (a silent fall back to
the Python checks would make the comparison empty).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_validation_engine import (
    ARABIC,
    CORRUPTIONS,
    EXPECTED,
    FINDING_CODES,
    FIXTURES,
    LATEST,
    RELEASES,
    Record,
    _release,
    _rewrite,
)

from hmeimim.actions import validate_paths
from hmeimim.storage.releases import read_manifest, release_schema
from hmeimim.validation import engine, spark_engine, validate
from hmeimim.validation.rules import SPARK, whitespace_class


@pytest.fixture(scope="session")
def spark() -> Any:
    """The engine's session, started once (E030, a failure, without pyspark or Java)."""
    return spark_engine.spark_session()


class _Spy:
    def __init__(self) -> None:
        self.calls = 0
        self.failed: list[str] = []


@pytest.fixture
def decided(spark: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[_Spy]:
    """Counts the runs of the Spark engine and the files it could not flag."""
    spy = _Spy()
    flag = spark_engine.flag_rows

    def counting(*args: Any, **kwargs: Any) -> engine.Flagged | None:
        spy.calls += 1
        result = flag(*args, **kwargs)
        if result is None:
            spy.failed.append(str(args[1]))
        return result

    monkeypatch.setattr(spark_engine, "flag_rows", counting)
    yield spy
    assert spy.failed == []


def _findings(paths: list[Path], engine_name: str) -> list[dict[str, Any]]:
    return [f.to_dict() for f in validate_paths(paths, engine=engine_name).findings]


@pytest.mark.parametrize("code", FINDING_CODES)
def test_every_fixture_gives_the_same_findings(code: str, decided: _Spy) -> None:
    expected = json.loads((FIXTURES / code / "expected.json").read_text())
    target = FIXTURES / code / expected["target"]
    found = _findings([target], "spark")
    assert found == _findings([target], "duckdb")
    assert sorted((f["code"], f["doc_id"], f["record_id"]) for f in found) == sorted(
        (f["code"], f["doc_id"], f["record_id"]) for f in expected["findings"]
    )
    if target.suffix == ".parquet" and target.stem in ("train", "validation", "test"):
        assert decided.calls > 0


@pytest.mark.parametrize("release", RELEASES, ids=lambda p: p.name)
def test_the_releases_are_clean_under_spark(release: Path, decided: _Spy) -> None:
    assert _findings([release], "spark") == []
    assert decided.calls == 1


def _check(folder: Path, spy: _Spy) -> list[tuple[Any, ...]]:
    schema = release_schema(LATEST, read_manifest(LATEST))
    final = LATEST.parent / "checked" / folder.name
    runs = [
        [
            f.to_dict()
            for f in validate.validate_staged_release(
                folder, schema=schema, final=final, engine=name
            )
        ]
        for name in ("spark", "duckdb")
    ]
    assert runs[0] == runs[1]
    assert spy.calls == 1
    return [(f["code"], f["doc_id"], f["record_id"]) for f in runs[0]]


def test_the_named_corruptions_give_the_same_findings(tmp_path: Path, decided: _Spy) -> None:
    """Each corruption of tests/test_validation_engine.py in a document file of its own
    (one release, so that one Spark run checks them all), and its codes found."""
    folder = _release(tmp_path)
    names = sorted(CORRUPTIONS)

    def each(docs: list[Record]) -> None:
        for corrupt in (CORRUPTIONS[name] for name in names):
            corrupt(docs)

    _rewrite(folder, "train.parquet", each)
    codes = {code for code, _, _ in _check(folder, decided)}
    wanted = set().union(*EXPECTED.values())
    assert wanted <= codes


def test_corruptions_in_the_layers_too(tmp_path: Path, decided: _Spy) -> None:
    folder = _release(tmp_path)
    _rewrite(folder, "train.parquet", CORRUPTIONS["parent-cycle"])

    def layers(rows: list[Record]) -> None:
        rows[0]["spans"][0]["start"] = -1
        rows[1]["doc_id"] = "no-such-document"
        rows[2]["attributions"][0]["contents"] = []
        rows[3]["spans"][1]["span_id"] = rows[3]["spans"][0]["span_id"]

    _rewrite(folder, "annotators.parquet", layers)
    codes = {code for code, _, _ in _check(folder, decided)}
    assert {"E201", "E202", "E302", "E304", "E306"} <= codes


def test_a_standoff_document_and_its_layers(tmp_path: Path, decided: _Spy) -> None:
    folder = _release(tmp_path)

    def withhold(docs: list[Record]) -> None:
        docs[0]["text"] = None
        for span in docs[0]["spans"]:
            span["text"] = None
        docs[0]["spans"][1]["end"] = docs[0]["text_length"] + 1
        docs[1]["text"] = None  # spans still quote it: E319

    _rewrite(folder, "train.parquet", withhold)
    codes = {code for code, _, _ in _check(folder, decided)}
    assert {"E202", "E319", "E321"} <= codes


# -- what the rules rely on, in Spark ----------------------------------------------------------


def test_spark_counts_code_points(spark: Any) -> None:
    """length() and substring() count code points: not bytes, UTF-16 units or graphemes."""
    texts = [ARABIC, "👍🏽x", "e\u0301e", "cafe\u0301 🚀 قالَ", "بِسْمِ اللَّهِ", "a\U0001f680b"]
    cases = [
        (text, start, end)
        for text in texts
        for start in range(len(text))
        for end in range(start + 1, min(len(text), start + 6) + 1)
    ]
    frame = spark.createDataFrame(cases, "t STRING, s INT, e INT")
    got = frame.selectExpr("length(t)", "substring(t, s + 1, e - s)").collect()
    assert [tuple(row) for row in got] == [(len(t), t[s:e]) for t, s, e in cases]


def test_spark_fingerprints_and_nfc_agree_with_python(spark: Any) -> None:
    texts = [ARABIC, unicodedata.normalize("NFD", ARABIC), "café", "cafe\u0301", "\u212b"]
    texts += ["a\u0328\u0301", "\u0958", "ﬁ", "한국어", unicodedata.normalize("NFD", "한국어")]
    frame = spark.createDataFrame([(t,) for t in texts], "text STRING")
    got = frame.selectExpr(SPARK.sha256("text"), SPARK.nfc("text"), SPARK.not_nfc("text"))
    for text, (digest, nfc, not_nfc) in zip(texts, got.collect(), strict=True):
        assert digest == hashlib.sha256(text.encode("utf-8")).hexdigest()
        assert nfc == unicodedata.normalize("NFC", text)
        assert bool(not_nfc) == (not unicodedata.is_normalized("NFC", text)), text


def test_the_whitespace_class_is_what_strip_removes_in_java(spark: Any) -> None:
    chars = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    codes = [*map(ord, chars), ord("a"), 0x200B, 0xFEFF, 0x3000, 0x1F680]
    frame = spark.createDataFrame([(chr(c),) for c in codes], "c STRING")
    pattern = f"\\A{whitespace_class()}\\z"
    got = frame.selectExpr(SPARK.search("c", pattern)).collect()
    assert [bool(row[0]) for row in got] == [chr(c) in chars for c in codes]


def test_row_index_is_the_position_in_the_file(spark: Any, tmp_path: Path) -> None:
    """`_metadata.row_index` counts from 0 in file order, across row groups and files."""
    path = tmp_path / "odd [name] {x}.parquet"
    pq.write_table(pa.table({"n": list(range(50))}), path, row_group_size=7)
    frame = spark.read.parquet(spark_engine._hadoop_path(path))
    rows = frame.select("n", "_metadata.row_index").collect()
    assert sorted((row[0], row[1]) for row in rows) == [(n, n) for n in range(50)]


def test_string_literals_keep_every_character(spark: Any) -> None:
    values = ["it's", "back\\slash", "\\x{41}", "${var}", "new\nline", '"quoted"', "🚀"]
    row = spark.sql("SELECT " + ", ".join(SPARK.string(v) for v in values)).collect()[0]
    assert list(row) == values


# -- the command ---------------------------------------------------------------------------------


def _run(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600
    )


def test_the_command_prints_only_its_report(spark: Any) -> None:
    """Nothing of Spark's reaches stdout: the JSON report is all there is."""
    run = _run(
        "from hmeimim.cli import main; import sys; "
        f"sys.argv = ['hmeimim', 'validate', '--engine', 'spark', '--format', 'json', "
        f"{str(LATEST)!r}]; main()"
    )
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout)
    assert report["findings"] == []
    assert "Traceback" not in run.stderr


def test_without_java_the_command_says_what_to_install() -> None:
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(Path(sys.executable).parent)  # no `java` there
    run = _run(
        "from hmeimim.cli import main; import sys; "
        f"sys.argv = ['hmeimim', 'validate', '--engine', 'spark', {str(LATEST)!r}]; main()",
        env,
    )
    assert run.returncode == 2
    assert "E030" in run.stderr + run.stdout
    assert "hmeimim-corpus[spark]" in run.stderr + run.stdout
    assert "Traceback" not in run.stderr


def test_without_pyspark_the_command_says_what_to_install() -> None:
    run = _run(
        "import sys; sys.modules['pyspark'] = None; sys.modules['pyspark.sql'] = None; "
        "from hmeimim.cli import main; "
        f"sys.argv = ['hmeimim', 'validate', '--engine', 'spark', {str(LATEST)!r}]; main()"
    )
    assert run.returncode == 2
    assert "E030" in run.stderr + run.stdout
    assert "pyspark is not installed" in run.stderr + run.stdout
    assert "Traceback" not in run.stderr


def test_the_duckdb_engine_never_imports_pyspark() -> None:
    run = _run(
        "import sys; from hmeimim.actions import validate_paths; "
        f"assert validate_paths([__import__('pathlib').Path({str(LATEST)!r})]).ok; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyspark', 'py4j')))"
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "[]"
