"""The review pages in a real headless Chromium: what the pages show against the data.

The data is read here straight from the files (gold.yaml, text.txt, the raw layers'
YAML, the release's Parquet), never through `hmeimim.render`. Chromium is Debian's
(`scripts/test.sh` installs it; `HMEIMIM_CHROMIUM` names it), driven by Playwright with
no browser download and no network; when it is missing these tests fail, never skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml
from playwright.sync_api import Browser, Page, sync_playwright

from conftest import ROOT
from hmeimim.render.page import Context, build_page
from hmeimim.render.site import render_pages
from hmeimim.schema.declaration import load_schema

SOURCES = ROOT / "corpus" / "sources"
RELEASE = ROOT / "corpus" / "v1.1.0"
CHROMIUM = os.environ.get("HMEIMIM_CHROMIUM", "/usr/bin/chromium")
# The machine has no network: these flags keep Chromium from trying to reach one.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SEED = "2024-12-20-russia-withdrawal-syria"
ARABIC = "c13-ar-sohr-officers-north-africa"

# One call per layer section: every element of the text that carries span ids, with its
# position among the text container's child nodes, its text and its classes.
READ_SECTION = """
(section) => {
  const box = section.querySelector(".text");
  const spans = {};
  Array.from(box.childNodes).forEach((node, index) => {
    if (node.nodeType !== 1 || !node.hasAttribute("data-spans")) { return; }
    node.getAttribute("data-spans").split(" ").filter(Boolean).forEach((id) => {
      (spans[id] = spans[id] || []).push([index, node.textContent, node.className]);
    });
  });
  const rows = (selector, keys) => Array.from(section.querySelectorAll(selector)).map(
    (row) => keys.map((key) => row.getAttribute(key)));
  const counts = {};
  section.querySelectorAll(".disagreements .count").forEach((el) => {
    counts[el.getAttribute("data-kind")] = el.textContent;
  });
  return {
    text: box.textContent,
    direction: getComputedStyle(box).direction,
    dir: box.getAttribute("dir"),
    lang: box.getAttribute("lang"),
    spans: spans,
    frames: rows("tr[data-frame]", ["data-frame", "data-cue", "data-sources", "data-contents"]),
    stances: rows("tr[data-stance]", ["data-stance", "data-evidence", "data-holder"]),
    counts: counts,
  };
}
"""

LIT = """
(ids) => ids.every((id) => {
  const els = document.querySelectorAll('#layer-gold .text [data-spans~="' + id + '"]');
  return els.length > 0 && Array.from(els).every(
    (el) => el.classList.contains("hl") && getComputedStyle(el).outlineStyle !== "none");
})
"""


def _read_yaml(path: Path) -> Any:
    # The C loader where PyYAML has it: the pure-Python one takes seconds on the corpus.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def _key(span: dict[str, Any]) -> tuple[Any, ...]:
    return (span["start"], span["end"], span["layer"], span["label"])


@cache
def _authoring_data() -> list[dict[str, Any]]:
    """Every document of corpus/sources with its raw layers (read once; never changed)."""
    docs = []
    for folder in sorted((SOURCES / "documents").iterdir()):
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        gold = _read_yaml(folder / "gold.yaml")
        layers = {
            p.stem: _read_yaml(p)
            for p in sorted((SOURCES / "annotators" / folder.name).glob("*.yaml"))
        }
        docs.append(
            {
                **_read_yaml(folder / "meta.yaml"),
                **gold,
                "text": (folder / "text.txt").read_bytes().decode("utf-8"),
                "layers": layers,
            }
        )
    return docs


def _release_data() -> list[dict[str, Any]]:
    docs = []
    for split in ("train", "validation", "test"):
        path = RELEASE / f"{split}.parquet"
        if path.exists():
            docs += pq.read_table(path).to_pylist()
    layers = pq.read_table(RELEASE / "annotators.parquet").to_pylist()
    for doc in docs:
        doc["layers"] = {r["annotator"]: r for r in layers if r["doc_id"] == doc["doc_id"]}
    return docs


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: run the suite with scripts/test.sh (it installs "
            "Debian's chromium), or set HMEIMIM_CHROMIUM to a Chromium executable"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    opened = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    opened.close()
    assert errors == [], errors


def _check_section(shown: dict[str, Any], body: dict[str, Any], text: str, where: str) -> None:
    """The spans, frames and stances of one layer as the page shows them."""
    assert shown["text"] == text, where
    for span in body["spans"]:
        pieces = shown["spans"].get(span["span_id"])
        assert pieces, f"{where} {span['span_id']} is not shown"
        assert "".join(p[1] for p in pieces) == span["text"] == text[span["start"] : span["end"]]
        positions = [p[0] for p in pieces]
        assert positions == list(range(positions[0], positions[0] + len(positions))), (
            f"{where} {span['span_id']} is not contiguous"
        )
    frames = {f[0]: f[1:] for f in shown["frames"]}
    for frame in body["attributions"]:
        assert frames[frame["frame_id"]] == [
            frame["cue"],
            " ".join(frame["sources"]),
            " ".join(frame["contents"]),
        ], where
    stances = {s[0]: s[1:] for s in shown["stances"]}
    for stance in body["stances"]:
        assert stances[stance["stance_id"]] == [
            " ".join(stance["evidence"]),
            stance["holder"] or "",
        ], where
    assert len(frames) == len(body["attributions"])
    assert len(stances) == len(body["stances"])


def _check_document(page: Page, url: str, doc: dict[str, Any]) -> None:
    page.goto(url)
    text = doc["text"]
    assert page.evaluate("document.documentElement.lang") == doc["language"]
    gold = page.eval_on_selector("#layer-gold", READ_SECTION)
    _check_section(gold, doc, text, doc["doc_id"])
    assert gold["lang"] == doc["language"]
    if doc["language"] == "ar":
        assert gold["direction"] == "rtl"
        assert gold["dir"] == "rtl"
    else:
        assert gold["direction"] == "ltr"
    gold_keys = {_key(s) for s in doc["spans"]}
    assert doc["layers"], doc["doc_id"]
    for annotator, layer in doc["layers"].items():
        where = f"{doc['doc_id']} layer {annotator}"
        shown = page.eval_on_selector(f'section[data-layer="{annotator}"]', READ_SECTION)
        _check_section(shown, layer, text, where)
        layer_keys = {_key(s) for s in layer["spans"]}
        extra = [s for s in layer["spans"] if _key(s) not in gold_keys]
        missing = [s for s in doc["spans"] if _key(s) not in layer_keys]
        assert shown["counts"]["extra-spans"] == str(len(extra)), where
        assert shown["counts"]["missing-spans"] == str(len(missing)), where
        for span in extra:
            assert all("dis" in p[2].split() for p in shown["spans"][span["span_id"]]), where
        marked = page.eval_on_selector(
            f'section[data-layer="{annotator}"]',
            "(s) => Array.from(s.querySelectorAll('.text [data-missing]')).flatMap("
            "(el) => el.getAttribute('data-missing').split(' '))",
        )
        assert set(marked) == {s["span_id"] for s in missing}, where
        row = page.eval_on_selector(
            f'table.summary tr[data-layer="{annotator}"]',
            "(r) => Array.from(r.querySelectorAll('td')).map((c) => c.textContent)",
        )
        assert row[3:5] == [str(len(extra)), str(len(missing))], where


@pytest.fixture(scope="module")
def sources_render(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("render") / "pages"
    render_pages(out=out, sources=SOURCES)
    return out


def test_every_page_shows_the_authoring_data(sources_render: Path, page: Page) -> None:
    docs = _authoring_data()
    assert len(docs) == 17
    for doc in docs:
        _check_document(page, (sources_render / f"{doc['doc_id']}.html").as_uri(), doc)


def test_every_page_of_a_release_shows_its_parquet(tmp_path: Path, page: Page) -> None:
    out = tmp_path / "release-pages"
    render_pages(out=out, release="1.1.0")
    docs = _release_data()
    assert len(docs) == 17
    for doc in docs:
        _check_document(page, (out / f"{doc['doc_id']}.html").as_uri(), doc)


def _plain_segment(page: Page, doc: dict[str, Any], span_id: str) -> int:
    """The first segment of `span_id` that no other frame or stance span strictly inside
    it covers: there the page must show this span's frames and stances (the innermost
    such span wins, as a cue inside a longer stance evidence shows its frame)."""
    related = {f["cue"] for f in doc["attributions"]}
    for frame in doc["attributions"]:
        related.update(frame["sources"], frame["contents"])
    for stance in doc["stances"]:
        related.update(stance["evidence"])
    spans = {s["span_id"]: s for s in doc["spans"]}
    me = spans[span_id]

    def inside(other: str) -> bool:
        s = spans[other]
        return (
            me["start"] <= s["start"]
            and s["end"] <= me["end"]
            and s != me
            and (s["end"] - s["start"] < me["end"] - me["start"])
        )

    covering = page.eval_on_selector_all(
        f'#layer-gold .text [data-spans~="{span_id}"]',
        "(els) => els.map((el) => el.getAttribute('data-spans').split(' '))",
    )
    for index, ids in enumerate(covering):
        if not any(i in related and inside(i) for i in ids if i != span_id):
            return index
    raise AssertionError(f"{doc['doc_id']} {span_id} has no segment of its own")


@pytest.mark.slow
def test_hovering_or_focusing_a_part_lights_the_whole_frame(
    sources_render: Path, page: Page
) -> None:
    lit_frames = lit_stances = 0
    for doc in _authoring_data():
        page.goto((sources_render / f"{doc['doc_id']}.html").as_uri())
        for number, frame in enumerate(doc["attributions"]):
            parts = [frame["cue"], *frame["sources"], *frame["contents"]]
            cue = page.locator(f'#layer-gold .text [data-spans~="{frame["cue"]}"]')
            index = _plain_segment(page, doc, frame["cue"])
            if number % 2 and index == 0:
                # The pointer rests in the body's margin, where scrolling brings no span
                # under it; the first segment of a span takes the keyboard focus.
                page.mouse.move(1, 500)
                cue.nth(0).focus()
            else:
                cue.nth(index).hover()
            assert page.evaluate(LIT, parts), f"{doc['doc_id']} {frame['frame_id']}"
            row = f'#layer-gold tr[data-frame="{frame["frame_id"]}"]'
            assert "hl" in (page.get_attribute(row, "class") or "").split()
            lit_frames += 1
        for stance in doc["stances"]:
            evidence = stance["evidence"][0]
            index = _plain_segment(page, doc, evidence)
            page.locator(f'#layer-gold .text [data-spans~="{evidence}"]').nth(index).hover()
            lit = list(stance["evidence"])
            if stance["holder"]:
                lit.append(stance["holder"])
            if stance["target_kind"] in ("mention", "claim"):
                lit.append(stance["target"])
            assert page.evaluate(LIT, lit), f"{doc['doc_id']} {stance['stance_id']}"
            lit_stances += 1
        page.mouse.move(1, 500)
    data = _authoring_data()
    assert lit_frames == sum(len(d["attributions"]) for d in data)
    assert lit_stances == sum(len(d["stances"]) for d in data)


def test_claims_link_the_documents_that_state_them(sources_render: Path, page: Page) -> None:
    claims = _read_yaml(SOURCES / "claims.yaml")
    stated: dict[str, set[str]] = {}
    for doc in _authoring_data():
        for span in doc["spans"]:
            if span.get("claim_id"):
                stated.setdefault(span["claim_id"], set()).add(doc["doc_id"])
        for stance in doc["stances"]:
            if stance["target_kind"] == "registered_claim":
                stated.setdefault(stance["target"], set()).add(doc["doc_id"])
    page.goto((sources_render / "index.html").as_uri())
    listed = page.eval_on_selector_all(
        "table.documents tr[data-doc] a", "(links) => links.map((a) => a.getAttribute('href'))"
    )
    assert sorted(listed) == sorted(f"{d['doc_id']}.html" for d in _authoring_data())
    for claim in claims:
        links = page.eval_on_selector_all(
            f'tr[data-claim="{claim["claim_id"]}"] a[data-doc]',
            "(links) => links.map((a) => a.getAttribute('data-doc'))",
        )
        assert set(links) == stated.get(claim["claim_id"], set()), claim["claim_id"]
    ids: dict[str, set[str]] = {}
    links_of: dict[str, dict[str, list[str]]] = {}
    for doc in _authoring_data():
        page.goto((sources_render / f"{doc['doc_id']}.html").as_uri())
        ids[doc["doc_id"]] = set(page.eval_on_selector_all("[id]", "(els) => els.map((e) => e.id)"))
        links_of[doc["doc_id"]] = page.eval_on_selector_all(
            "#layer-gold li[data-claim]",
            "(items) => Object.fromEntries(items.map((li) => [li.dataset.claim, Array.from("
            "li.querySelectorAll('a[data-doc]')).map((a) => a.getAttribute('href'))]))",
        )
    for claim_id, docs in stated.items():
        for doc_id in docs:
            hrefs = links_of[doc_id][claim_id]
            assert {h.split(".html#")[0] for h in hrefs} == docs - {doc_id}, (doc_id, claim_id)
            for href in hrefs:
                target, anchor = href.split(".html#")
                assert anchor in ids[target], href


def test_screenshots_of_an_english_and_an_arabic_page(sources_render: Path, page: Page) -> None:
    shots = []
    for doc_id in (SEED, ARABIC):
        page.goto((sources_render / f"{doc_id}.html").as_uri())
        shot = Path(os.environ.get("HMEIMIM_SHOTS", str(sources_render.parent))) / f"{doc_id}.png"
        page.screenshot(path=str(shot), full_page=False)
        shots.append(shot)
    for shot in shots:
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert shot.stat().st_size > 30_000, shot


def test_a_stand_off_document_shows_a_notice_and_its_annotations(
    tmp_path: Path, page: Page
) -> None:
    folder = SOURCES / "documents" / SEED
    doc = {**_read_yaml(folder / "meta.yaml"), **_read_yaml(folder / "gold.yaml"), "text": None}
    for span in doc["spans"]:
        span["text"] = None
    html = build_page(doc, [], Context(schema=load_schema()))
    path = tmp_path / "standoff.html"
    path.write_text(html, encoding="utf-8")
    page.goto(path.as_uri())
    notice = page.inner_text("#layer-gold .notice")
    assert "not included" in notice
    assert "hmeimim rehydrate --from PATH" in notice
    assert page.is_visible("#layer-gold .notice")
    listed = page.eval_on_selector_all(
        "#layer-gold table.spans tr[data-span]", "(rows) => rows.map((r) => r.dataset.span)"
    )
    assert listed == [s["span_id"] for s in doc["spans"]]
    assert page.locator("#layer-gold [data-spans]").count() == 0
    frames = page.eval_on_selector_all(
        "#layer-gold tr[data-frame]", "(rows) => rows.map((r) => r.dataset.frame)"
    )
    assert frames == [f["frame_id"] for f in doc["attributions"]]
