"""The review pages without a browser: text escaping, segments, coded refusals, the CLI."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, SEED_DOC
from hmeimim.errors import HmeimimError
from hmeimim.render.page import Context, build_page
from hmeimim.render.segments import Segment, segment
from hmeimim.render.site import render_pages
from hmeimim.schema.declaration import load_schema

SOURCES = ROOT / "corpus" / "sources"
TEXT_BOX = re.compile(r'<div class="text" dir="(\w+)" lang="([^"]*)">(.*?)</div>', re.DOTALL)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hmeimim", *args], capture_output=True, text=True, check=False
    )


def _span(span_id: str, start: int, end: int, text: str, layer: str, label: str) -> dict[str, Any]:
    return {
        "span_id": span_id,
        "start": start,
        "end": end,
        "text": text[start:end],
        "layer": layer,
        "label": label,
        "entity_id": None,
        "metonymy": None,
        "claim_id": None,
    }


def _document(text: str, spans: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "doc_id": "escape-test",
        "title": "A <b>title</b> & more",
        "language": "en",
        "split": "train",
        "provenance": "constructed",
        "text": text,
        "spans": spans,
        "attributions": [],
        "stances": [],
        **extra,
    }


def _shown_text(page: str) -> str:
    """The text of the first layer's text box, tags removed and entities decoded."""
    match = TEXT_BOX.search(page)
    assert match is not None
    return html.unescape(re.sub(r"<[^>]*>", "", match.group(3)))


def test_segments_of_overlapping_and_nested_spans() -> None:
    # a: [0, 5), b: [2, 8) overlaps a, c: [2, 5) is nested in both.
    got = segment(10, [("a", 0, 5), ("b", 2, 8), ("c", 2, 5)])
    assert [(s.start, s.end, s.ids) for s in got] == [
        (0, 2, ("a",)),
        (2, 5, ("a", "b", "c")),
        (5, 8, ("b",)),
        (8, 10, ()),
    ]
    assert got[1] == Segment(2, 5, ("a", "b", "c"), ("b", "c"), ("a", "c"))
    assert [(s.start, s.end) for s in segment(4, [])] == [(0, 4)]
    # Offsets that do not fit the text are left out, never cut into it.
    assert [s.ids for s in segment(4, [("x", 2, 9), ("y", 3, 3), ("z", 1, 2)])] == [
        (),
        ("z",),
        (),
    ]


def test_text_with_markup_and_ampersands_shows_literally() -> None:
    text = 'Before <script>alert("x")</script> & after\n  second line <b>'
    spans = [
        _span("s1", 7, 34, text, "attribution", "CONTENT"),
        _span("s2", 15, 25, text, "entity", "PER"),
        _span("s3", 35, 36, text, "stance", "STANCE"),
    ]
    page = build_page(_document(text, spans), [], Context(schema=load_schema()))
    assert "<script>alert" not in page
    # Text nodes escape <, > and &; quotes are left as they are.
    assert ">&lt;script&gt;<" in page
    assert '>alert("x")<' in page
    assert ">&amp;</span> after\n  second line &lt;b&gt;</div>" in page
    assert _shown_text(page) == text
    assert "<b>title</b>" not in page
    assert "A &lt;b&gt;title&lt;/b&gt; &amp; more" in page
    # The embedded data cannot close its own script element.
    data = re.search(r'<script type="application/json" id="hm-data">(.*?)</script>', page)
    assert data is not None
    assert json.loads(data.group(1))["layers"][0]["spans"]["s2"] == [15, 25]


def test_each_segment_carries_every_span_covering_it() -> None:
    text = "The Russian Ministry said Moscow left."
    spans = [
        _span("src", 0, 20, text, "attribution", "SOURCE"),
        _span("org", 4, 20, text, "entity", "ORG"),
        _span("cue", 21, 25, text, "attribution", "CUE"),
        _span("cont", 26, 37, text, "attribution", "CONTENT"),
        _span("gpe", 26, 32, text, "entity", "GPE"),
    ]
    spans[4]["metonymy"] = True
    page = build_page(_document(text, spans), [], Context(schema=load_schema()))
    box = TEXT_BOX.search(page)
    assert box is not None
    pieces = re.findall(r'<span class="([^"]*)" data-spans="([^"]*)"[^>]*>(.*?)</span>', box[3])
    # Spans that start in a segment get an empty anchor there (a link target, no text).
    assert pieces[0][2] == '<a id="span-src"></a>The '
    assert [(ids, re.sub(r"<a id=[^>]*></a>", "", piece)) for _, ids, piece in pieces] == [
        ("src", "The "),
        ("src org", "Russian Ministry"),
        ("cue", "said"),
        ("cont gpe", "Moscow"),
        ("cont", " left"),
    ]
    assert "meto" in pieces[3][0].split()
    assert "e-ORG" in pieces[1][0].split()
    assert "a-SOURCE" in pieces[1][0].split()


