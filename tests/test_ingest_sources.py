"""Ingest of web pages, JSON Lines and batches: extraction, metadata, ids, duplicates.

The expected article text (report.expected.txt) was written by hand from report.html;
expected ids, dates and similarities below are written out, never computed by the code
under test.
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from hmeimim.actions import validate_paths
from hmeimim.authoring.duplicates import NEAR_DUPLICATE_THRESHOLD, similarity
from hmeimim.authoring.ingest import IngestRefused, ingest_paths
from hmeimim.errors import HmeimimError

FIXTURES = ROOT / "tests" / "fixtures" / "ingest"
REPORT = FIXTURES / "report.html"
REWRAPPED = FIXTURES / "report-rewrapped.html"
DOC_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{2,79}$"
# Derived by hand: date, slug of the title cut to 48 characters at a hyphen, and the
# first 6 hex digits of `sha256sum tests/fixtures/ingest/report.expected.txt`.
REPORT_ID = "2024-12-19-russian-transport-flights-leave-hmeimim-as-81897b"
BOILERPLATE = [
    "We use cookies",
    "Accept all cookies",
    "Subscribe now",
    "Podcasts",
    "Advertisement",
    "Fly to Cyprus",
    "savings account",
    "Share on X",
    "Share on Facebook",
    "Copy link",
    "Related stories",
    "Tartus dockworkers fear",
    "Comments (3)",
    "Great reporting",
    "Nobody here believes it",
    "Post comment",
    "All rights reserved",
    "Privacy policy",
    "Middle East",
    "By Nadia Sarkis",
]


def _sources(tmp_path: Path) -> Path:
    sources = tmp_path / "sources"
    (sources / "documents").mkdir(parents=True)
    (sources / "entities.yaml").write_text("[]\n")
    return sources


def _listing(sources: Path) -> list[str]:
    return sorted(str(p.relative_to(sources)) for p in sources.rglob("*"))


def _hmeimim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hmeimim", *args], capture_output=True, text=True, check=False
    )


# -- web pages ------------------------------------------------------------------------------


def test_a_page_gives_its_article_text_and_metadata(tmp_path: Path) -> None:
    sources = _sources(tmp_path)
    started = time.perf_counter()
    (ingested,) = ingest_paths([REPORT], given={"license": "all-rights-reserved"}, sources=sources)
    elapsed = time.perf_counter() - started
    assert ingested.doc_id == REPORT_ID
    text = (ingested.folder / "text.txt").read_text(encoding="utf-8")
    assert text == (FIXTURES / "report.expected.txt").read_text(encoding="utf-8")
    assert text.count("\n\n") == 6
    for boilerplate in BOILERPLATE:
        assert boilerplate not in text, boilerplate
    meta = yaml.safe_load((ingested.folder / "meta.yaml").read_text(encoding="utf-8"))
    assert meta == {
        "doc_id": REPORT_ID,
        "title": "Russian transport flights leave Hmeimim as Moscow scales back in Syria",
        "published": dt.date(2024, 12, 19),
        "language": "en",
        "outlet": "The Mediterranean Observer",
        "url": "https://mediterranean-observer.example/world/2024/12/19/russian-flights-leave-hmeimim",
        "author": "Nadia Sarkis",
        "provenance": "published",
        "license": "all-rights-reserved",
        "perspective": None,
        "split": "train",
    }
    assert validate_paths([sources]).findings == []
    assert elapsed < 10


def test_options_override_what_the_page_says(tmp_path: Path) -> None:
    sources = _sources(tmp_path)
    given = {
        "doc_id": "observer-hmeimim-flights",
        "title": "Cargo flights leave Hmeimim",
        "published": "2024-12-20",
        "outlet": "Observer",
        "author": "N. Sarkis",
        "license": "cc-by-4.0",
        "perspective": "libyan",
    }
    (ingested,) = ingest_paths([REPORT], given=given, sources=sources)
    meta = yaml.safe_load((ingested.folder / "meta.yaml").read_text(encoding="utf-8"))
    assert ingested.doc_id == "observer-hmeimim-flights"
    assert (meta["title"], str(meta["published"]), meta["outlet"], meta["author"]) == (
        "Cargo flights leave Hmeimim",
        "2024-12-20",
        "Observer",
        "N. Sarkis",
    )
    # The SPDX spelling, and the split the perspective decides (schema `splits`).
    assert (meta["license"], meta["split"]) == ("CC-BY-4.0", "validation")
    assert validate_paths([sources]).findings == []


def test_the_same_report_rewrapped_is_a_near_duplicate(tmp_path: Path) -> None:
    sources = _sources(tmp_path)
    ingest_paths([REPORT], sources=sources)
    before = _listing(sources)
    with pytest.raises(HmeimimError) as caught:
        ingest_paths([REWRAPPED], sources=sources)
    assert caught.value.code == "E124"
    assert caught.value.params["twin"] == REPORT_ID
    assert caught.value.params["threshold"] == "0.50"
    # One paragraph of seven changed: the true Jaccard of the word 5-grams is 0.758.
    assert 0.70 <= float(caught.value.params["similarity"]) <= 0.82
    assert str(REWRAPPED) in caught.value.location
    assert _listing(sources) == before


def test_independent_reports_on_the_same_story_are_not_near_duplicates() -> None:
    documents = sorted((ROOT / "corpus" / "sources" / "documents").iterdir())
    texts = [(d / "text.txt").read_text(encoding="utf-8") for d in documents]
    assert len(texts) == 17
    highest = max(
        similarity(first, second) for i, first in enumerate(texts) for second in texts[i + 1 :]
    )
    assert highest < NEAR_DUPLICATE_THRESHOLD / 2


def test_the_derived_doc_id_is_stable(tmp_path: Path) -> None:
    first = ingest_paths([REPORT], sources=_sources(tmp_path / "a"))[0].doc_id
    second = ingest_paths([REPORT], sources=_sources(tmp_path / "b"))[0].doc_id
    assert first == second == REPORT_ID
    assert re.fullmatch(DOC_ID_PATTERN, first)


# -- JSON Lines and batches -----------------------------------------------------------------


def test_a_jsonl_file_of_arabic_and_french_reports(tmp_path: Path) -> None:
    sources = _sources(tmp_path)
    arabic, french = ingest_paths([FIXTURES / "reports.jsonl"], sources=sources)
    # The Arabic title leaves no ASCII slug: date and hash only.
    assert re.fullmatch(r"2024-12-19-[0-9a-f]{6}", arabic.doc_id)
    assert re.fullmatch(r"2024-12-19-les-avions-russes-quittent-hmeimim-[0-9a-f]{6}", french.doc_id)
    ar_text = (arabic.folder / "text.txt").read_text(encoding="utf-8")
    assert ar_text.startswith("غادرت طائرات شحن روسية قاعدة حميميم")
    ar_meta = yaml.safe_load((arabic.folder / "meta.yaml").read_text(encoding="utf-8"))
    fr_meta = yaml.safe_load((french.folder / "meta.yaml").read_text(encoding="utf-8"))
    assert (ar_meta["language"], ar_meta["outlet"], ar_meta["license"]) == (
        "ar",
        "صحيفة الساحل",
        "CC-BY-4.0",
    )
    # `unknown` is stored as given: the text policy then releases it stand-off.
    assert (fr_meta["language"], fr_meta["license"], fr_meta["author"]) == (
        "fr",
        "unknown",
        "Claire Duval",
    )
    assert validate_paths([sources]).findings == []


def test_a_bad_jsonl_line_refuses_the_whole_batch(tmp_path: Path) -> None:
    sources = _sources(tmp_path)
    before = _listing(sources)
    bad = FIXTURES / "bad-line.jsonl"
    with pytest.raises(IngestRefused) as caught:
        ingest_paths([FIXTURES / "reports.jsonl", bad], sources=sources)
    assert caught.value.code == "E127"
    assert caught.value.message == "2 of 5 input(s) refused; nothing is written"
    located = [(e.code, e.location) for e in caught.value.errors]
    assert located == [("E126", f"{bad} line 2"), ("E126", f"{bad} line 3")]
    assert "unknown key(s) source" in caught.value.errors[0].message
    assert "invalid JSON" in caught.value.errors[1].message
    assert _listing(sources) == before


def test_duplicates_within_one_batch(tmp_path: Path) -> None:
    sources = _sources(tmp_path)
    copy = tmp_path / "copy.html"
    copy.write_bytes(REPORT.read_bytes())
    with pytest.raises(IngestRefused) as caught:
        ingest_paths([REPORT, copy, REWRAPPED], sources=sources)
    codes = [(e.code, e.location.split(" ")[0]) for e in caught.value.errors]
    # The copy has the same date, title and text, so the same derived id.
    assert codes == [("E102", str(copy)), ("E124", str(REWRAPPED))]
    assert str(sources / "documents" / REPORT_ID) in caught.value.errors[0].location
    assert caught.value.errors[0].params["first"] == str(REPORT)
    assert _listing(sources) == ["documents", "entities.yaml"]


# -- bad input: a coded error, and nothing written --------------------------------------------


def _bad_inputs(tmp_path: Path) -> list[tuple[str, Path, dict[str, str]]]:
    folder = tmp_path / "in"
    folder.mkdir()

    def write(name: str, data: bytes) -> Path:
        (folder / name).write_bytes(data)
        return folder / name

    paragraphs = (FIXTURES / "report.expected.txt").read_text(encoding="utf-8").split("\n\n")
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    undated = f"<html><head><title>T</title></head><body><article>{body}</article></body></html>"
    text = write("ok.txt", b"A plain report.\n")
    return [
        ("E119", write("scan.txt", b"%PDF-1.7\n%binary"), {}),
        ("E119", write("nul.txt", b"Moscow\x00said"), {}),
        ("E119", write("zipped.html", gzip.compress(b"<html></html>")), {}),
        ("E120", write("report.pdf", b"text"), {}),
        ("E001", write("latin1.txt", "Caf\u00e9".encode("latin-1")), {}),
        ("E114", write("blank.txt", b" \n\n "), {"published": "2024-12-19"}),
        ("E121", write("empty.html", b"<html><body><script>var x = 1;</script></body></html>"), {}),
        ("E122", text, {}),
        ("E122", write("undated.html", undated.encode()), {}),
        ("E015", text, {"published": "2024-13-45"}),
        ("E123", text, {"published": "2024-12-19", "license": "free-to-use"}),
        ("E125", text, {"published": "2024-12-19", "doc_id": "../escaped"}),
        ("E125", text, {"published": "2024-12-19", "doc_id": "/tmp/abs"}),
        ("E106", text, {"published": "2024-12-19", "doc_id": "Upper_Case"}),
        ("E105", text, {"published": "2024-12-19", "perspective": "libyan", "split": "train"}),
        ("E126", write("list.jsonl", b'["text"]\n'), {}),
        ("E126", write("typed.jsonl", b'{"text": "T", "published": 20241219}\n'), {}),
    ]


def test_each_bad_input_gets_its_code_and_nothing_is_written(tmp_path: Path) -> None:
    sources = _sources(tmp_path)
    before = _listing(sources)
    cases = _bad_inputs(tmp_path)
    for code, path, given in cases:
        with pytest.raises(HmeimimError) as caught:
            ingest_paths([path], given=given, sources=sources)
        assert caught.value.code == code, (code, path, caught.value)
        assert str(path) in caught.value.location
        assert _listing(sources) == before


def test_a_doc_id_whose_folder_links_outside_is_refused(tmp_path: Path) -> None:
    sources = _sources(tmp_path)
    (sources / "documents" / "linked-doc").symlink_to(tmp_path / "elsewhere")
    text = tmp_path / "t.txt"
    text.write_text("A plain report.\n")
    with pytest.raises(HmeimimError) as caught:
        ingest_paths(
            [text], given={"published": "2024-12-19", "doc_id": "linked-doc"}, sources=sources
        )
    assert caught.value.code == "E125"
    assert not (tmp_path / "elsewhere").exists()


def test_every_failure_of_a_batch_is_reported(tmp_path: Path) -> None:
    sources = _sources(tmp_path)
    cases = _bad_inputs(tmp_path)
    paths = [path for _, path, given in cases if not given]
    with pytest.raises(IngestRefused) as caught:
        ingest_paths([REPORT, *paths], sources=sources)
    # Files and lines that cannot be read come first, then reports that break a rule.
    codes = sorted(error.code for error in caught.value.errors)
    assert codes == sorted(code for code, _, given in cases if not given)
    assert _listing(sources) == ["documents", "entities.yaml"]


# -- the command line -----------------------------------------------------------------------


def test_cli_ingests_a_page_and_prints_the_derived_id(tmp_path: Path) -> None:
    sources = _sources(tmp_path)
    run = _hmeimim("ingest", str(REPORT), "--sources", str(sources))
    assert run.returncode == 0, run.stderr
    assert f"(doc_id {REPORT_ID})" in run.stdout
    again = _hmeimim("ingest", str(REWRAPPED), "--sources", str(sources))
    assert again.returncode == 2
    assert "E124" in again.stderr
    assert REPORT_ID in again.stderr
    assert "threshold 0.50" in again.stderr
    assert "Traceback" not in again.stderr
    clean = _hmeimim("validate", str(sources))
    assert clean.returncode == 0, clean.stdout
    assert "clean" in clean.stdout


def test_cli_user_mistakes_exit_2_without_a_traceback(tmp_path: Path) -> None:
    sources = _sources(tmp_path)
    before = _listing(sources)
    for code, path, given in _bad_inputs(tmp_path):
        options = [
            item for key, value in given.items() for item in (f"--{key}".replace("_", "-"), value)
        ]
        run = _hmeimim("ingest", str(path), *options, "--sources", str(sources))
        assert run.returncode == 2, (code, run.stdout, run.stderr)
        assert "Traceback" not in run.stderr
        assert f": {code} " in run.stderr, (code, run.stderr)
        assert _listing(sources) == before
    batch = _hmeimim("ingest", str(FIXTURES / "bad-line.jsonl"), "--sources", str(sources))
    assert batch.returncode == 2
    assert "E127" in batch.stderr
    assert "bad-line.jsonl line 2: E126" in batch.stderr
    assert "bad-line.jsonl line 3: E126" in batch.stderr
