"""Mutated authoring YAML through `validate` and `release`: refused, or released whole.

Each case breaks one authoring file of a copy of `corpus/sources/` the way hand edits
break YAML: a line deleted or doubled, a key misspelt or repeated, a number turned
into a float, an alias, a file emptied or turned into a list. `validate` must report
coded findings or nothing; when it reports nothing, the release written from the
folder must validate clean and hold every span, frame and stance id that the mutated
files name (read from the text with a regular expression, not with the package's
loader), so nothing is lost silently. `HMEIMIM_FUZZ_YAML_CASES` sets the number of
cases (the suite runs 60).
"""

from __future__ import annotations

import functools
import json
import os
import random
import re
import shutil
from pathlib import Path

from fuzz_support import Tally, check_printable
from release_support import SEED, copy_repo, sources

from hmeimim.actions import validate_paths
from hmeimim.errors import HmeimimError
from hmeimim.release.make import write_next_release
from hmeimim.storage.records import read_release_records

CASES = int(os.environ.get("HMEIMIM_FUZZ_YAML_CASES", "60"))
ID_KEYS = {"span": "span_id", "frame": "frame_id", "stance": "stance_id"}


def _benign(text: str, rng: random.Random) -> tuple[str, str] | None:
    """An edit a reviewer might make on purpose, so that some cases do release."""
    lines = text.split("\n")
    droppable = [
        i
        for i, line in enumerate(lines)
        if (found := re.search(r"span_id: ([\w-]+)", line)) and text.count(found.group(1)) == 1
    ]
    if droppable:
        index = rng.choice(droppable)
        del lines[index]
        return "\n".join(lines), f"drop unreferenced span at line {index + 1}"
    if "title: null" in text:
        return text.replace("title: null", "title: Russia leaves", 1), "set the title"
    return None


def _mutate_text(text: str, rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.25 and (benign := _benign(text, rng)) is not None:
        return benign
    lines = text.split("\n")
    index = rng.randrange(len(lines))
    line = lines[index]
    action = rng.choice(
        [
            "drop",
            "double",
            "misspell-key",
            "float",
            "huge",
            "alias",
            "empty",
            "list",
            "repeat-key",
            "unknown-key",
            "tab",
            "truncate",
        ]
    )
    if action == "drop":
        del lines[index]
    elif action == "double":
        lines.insert(index, line)
    elif action == "misspell-key":
        lines[index] = re.sub(r"^(\s*-?\s*\{?\s*)([a-z_]+)(s?):", r"\1\2x:", line, count=1)
    elif action == "float":
        lines[index] = re.sub(r"\b(start|end): (\d+)", r"\1: \2.0", line, count=1)
    elif action == "huge":
        lines[index] = re.sub(r"\b(start|end): (\d+)", r"\1: 1" + "0" * 30, line, count=1)
    elif action == "alias":
        bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
        bomb += [
            f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}" + f",*{chr(97 + i)}" * 8 + "]"
            for i in range(8)
        ]
        lines = bomb + lines
    elif action == "empty":
        lines = [""]
    elif action == "list":
        lines = ["- just", "- a list"]
    elif action == "repeat-key":
        key = rng.choice(["stances: []", "split: test", "spans: []"])
        lines.append(key)
    elif action == "unknown-key":
        lines.append("stance: []")
    elif action == "tab":
        lines[index] = "\t" + line
    else:
        lines = lines[: max(1, index)]
    return "\n".join(lines), f"{action} at line {index + 1}"


def _ids(text: str, kind: str) -> set[str]:
    return set(re.findall(rf"\b{ID_KEYS[kind]}: ([\w-]+)", text))


def _one_case(root: Path, target: Path) -> str:
    report = validate_paths([sources(root)])
    check_printable(report.findings)
    if report.findings:
        return "findings"
    try:
        result = None
        for bump in ("patch", "minor", "major"):
            try:
                result = write_next_release(bump=bump, root=root, released="2027-01-01")
                break
            except HmeimimError as error:
                check_printable([error])
                if error.code == "E602":
                    return "unchanged"
                if error.code != "E601":
                    return "refused"
    except HmeimimError as error:
        check_printable([error])
        return "refused"
    assert result is not None
    if result.findings:
        check_printable(result.findings)
        return "release-findings"
    assert result.path is not None
    released = validate_paths([result.path])
    assert released.findings == [], [f.render() for f in released.findings][:3]
    gold_text = target.read_text(encoding="utf-8") if target.name == "gold.yaml" else None
    if gold_text is not None:
        records = read_release_records(result.path).records
        docs = [d for d in records.documents if d["doc_id"] == SEED]
        assert len(docs) == 1, "the document was dropped from the release"
        (doc,) = docs
        for kind, column in (("span", "spans"), ("frame", "attributions"), ("stance", "stances")):
            written = {item[ID_KEYS[kind]] for item in doc[column]}
            assert written == _ids(gold_text, kind), f"{kind} ids differ from the YAML text"
    return "released"


def test_mutated_authoring_files_are_refused_or_released_whole(tmp_path: Path) -> None:
    pristine = copy_repo(tmp_path / "pristine")
    files = [
        sources(pristine) / "documents" / SEED / "gold.yaml",
        sources(pristine) / "documents" / SEED / "meta.yaml",
        sources(pristine) / "entities.yaml",
    ]
    tally = Tally()
    for seed in range(CASES):
        rng = random.Random(seed)
        root = tmp_path / f"case-{seed}"
        shutil.copytree(pristine, root)
        chosen = rng.choice(files)
        target = root / chosen.relative_to(pristine)
        text, what = _mutate_text(target.read_text(encoding="utf-8"), rng)
        target.write_text(text, encoding="utf-8")
        tally.run(seed, [f"{target.name}: {what}"], functools.partial(_one_case, root, target))
        shutil.rmtree(root)
    (tmp_path.parent / "fuzz-authoring.json").write_text(
        json.dumps({"cases": CASES, **tally.outcomes}), encoding="utf-8"
    )
    assert tally.failures == [], "\n".join(tally.failures[:20])
