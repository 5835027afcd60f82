"""`diff_folders` (DuckDB joins of the written releases) against `diff_records`.

`diff_records` is the whole-dict comparison that `diff_releases` used before it joined
the Parquet tables, and it still compares in-memory records for `hmeimim release`. Both
must give exactly the same changes, in the same order, with the same values: random
edits of a small release are written as two release folders and diffed both ways.
A few hand-written cases pin the expected changes themselves.
"""

from __future__ import annotations

import copy
import json
import random
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hmeimim.errors import HmeimimError
from hmeimim.model import CorpusRecords
from hmeimim.release import diff as diff_module
from hmeimim.release.diff import Change, Diff, diff_folders, diff_records
from hmeimim.storage.records import read_release_records
from hmeimim.storage.releases import release_dir, release_schema
from hmeimim.storage.writer import write_release

REPO = Path(__file__).resolve().parent.parent
BASE = release_dir("1.2.0", REPO)
Records = CorpusRecords
Edit = Callable[[random.Random, Records], None]


def base_records() -> Records:
    return copy.deepcopy(read_release_records(BASE).records)


def write(folder: Path, records: Records, version: str) -> Path:
    schema = release_schema(BASE)
    return write_release(
        folder,
        records=records,
        schema=schema,
        version=version,
        released="2026-01-02",
        parent=None,
        sources_digest="0" * 64,
    )


def by_records(old: Path, new: Path) -> Diff:
    """The whole-dict diff of the records the two folders hold."""
    a, b = read_release_records(old), read_release_records(new)
    return diff_records(a.records, b.records, old=a.version, new=b.version)


def same(joined: Diff, reference: Diff) -> None:
    assert joined.old == reference.old
    assert joined.new == reference.new
    assert joined.changes == reference.changes
    # Same values of the same Python types, as the JSON output shows them.
    assert json.dumps(joined.to_dict()) == json.dumps(reference.to_dict())
    for mine, theirs in zip(joined.changes, reference.changes, strict=True):
        for name, values in mine.fields.items():
            assert [type(v) for v in values] == [type(v) for v in theirs.fields[name]]


# --- random edits --------------------------------------------------------------------


def _doc(rng: random.Random, records: Records) -> dict[str, Any]:
    return rng.choice(records.documents)


def _with_items(rng: random.Random, records: Records, column: str) -> dict[str, Any] | None:
    holding = [d for d in records.documents if d[column]]
    return rng.choice(holding) if holding else None


def remove_document(rng: random.Random, records: Records) -> None:
    if len(records.documents) > 1:
        records.documents.remove(_doc(rng, records))


def add_document(rng: random.Random, records: Records) -> None:
    """A copy of a document under new ids, so that its items are all added."""
    tag = f"x{rng.randrange(10**6)}"
    doc = copy.deepcopy(_doc(rng, records))
    doc["doc_id"] = f"{doc['doc_id'][:60]}-{tag}"
    for span in doc["spans"]:
        span["span_id"] = f"{span['span_id']}{tag}"
    for frame in doc["attributions"]:
        frame["frame_id"] = f"{frame['frame_id']}{tag}"
    for stance in doc["stances"]:
        stance["stance_id"] = f"{stance['stance_id']}{tag}"
    records.documents.append(doc)


def change_document(rng: random.Random, records: Records) -> None:
    doc = _doc(rng, records)
    which = rng.choice(["title", "text", "published", "outlet", "text_length"])
    if which == "text":
        doc["text"] = (doc["text"] or "") + " An added sentence."
    elif which == "published":
        doc["published"] = None if doc["published"] else doc.get("published")
    elif which == "text_length":
        doc["text_length"] += 1
    else:
        doc[which] = None if doc[which] else "Changed"


def move_span(rng: random.Random, records: Records) -> None:
    source = _with_items(rng, records, "spans")
    if source is None:
        return
    span = source["spans"].pop(rng.randrange(len(source["spans"])))
    rng.choice(records.documents)["spans"].append(span)