def test_a_raw_span_the_gold_lacks_and_a_gold_span_the_raw_layer_lacks_are_marked() -> None:
    text = "Moscow and Damascus agreed."
    gold = [_span("g1", 0, 6, text, "entity", "GPE"), _span("g2", 11, 19, text, "entity", "GPE")]
    raw = {
        "doc_id": "escape-test",
        "annotator": "ann<1>",
        "spans": [
            _span("r1", 0, 6, text, "entity", "GPE"),
            _span("r2", 11, 19, text, "entity", "ORG"),
        ],
        "attributions": [],
        "stances": [],
    }
    page = build_page(_document(text, gold), [raw], Context(schema=load_schema()))
    assert "ann<1>" not in page
    section = page[page.index('data-layer="ann&lt;1&gt;" data-kind="raw"') :]
    assert '<span class="count bad" data-kind="extra-spans">1</span>' in section
    assert '<span class="count bad" data-kind="missing-spans">1</span>' in section
    assert re.search(r'class="[^"]*\bdis\b[^"]*" data-spans="r2" data-missing="g2"', section)


def test_unknown_document_is_a_coded_error_and_nothing_is_written(tmp_path: Path) -> None:
    out = tmp_path / "pages"
    with pytest.raises(HmeimimError) as caught:
        render_pages(out=out, doc_ids=[SEED_DOC, "no-such-report"])
    assert caught.value.code == "E801"
    assert caught.value.location == str(SOURCES)
    assert "no-such-report" in caught.value.message
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_two_inputs_are_refused() -> None:
    with pytest.raises(HmeimimError) as caught:
        render_pages(out=Path("unused"), release="1.1.0", sources=SOURCES)
    assert caught.value.code == "E804"


def test_authoring_files_that_do_not_read_are_refused(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES, sources)
    (sources / "documents" / SEED_DOC / "gold.yaml").write_text("spans: [unclosed\n")
    out = tmp_path / "pages"
    with pytest.raises(HmeimimError) as caught:
        render_pages(out=out, sources=sources)
    assert caught.value.code == "E802"
    assert "gold.yaml" in caught.value.message
    assert "E001" in caught.value.message
    assert not out.exists()
    run = _run("render", "--sources", str(sources), "-o", str(out))
    assert run.returncode == 2
    assert f"{sources}: E802 " in run.stderr
    assert "Traceback" not in run.stdout + run.stderr


def test_an_input_without_documents_is_refused(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    (sources / "documents").mkdir(parents=True)
    (sources / "entities.yaml").write_text("[]\n")
    with pytest.raises(HmeimimError) as caught:
        render_pages(out=tmp_path / "pages", sources=sources)
    assert (caught.value.code, caught.value.location) == ("E805", str(sources))
    assert not (tmp_path / "pages").exists()


def test_a_folder_of_other_files_is_refused_and_an_earlier_render_is_replaced(
    tmp_path: Path,
) -> None:
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(HmeimimError) as caught:
        render_pages(out=foreign, doc_ids=[SEED_DOC])
    assert (caught.value.code, caught.value.location) == ("E803", str(foreign))
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"]

    out = tmp_path / "pages"
    first = render_pages(out=out, doc_ids=[SEED_DOC, "c13-ar-sohr-officers-north-africa"])
    assert [p.name for p in first.pages] == [
        f"{SEED_DOC}.html",
        "c13-ar-sohr-officers-north-africa.html",
    ]
    second = render_pages(out=out, doc_ids=[SEED_DOC])
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{SEED_DOC}.html", "index.html", "render.json"]
    )
    assert second.pages == [out / f"{SEED_DOC}.html"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    # A render folder with a file someone added is no longer only ours.
    (out / "notes.txt").write_text("added")
    with pytest.raises(HmeimimError) as caught:
        render_pages(out=out, doc_ids=[SEED_DOC])
    assert caught.value.code == "E803"
    assert (out / "notes.txt").read_text() == "added"


def test_an_arabic_page_is_right_to_left() -> None:
    doc_id = "c13-ar-sohr-officers-north-africa"
    folder = SOURCES / "documents" / doc_id
    text = (folder / "text.txt").read_bytes().decode("utf-8")
    doc = _document(text, [], doc_id=doc_id, language="ar")
    page = build_page(doc, [], Context(schema=load_schema()))
    assert page.startswith('<!DOCTYPE html>\n<html lang="ar">')
    box = TEXT_BOX.search(page)
    assert box is not None
    assert (box[1], box[2]) == ("rtl", "ar")
    assert _shown_text(page) == text


def test_cli_writes_pages_and_exits_0(tmp_path: Path) -> None:
    out = tmp_path / "pages"
    run = _run("render", SEED_DOC, "-o", str(out))
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"wrote {out / 'index.html'} and 1 document page(s)"
    assert sorted(p.name for p in out.iterdir()) == [
        f"{SEED_DOC}.html",
        "index.html",
        "render.json",
    ]
    marker = json.loads((out / "render.json").read_text())
    assert marker["documents"] == [SEED_DOC]


@pytest.mark.parametrize(
    ("args", "code", "location"),
    [
        (["no-such-report"], "E801", str(SOURCES)),
        (["--release", "1.1.0", "--sources", str(SOURCES)], "E804", "--release/--sources"),
        (["--release", "7.0.0"], "E012", "version 7.0.0"),
    ],
)
def test_cli_refusals_exit_2_with_a_coded_message(
    tmp_path: Path, args: list[str], code: str, location: str
) -> None:
    out = tmp_path / "pages"
    run = _run("render", *args, "-o", str(out))
    assert run.returncode == 2
    assert f"{location}: {code} " in run.stderr
    assert "fix:" in run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert not out.exists()


def test_cli_needs_an_output_folder() -> None:
    run = _run("render")
    assert run.returncode == 2
    assert "--out" in run.stderr
