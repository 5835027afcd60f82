"""Benchmark: validation and loading against the cost of reading the Parquet itself.

Builds synthetic releases of N documents (copies of the seed report of the latest
release, with fresh ids, and that release's registries) in a temporary folder, then
times, in the same run:

- baseline: `pyarrow.parquet.read_table` of the split file, converted to Python rows;
- validate: `hmeimim.validate_paths` on the release (hashes, schema, every check);
- spans: the flat pandas view of every span;
- load: `hmeimim.load` (Hugging Face `datasets`, fresh cache each time).

It prints each time as a ratio to the baseline of the same size, and the growth per
document across sizes (linear cost keeps the ratios flat). Timings are medians of
--repeat runs. Nothing here is asserted; machines are noisy.

    .venv/bin/python scripts/benchmark.py [--sizes 100 1000 4000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

import hmeimim
from hmeimim.model import CorpusRecords
from hmeimim.paths import schema_dir
from hmeimim.schema.declaration import load_schema
from hmeimim.storage.records import read_release_records
from hmeimim.storage.releases import release_dir
from hmeimim.storage.writer import write_release

SEED_DOC = "2024-12-20-russia-withdrawal-syria"
# Stance targets that are span ids of the document (the others name registry entries).
SPAN_TARGETS = ("mention", "claim")


def synthetic_documents(seed: dict[str, Any], count: int) -> list[dict[str, Any]]:
    documents = []
    for index in range(count):
        prefix = f"b{index:06d}-"
        doc = copy.deepcopy(seed)
        doc["doc_id"] = f"bench-{index:06d}"
        rename = {s["span_id"]: prefix + s["span_id"] for s in doc["spans"]}
        for span in doc["spans"]:
            span["span_id"] = rename[span["span_id"]]
        for frame in doc["attributions"]:
            frame["frame_id"] = prefix + frame["frame_id"]
            frame["cue"] = rename[frame["cue"]]
            frame["sources"] = [rename[s] for s in frame["sources"]]
            frame["contents"] = [rename[s] for s in frame["contents"]]
        for stance in doc["stances"]:
            stance["stance_id"] = prefix + stance["stance_id"]
            if stance["holder"]:
                stance["holder"] = rename[stance["holder"]]
            if stance["target_kind"] in SPAN_TARGETS:
                stance["target"] = rename[stance["target"]]
            stance["evidence"] = [rename[s] for s in stance["evidence"]]
        documents.append(doc)
    return documents


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(folder: Path, version: str, repeat: int) -> tuple[float, dict[str, float]]:
    """Median seconds of the baseline and of each operation on one release."""
    train = folder / "train.parquet"
    baseline = median_seconds(lambda: pq.read_table(train).to_pylist(), repeat)
    report = hmeimim.validate_paths([folder])
    if report.findings:
        raise SystemExit(f"synthetic release has findings: {report.findings[0].render()}")

    def load_fresh() -> None:
        with tempfile.TemporaryDirectory() as cache:
            hmeimim.load(version, cache_dir=cache)

    return baseline, {
        "validate": median_seconds(lambda: hmeimim.validate_paths([folder]), repeat),
        "spans": median_seconds(lambda: hmeimim.spans(version), repeat),
        "load": median_seconds(load_fresh, repeat),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 4000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    schema = load_schema()
    latest = read_release_records(release_dir()).records
    (seed,) = [d for d in latest.documents if d["doc_id"] == SEED_DOC]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "schema").symlink_to(schema_dir().resolve())
        print(f"{'docs':>6} {'baseline s':>11} {'validate':>9} {'spans':>7} {'load':>7}")
        for size in args.sizes:
            folder = root / "corpus" / f"v{size}.0.0"
            write_release(
                folder,
                records=CorpusRecords(
                    documents=synthetic_documents(seed, size),
                    entities=latest.entities,
                    claims=latest.claims,
                ),
                schema=schema,
                version=f"{size}.0.0",
                released="2026-01-01",
                parent=None,
                sources_digest="0" * 64,
            )
            os.environ["HMEIMIM_ROOT"] = str(root)
            baseline, timings = measure(folder, f"{size}.0.0", args.repeat)
            ratios = " ".join(
                f"{timings[k] / baseline:>8.1f}x" for k in ("validate", "spans", "load")
            )
            print(f"{size:>6} {baseline:>11.4f} {ratios}")


if __name__ == "__main__":
    main()
