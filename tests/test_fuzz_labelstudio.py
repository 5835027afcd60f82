"""Mutated Label Studio exports through `ls import`, `validate` and `agreement`.

Each case mutates a real export (the v1.0.0 gold and a constructed document, two
annotators) one to three times. The oracle (tests/fuzz_support.py): a coded error, or
coded findings, or an import whose written folder validates clean; every message must
print. `HMEIMIM_FUZZ_CASES` sets the number of cases (the suite runs 300; the closing
notes report runs of 5,000).
"""

from __future__ import annotations

import copy
import functools
import json
import os
import random
from pathlib import Path
from typing import Any

from fuzz_support import Tally, check_printable, mutate, to_json_text
from ls_support import as_label_studio_export, constructed_task

from hmeimim.actions import validate_paths
from hmeimim.errors import HmeimimError
from hmeimim.labelstudio.agreement import agreement_from_export
from hmeimim.labelstudio.importer import import_export, write_import
from hmeimim.labelstudio.tasks import build_tasks
from hmeimim.storage.records import read_documents

CASES = int(os.environ.get("HMEIMIM_FUZZ_CASES", "300"))


def base_export() -> list[dict[str, Any]]:
    tasks = build_tasks(read_documents("1.0.0"), version="1.0.0", as_="annotations")
    tasks.append(constructed_task(as_="annotations", crlf=False))
    export = as_label_studio_export(tasks)
    for task in export:
        second = copy.deepcopy(task["annotations"][0])
        second.update(id=second["id"] + 50, completed_by={"id": 8, "email": "b@example.com"})
        task["annotations"].append(second)
    return export


def _one_case(path: Path, out: Path) -> str:
    try:
        result = import_export(path)
    except HmeimimError as error:
        check_printable([error])
        outcome = "refused"
    else:
        check_printable([*result.findings, *result.notices])
        if result.findings:
            outcome = "findings"
        else:
            write_import(result, out)
            written = validate_paths([out])
            assert written.findings == [], [f.render() for f in written.findings][:3]
            outcome = "written"
    try:
        check_printable(validate_paths([path]).findings)
    except HmeimimError as error:
        check_printable([error])
    try:
        check_printable(agreement_from_export(path).findings)
    except HmeimimError as error:
        check_printable([error])
    return outcome


def test_mutated_exports_never_crash_and_never_write_an_invalid_folder(tmp_path: Path) -> None:
    export = base_export()
    json.dumps(export)  # the unmutated export itself must be plain JSON
    tally = Tally()
    for seed in range(CASES):
        rng = random.Random(seed)
        mutated, what = mutate(export, rng, rng.randint(1, 3))
        path = tmp_path / f"export-{seed}.json"
        path.write_text(to_json_text(mutated), encoding="utf-8")
        tally.run(seed, what, functools.partial(_one_case, path, tmp_path / f"out-{seed}"))
        path.unlink()
    report = tmp_path.parent / "fuzz-labelstudio.json"
    report.write_text(json.dumps({"cases": CASES, **tally.outcomes}), encoding="utf-8")
    assert tally.failures == [], "\n".join(tally.failures[:20])
    assert sum(tally.outcomes.values()) == CASES