def change_span(rng: random.Random, records: Records) -> None:
    doc = _with_items(rng, records, "spans")
    if doc is None:
        return
    span = rng.choice(doc["spans"])
    which = rng.choice(["start", "label", "entity_id", "metonymy", "text"])
    if which == "start":
        span["start"] += 1
    elif which == "metonymy":
        span["metonymy"] = not span["metonymy"]
    else:
        span[which] = "PER" if which == "label" else (None if span[which] else "GPE")


def remove_span(rng: random.Random, records: Records) -> None:
    doc = _with_items(rng, records, "spans")
    if doc is not None:
        doc["spans"].pop(rng.randrange(len(doc["spans"])))


def change_frame(rng: random.Random, records: Records) -> None:
    doc = _with_items(rng, records, "attributions")
    if doc is None:
        return
    frame = rng.choice(doc["attributions"])
    which = rng.choice(["source_type", "sources", "contents", "parent"])
    if which in ("sources", "contents"):
        frame[which] = [*frame[which], "s-new"] if rng.random() < 0.5 else frame[which][1:]
    else:
        frame[which] = None if frame[which] else "media"


def remove_frame(rng: random.Random, records: Records) -> None:
    doc = _with_items(rng, records, "attributions")
    if doc is not None:
        doc["attributions"].pop(rng.randrange(len(doc["attributions"])))


def change_stance(rng: random.Random, records: Records) -> None:
    doc = _with_items(rng, records, "stances")
    if doc is None:
        return
    stance = rng.choice(doc["stances"])
    stance["polarity"] = "favor" if stance["polarity"] != "favor" else "against"
    if rng.random() < 0.3:
        stance["evidence"] = [*stance["evidence"], "s-extra"]


def move_stance(rng: random.Random, records: Records) -> None:
    source = _with_items(rng, records, "stances")
    if source is not None:
        stance = source["stances"].pop(rng.randrange(len(source["stances"])))
        rng.choice(records.documents)["stances"].append(stance)


def change_entity(rng: random.Random, records: Records) -> None:
    entity = rng.choice(records.entities)
    which = rng.choice(["name", "wikidata", "description", "remove", "add"])
    if which == "remove":
        records.entities.remove(entity)
    elif which == "add":
        records.entities.append({**entity, "entity_id": f"new-{rng.randrange(10**6)}"})
    elif which == "name":
        entity["name"] += " (changed)"
    else:
        entity[which] = None if entity[which] else "Changed"


def change_claim(rng: random.Random, records: Records) -> None:
    if not records.claims:
        return
    claim = rng.choice(records.claims)
    which = rng.choice(["statement", "description", "remove"])
    if which == "remove":
        records.claims.remove(claim)
    elif which == "statement":
        claim["statement"] += " Changed."
    else:
        claim[which] = None if claim[which] else "Changed."


def change_layer(rng: random.Random, records: Records) -> None:
    layer = rng.choice(records.annotator_layers)
    which = rng.choice(["drop-span", "polarity", "remove", "add"])
    if which == "remove":
        records.annotator_layers.remove(layer)
    elif which == "add":
        records.annotator_layers.append({**copy.deepcopy(layer), "annotator": "newcomer"})
    elif which == "drop-span" and layer["spans"]:
        layer["spans"].pop(rng.randrange(len(layer["spans"])))
    elif layer["stances"]:
        stance = rng.choice(layer["stances"])
        stance["polarity"] = "uncertain" if stance["polarity"] != "uncertain" else "favor"


EDITS: list[Edit] = [
    remove_document,
    add_document,
    change_document,
    move_span,
    change_span,
    remove_span,
    change_frame,
    remove_frame,
    change_stance,
    move_stance,
    change_entity,
    change_claim,
    change_layer,
]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    edits=st.lists(st.sampled_from(EDITS), min_size=1, max_size=8),
    rng=st.randoms(use_true_random=False),
)
def test_joined_diff_equals_the_whole_dict_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edits: list[Edit], rng: random.Random
) -> None:
    # A join per row group (split file), so that moves between ranges of doc_ids are seen.
    monkeypatch.setattr(diff_module, "PARTITION_ROWS", 1)
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    old_records, new_records = base_records(), base_records()
    for edit in edits:
        edit(rng, new_records)
    old = write(work / "v1.0.0", old_records, "1.0.0")
    new = write(work / "v1.1.0", new_records, "1.1.0")
    same(diff_folders(old, new), by_records(old, new))
    same(diff_folders(new, old), by_records(new, old))
    shutil.rmtree(work)


