"""Bad input never becomes data: strict authoring YAML and a hardened ingest.

Each case here was a silent loss or a crash before (issue "nothing lost, nothing
crashes", items 1, 4 and 8): the authoring folder said clean and `release` then
published a version with a document, a layer or a value gone, or ingest took text it
should have refused.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from release_support import SEED, copy_repo, hmeimim, sources

from hmeimim.actions import validate_paths
from hmeimim.authoring.ingest import MAX_INGEST_BYTES, ingest_document, ingest_file
from hmeimim.errors import HmeimimError


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_repo(tmp_path / "repo")


def _gold(root: Path) -> Path:
    return sources(root) / "documents" / SEED / "gold.yaml"


def _meta(root: Path) -> Path:
    return sources(root) / "documents" / SEED / "meta.yaml"


def _codes(root: Path) -> list[str]:
    return sorted(f.code for f in validate_paths([sources(root)]).findings)


def _release_refused(root: Path) -> None:
    """`release` writes nothing: the releases stay those of the copy."""
    before = sorted(p.name for p in (root / "corpus").glob("v*"))
    run = hmeimim(root, "release", "--bump", "patch", "--released", "2027-01-01")
    assert run.returncode != 0, run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    assert sorted(p.name for p in (root / "corpus").glob("v*")) == before


@pytest.mark.parametrize("content", ["", "# only a comment\n", "[]\n", "just text\n"])
@pytest.mark.parametrize("name", ["gold.yaml", "meta.yaml"])
def test_an_empty_or_non_mapping_file_is_a_finding(repo: Path, name: str, content: str) -> None:
    path = _gold(repo) if name == "gold.yaml" else _meta(repo)
    path.write_text(content, encoding="utf-8")
    findings = validate_paths([sources(repo)]).findings
    assert [(f.code, f.file, f.doc_id) for f in findings] == [("E107", str(path), SEED)]
    _release_refused(repo)


def test_an_empty_registry_file_is_a_finding(repo: Path) -> None:
    (sources(repo) / "entities.yaml").write_text("# nothing\n", encoding="utf-8")
    assert "E107" in _codes(repo)


def test_a_misspelt_layer_key_is_a_finding_not_a_lost_layer(repo: Path) -> None:
    gold = _gold(repo)
    text = gold.read_text(encoding="utf-8")
    assert text.count("\nstances:\n") == 1
    gold.write_text(text.replace("\nstances:\n", "\nstance:\n"), encoding="utf-8")
    assert _codes(repo) == ["E101", "E111"]  # `stances` missing, `stance` unknown
    _release_refused(repo)


@pytest.mark.parametrize(
    ("path_of", "tail"),
    [(_gold, "stances: []\n"), (_meta, "split: test\n")],
    ids=["second-stances", "second-split"],
)
def test_a_key_given_twice_is_a_finding(repo: Path, path_of: object, tail: str) -> None:
    path = path_of(repo)  # type: ignore[operator]
    path.write_text(path.read_text(encoding="utf-8") + tail, encoding="utf-8")
    findings = validate_paths([sources(repo)]).findings
    assert [f.code for f in findings] == ["E109"]
    assert "given twice" in findings[0].message
    _release_refused(repo)


def test_a_second_entity_id_on_one_span_is_a_finding(repo: Path) -> None:
    gold = _gold(repo)
    text = gold.read_text(encoding="utf-8")
    old = "entity_id: russian-mfa,"
    assert text.count(old) == 1
    gold.write_text(text.replace(old, "entity_id: russian-mfa, entity_id: russia,"), "utf-8")
    assert _codes(repo) == ["E109"]


def test_float_offsets_are_a_wrong_type(repo: Path) -> None:
    gold = _gold(repo)
    text = gold.read_text(encoding="utf-8")
    old = "start: 4, end: 39,"
    assert text.count(old) == 1
    gold.write_text(text.replace(old, "start: 4, end: 39.0,"), encoding="utf-8")
    assert _codes(repo) == ["E107"]
    _release_refused(repo)


def test_a_yaml_alias_bomb_is_refused_in_bounded_memory(repo: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    bomb = "\n".join(lines) + "\n"
    assert len(bomb) < 1024
    _meta(repo).write_text(bomb, encoding="utf-8")
    # In a child with a 1 GiB address-space limit: expanding the aliases would need ~5 GB.
    probe = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from hmeimim.actions import validate_paths\n"
        "from pathlib import Path\n"
        "print(sorted(f.code for f in validate_paths([Path(sys.argv[1])]).findings))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe, str(sources(repo))],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "['E110']"
    assert resource.getrlimit(resource.RLIMIT_AS)  # the parent's own limit is untouched


def test_an_impossible_date_in_meta_is_a_finding(repo: Path) -> None:
    meta = _meta(repo)
    meta.write_text(meta.read_text().replace("published: 2024-12-20", "published: 2024-02-30"))
    assert _codes(repo) == ["E001"]


# -- ingest ---------------------------------------------------------------------------


def test_ingest_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path, kind in (
        (fifo, "named pipe (FIFO)"),
        (tmp_path, "folder"),
        (Path("/dev/null"), "device"),
    ):
        with pytest.raises(HmeimimError) as caught:
            ingest_file(path=path, doc_id="x-doc", sources=tmp_path / "s")
        assert caught.value.code == "E112"
        assert kind in caught.value.message
    assert not (tmp_path / "s").exists()


def test_ingest_reads_a_huge_file_in_bounded_memory(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as stream:
        stream.truncate(200 * 1024 * 1024)  # 200 MB, sparse
    probe = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from pathlib import Path\n"
        "from hmeimim.authoring.ingest import ingest_file\n"
        "from hmeimim.errors import HmeimimError\n"
        "try:\n"
        "    ingest_file(path=Path(sys.argv[1]), doc_id='huge-doc', sources=Path(sys.argv[2]))\n"
        "except HmeimimError as error:\n"
        "    print(error.code)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe, str(huge), str(tmp_path / "s")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.stdout.strip() == "E113", run.stderr[-2000:]
    assert MAX_INGEST_BYTES < 200 * 1024 * 1024


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"", "E114"),
        (b" \n\t\n ", "E114"),
        (b"Moscow\x00said", "E115"),
        (b"Moscow\x1bsaid", "E115"),
        (b"\xff\xfeM", "E001"),
    ],
)
def test_ingest_refuses_text_that_cannot_be_a_document(
    tmp_path: Path, raw: bytes, code: str
) -> None:
    with pytest.raises(HmeimimError) as caught:
        ingest_document(raw=raw, doc_id="bad-doc", sources=tmp_path)
    assert caught.value.code == code
    assert caught.value.location == "doc_id bad-doc"
    assert not (tmp_path / "documents").exists()


def test_ingest_strips_a_byte_order_mark_and_says_so(tmp_path: Path) -> None:
    ingested = ingest_document(
        raw="\ufeffMoscow said.".encode(), doc_id="bom-doc", sources=tmp_path
    )
    assert (ingested.folder / "text.txt").read_bytes() == b"Moscow said."
    assert [n.code for n in ingested.notices] == ["E116"]


def test_ingest_refuses_an_exact_copy_of_an_existing_text(tmp_path: Path) -> None:
    ingest_document(raw=b"Moscow said.\r\n", doc_id="first-doc", sources=tmp_path)
    with pytest.raises(HmeimimError) as caught:
        ingest_document(raw=b"Moscow said.\n", doc_id="second-doc", sources=tmp_path)
    assert (caught.value.code, caught.value.message) == (
        "E117",
        "has the same text as document 'first-doc'",
    )
    assert [p.name for p in (tmp_path / "documents").iterdir()] == ["first-doc"]


def test_ingest_checks_the_language_tag_and_the_date(tmp_path: Path) -> None:
    with pytest.raises(HmeimimError) as bad_tag:
        ingest_document(raw=b"Text.", doc_id="lang-doc", language="English", sources=tmp_path)
    assert bad_tag.value.code == "E106"
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(HmeimimError) as future:
        ingest_document(raw=b"Text.", doc_id="date-doc", published=tomorrow, sources=tmp_path)
    assert future.value.code == "E118"
    assert not (tmp_path / "documents").exists()


def test_cli_ingest_prints_the_notice_and_no_traceback(tmp_path: Path) -> None:
    text = tmp_path / "report.txt"
    text.write_bytes("\ufeffMoscow said.".encode())
    run = subprocess.run(
        [
            str(Path(sys.executable).parent / "hmeimim"),
            "ingest",
            str(text),
            "--doc-id",
            "cli-doc",
            "--published",
            "2024-12-20",
            "--sources",
            str(tmp_path / "s"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "E116 byte-order-mark" in run.stdout
    bad = subprocess.run(
        [
            str(Path(sys.executable).parent / "hmeimim"),
            "ingest",
            str(tmp_path),
            "--doc-id",
            "x-doc",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert "E112" in bad.stderr
    assert "Traceback" not in bad.stderr
