"""Writing the pages: which documents, the claim links between them, and the folder.

`render_pages` builds every page in memory first, so that whatever can fail (reading,
an unknown doc id) fails before anything is written, then writes the whole folder
through a temporary sibling renamed into place (`storage/files.py` `staged_folder`).

The output folder may be new, empty, or a folder an earlier render wrote: one holding
`render.json` (written by this module) and `.html` files only. Such a folder is
replaced whole: it is moved aside to a `.tmp-*` sibling, the new one is renamed into
place, and the old one is deleted (or moved back if the new one could not be written),
so no page of an old render is ever mixed with new ones. Any other non-empty folder,
or a file, is refused (E803) and nothing is written.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hmeimim.errors import HmeimimError
from hmeimim.paths import corpus_dir
from hmeimim.render.index import build_index
from hmeimim.render.inputs import read_input
from hmeimim.render.page import Citation, Context, build_page, page_name
from hmeimim.storage.files import TEMP_PREFIX, list_folder, staged_folder, writing

MARKER = "render.json"
GENERATOR = "hmeimim render"
INDEX = "index.html"


@dataclass(frozen=True)
class RenderResult:
    """The folder written, its document pages in order, and each page's build time."""

    out: Path
    pages: list[Path]
    index: Path
    seconds: dict[str, float]


def claim_citations(documents: Sequence[Mapping[str, Any]]) -> dict[str, list[Citation]]:
    """Where each registered claim is stated (gold CONTENT spans with a claim_id) or
    targeted (stances on a registered claim), by claim_id, in document order."""
    found: dict[str, list[Citation]] = {}
    for doc in documents:
        doc_id = str(doc.get("doc_id"))
        for span in doc.get("spans") or []:
            if span.get("claim_id") is not None:
                anchor = f"span-{span.get('span_id')}"
                found.setdefault(str(span["claim_id"]), []).append(Citation(doc_id, anchor))
        for stance in doc.get("stances") or []:
            if stance.get("target_kind") == "registered_claim":
                anchor = f"stance-{stance.get('stance_id')}"
                found.setdefault(str(stance.get("target")), []).append(Citation(doc_id, anchor))
    return found


def _previous_render(out: Path) -> bool:
    """Whether `out` holds an earlier render (True), is absent or empty (False); E803
    for anything else."""
    if not out.exists() and not out.is_symlink():
        return False
    if not out.is_dir() or out.is_symlink():
        raise HmeimimError("E803", str(out), what="not a folder")
    names = list_folder(out)
    if not names:
        return False
    try:
        marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        marker = None
    ours = isinstance(marker, dict) and marker.get("generator") == GENERATOR
    if ours and all(
        name == MARKER or (name.endswith(".html") and (out / name).is_file()) for name in names
    ):
        return True
    raise HmeimimError("E803", str(out), what="a non-empty folder")


def _write(out: Path, files: Mapping[str, str]) -> None:
    previous = _previous_render(out)
    aside = out.parent / f"{TEMP_PREFIX}{out.name}-previous-{uuid.uuid4().hex[:8]}"
    if previous:
        with writing(out):
            os.replace(out, aside)
    try:
        with staged_folder(out) as staging:
            for name, html in files.items():
                with writing(out / name):
                    (staging / name).write_text(html, encoding="utf-8")
    except BaseException:
        if previous and not out.exists():
            os.replace(aside, out)
        raise
    if previous:
        shutil.rmtree(aside, ignore_errors=True)


def render_pages(
    *,
    out: Path,
    doc_ids: list[str] | None = None,
    release: str | None = None,
    sources: Path | None = None,
) -> RenderResult:
    """Write a review page per document and `index.html` into the folder `out`.

    Input: the authoring folder `sources` (default `corpus/sources`), or the release
    `release` (a version or `latest`), not both (E804). `doc_ids` chooses documents
    (E801 for one the input lacks; all by default). Authoring files that do not read
    are E802, an input with no documents E805, an `out` that is not ours E803; in every
    such case nothing is written.
    """
    read = read_input(release=release, sources=sources, default=corpus_dir() / "sources")
    documents = read.records.documents
    if not documents:
        raise HmeimimError("E805", read.where)
    known = {str(d.get("doc_id")) for d in documents}
    wanted = list(dict.fromkeys(doc_ids or []))
    unknown = [d for d in wanted if d not in known]
    if unknown:
        raise HmeimimError("E801", read.where, doc_ids=", ".join(unknown))
    chosen = [d for d in documents if not wanted or str(d.get("doc_id")) in wanted]
    _previous_render(out)  # refuse a folder that is not ours before the work
    citations = claim_citations(documents)
    context = Context(
        schema=read.schema,
        entities={str(e.get("entity_id")): e for e in read.records.entities},
        claims={str(c.get("claim_id")): c for c in read.records.claims},
        citations=citations,
        pages={str(d.get("doc_id")): page_name(str(d.get("doc_id"))) for d in chosen},
    )
    layers: dict[str, list[Mapping[str, Any]]] = {}
    for row in read.records.annotator_layers:
        layers.setdefault(str(row.get("doc_id")), []).append(row)
    files: dict[str, str] = {}
    seconds: dict[str, float] = {}
    for doc in chosen:
        doc_id = str(doc.get("doc_id"))
        started = time.perf_counter()
        files[page_name(doc_id)] = build_page(doc, layers.get(doc_id, []), context)
        seconds[doc_id] = time.perf_counter() - started
    files[INDEX] = build_index(
        documents=chosen,
        layers={k: sorted(str(r.get("annotator")) for r in v) for k, v in layers.items()},
        claims=read.records.claims,
        citations=citations,
        description=read.description,
    )
    marker = {
        "generator": GENERATOR,
        "input": read.description,
        "documents": [str(d.get("doc_id")) for d in chosen],
    }
    files[MARKER] = json.dumps(marker, ensure_ascii=False, indent=1) + "\n"
    _write(out, files)
    pages = [out / page_name(str(d.get("doc_id"))) for d in chosen]
    return RenderResult(out=out, pages=pages, index=out / INDEX, seconds=seconds)
