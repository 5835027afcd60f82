"""Random bit flips in a release's Parquet, re-hashed into its manifest, through `validate`.

With the manifest's sha256 and size updated, the hash check cannot hide what the flip
did, so the Parquet reader and every check behind it meet the damaged bytes. The
oracle: coded, printable findings, or a clean report (a flip inside a string can
leave valid data). Never a traceback. `HMEIMIM_FUZZ_PARQUET_CASES` sets the number of
cases (the suite runs 200).
"""

from __future__ import annotations

import functools
import json
import os
import random
import shutil
from pathlib import Path

from fuzz_support import Tally, check_printable

from conftest import ROOT
from hmeimim.actions import validate_paths
from hmeimim.errors import HmeimimError
from hmeimim.storage.files import sha256_of

CASES = int(os.environ.get("HMEIMIM_FUZZ_PARQUET_CASES", "200"))
FILES = ("train.parquet", "entities.parquet", "annotators.parquet")


def _flip(folder: Path, rng: random.Random) -> str:
    name = rng.choice(FILES)
    path = folder / name
    data = bytearray(path.read_bytes())
    flips = rng.randint(1, 8)
    for _ in range(flips):
        bit = rng.randrange(len(data) * 8)
        data[bit // 8] ^= 1 << (bit % 8)
    path.write_bytes(bytes(data))
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["files"][name].update(sha256=sha256_of(path), bytes=len(data))
    manifest_path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return f"{flips} bit(s) in {name}"


def _one_case(folder: Path) -> str:
    try:
        report = validate_paths([folder])
    except HmeimimError as error:
        check_printable([error])
        return "refused"
    check_printable(report.findings)
    return "findings" if report.findings else "clean"


def test_bit_flips_in_parquet_give_coded_findings(tmp_path: Path) -> None:
    release = ROOT / "corpus" / "v1.0.0"
    tally = Tally()
    for seed in range(CASES):
        rng = random.Random(seed)
        # Named as its manifest's version says, so that only the flip can give findings.
        folder = tmp_path / f"case-{seed}" / release.name
        shutil.copytree(release, folder)
        what = _flip(folder, rng)
        tally.run(seed, [what], functools.partial(_one_case, folder))
        shutil.rmtree(folder.parent)
    (tmp_path.parent / "fuzz-parquet.json").write_text(
        json.dumps({"cases": CASES, **tally.outcomes}), encoding="utf-8"
    )
    assert tally.failures == [], "\n".join(tally.failures[:20])
