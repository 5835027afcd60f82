"""An export is decoded one task at a time, and says exactly what reading it whole says.

`parse._streamed_tasks` decodes the tasks of an export through a window of the file;
anything but a well-formed JSON list of tasks makes `read_export` read the file whole,
so that an unusable export gets the same error as before. The window is shrunk to a few
characters here, so that every task is cut by it.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from hmeimim.errors import HmeimimError
from hmeimim.labelstudio import parse
from hmeimim.labelstudio.boundary import LongNumber

WELL_FORMED = [
    "[]",
    " [ ]\n",
    '[{"id": 1}]',
    '[{"id": 12345678901234567890123}, {"b": [1, 2, {"c": null}]}]',
    '[{"x": "é€دمشق🚀", "y": "a\\u00e9\\"b"}]',
    '[1, {"annotations": [], "data": {}}]',
    '[{"n": [1e5, -0.5, 3, NaN]}]',
]
MALFORMED = ["[1,]", "[,1]", "[1 2]", '{"a": 1}', '"x"', "[1]x", "\ufeff[1]", "[1", '[{"a":', ""]


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "export.json"
    path.write_bytes(text.encode("utf-8"))
    return path


def _random_exports(count: int) -> list[str]:
    rnd = random.Random(7)
    texts = []
    for _ in range(count):
        tasks = [
            {
                "id": rnd.randint(0, 10**25),
                "t": "".join(rnd.choice('ab é€🚀"\\\n') for _ in range(rnd.randint(0, 20))),
                "n": [rnd.random(), None, True],
            }
            for _ in range(rnd.randint(0, 4))
        ]
        texts.append(
            json.dumps(tasks, ensure_ascii=rnd.random() < 0.5, indent=rnd.choice([None, 1]))
        )
    return texts


@pytest.fixture(autouse=True)
def _small_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse, "_CHUNK", 5)


@pytest.mark.parametrize("text", WELL_FORMED + _random_exports(60))
def test_streamed_tasks_are_the_tasks_of_the_whole_file(tmp_path: Path, text: str) -> None:
    whole: list[Any] = json.loads(text)
    streamed = list(parse._streamed_tasks(_file(tmp_path, text)))
    assert repr(streamed) == repr(whole)


def test_a_long_number_is_read_as_when_whole(tmp_path: Path) -> None:
    (task,) = parse._streamed_tasks(_file(tmp_path, '[{"id": ' + "9" * 5000 + "}]"))
    assert isinstance(task["id"], LongNumber)


@pytest.mark.parametrize("text", MALFORMED)
def test_a_malformed_export_is_left_to_the_whole_reading(tmp_path: Path, text: str) -> None:
    with pytest.raises(parse._NotStreamable):
        list(parse._streamed_tasks(_file(tmp_path, text)))


@pytest.mark.parametrize(
    ("text", "code"),
    [("[1,]", "E701"), ('{"a": 1}', "E701"), ('[{"annotator": 1, "annotation_id": 2}]', "E702")],
)
def test_read_export_reports_as_before(tmp_path: Path, text: str, code: str) -> None:
    with pytest.raises(HmeimimError) as raised:
        parse.read_export(_file(tmp_path, text))
    assert raised.value.code == code