# --- hand-written cases --------------------------------------------------------------


def test_a_moved_span_and_a_changed_title(tmp_path: Path) -> None:
    old_records, new_records = base_records(), base_records()
    first, second = new_records.documents[0], new_records.documents[1]
    span = first["spans"].pop(0)
    second["spans"].append(span)
    before_title = first["title"]
    first["title"] = "A new headline"
    old = write(tmp_path / "v1.0.0", old_records, "1.0.0")
    new = write(tmp_path / "v1.1.0", new_records, "1.1.0")
    diff = diff_folders(old, new)
    assert diff.changes == [
        Change(
            "document",
            first["doc_id"],
            "changed",
            first["doc_id"],
            {"title": (before_title, "A new headline")},
        ),
        Change(
            "span",
            span["span_id"],
            "changed",
            second["doc_id"],
            {"doc_id": (first["doc_id"], second["doc_id"])},
        ),
    ]


def test_identical_releases_have_no_changes(tmp_path: Path) -> None:
    old = write(tmp_path / "v1.0.0", base_records(), "1.0.0")
    new = write(tmp_path / "v1.1.0", base_records(), "1.1.0")
    assert diff_folders(old, new).changes == []


@pytest.mark.parametrize(("old", "new"), [("1.0.0", "1.2.0"), ("1.2.0", "1.0.0")])
def test_releases_of_different_schemas(old: str, new: str) -> None:
    """1.0.0 has no claims table and no `claim_id` on spans: the columns one release
    lacks count as null, as in the whole-dict diff."""
    first, second = release_dir(old, REPO), release_dir(new, REPO)
    diff = diff_folders(first, second)
    same(diff, by_records(first, second))
    assert diff.count("claim", "added" if old == "1.0.0" else "removed") == 12


def test_split_files_are_found_through_the_manifest(tmp_path: Path) -> None:
    """A split written as several files (`train-00000-of-00002.parquet`, ...) and listed
    so in the manifest is diffed as the single file it replaces."""
    old_records, new_records = base_records(), base_records()
    removed = new_records.documents.pop(0)
    old = write(tmp_path / "v1.0.0", old_records, "1.0.0")
    new = write(tmp_path / "v1.1.0", new_records, "1.1.0")
    expected = diff_folders(old, new).changes
    assert Change("document", removed["doc_id"], "removed", removed["doc_id"]) in expected
    for folder in (old, new):
        table = pq.read_table(folder / "train.parquet")
        manifest = json.loads((folder / "manifest.json").read_text())
        entry = manifest["files"].pop("train.parquet")
        (folder / "train.parquet").unlink()
        half = table.num_rows // 2
        for i, part in enumerate([table.slice(0, half), table.slice(half)]):
            name = f"train-0000{i}-of-00002.parquet"
            pq.write_table(part, folder / name)
            manifest["files"][name] = {**entry, "rows": part.num_rows}
        (folder / "manifest.json").write_text(json.dumps(manifest))
    assert diff_folders(old, new).changes == expected


def test_a_damaged_file_is_reported_as_every_reader_reports_it(tmp_path: Path) -> None:
    """Pages DuckDB cannot decode send the diff to the record readers, which say E001
    naming the file, instead of an engine traceback."""
    old = write(tmp_path / "v1.0.0", base_records(), "1.0.0")
    new = write(tmp_path / "v1.1.0", base_records(), "1.1.0")
    path = new / "train.parquet"
    data = bytearray(path.read_bytes())
    footer = int.from_bytes(data[-8:-4], "little") + 8
    for i in range(4, len(data) - footer, 7):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    with pytest.raises(HmeimimError) as raised:
        diff_folders(old, new)
    assert raised.value.code == "E001"
    assert str(path) in str(raised.value)
