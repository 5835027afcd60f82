"""The index page: every rendered document with its counts, and the claim registry with
the documents that state or target each claim."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from hmeimim.render.assets import CSS
from hmeimim.render.page import Citation, page_name, text_direction


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def build_index(
    *,
    documents: Sequence[Mapping[str, Any]],
    layers: Mapping[str, Sequence[str]],
    claims: Sequence[Mapping[str, Any]],
    citations: Mapping[str, Sequence[Citation]],
    description: str,
) -> str:
    """The HTML of index.html over the rendered `documents` (their annotators in `layers`)."""
    rendered = {str(d.get("doc_id")) for d in documents}
    rows = []
    for doc in documents:
        doc_id = str(doc.get("doc_id"))
        language = doc.get("language")
        title = doc.get("title")
        text = doc.get("text")
        counts = (
            len(doc.get("spans") or []),
            len(doc.get("attributions") or []),
            len(doc.get("stances") or []),
        )
        rows.append(
            f'<tr data-doc="{_e(doc_id)}"><td><a href="{_e(page_name(doc_id))}">{_e(doc_id)}</a>'
            f'</td><td lang="{_e(language)}" dir="{text_direction(language)}">'
            f"{_e(title) if title else '<i>no title</i>'}</td><td>{_e(language)}</td>"
            f"<td>{_e(doc.get('split'))}</td>"
            + "".join(f'<td class="num">{n}</td>' for n in counts)
            + f"<td>{_e(', '.join(layers.get(doc_id, ())))}</td>"
            f"<td>{'' if isinstance(text, str) else 'text missing (stand-off)'}</td></tr>"
        )
    claim_rows = []
    for claim in claims:
        claim_id = str(claim.get("claim_id"))
        links = []
        for doc_id in dict.fromkeys(c.doc_id for c in citations.get(claim_id, ())):
            anchor = next(c.anchor for c in citations[claim_id] if c.doc_id == doc_id)
            links.append(
                f'<a data-doc="{_e(doc_id)}" href="{_e(page_name(doc_id))}#{_e(anchor)}">'
                f"{_e(doc_id)}</a>"
                if doc_id in rendered
                else f'<span data-doc="{_e(doc_id)}">{_e(doc_id)}</span>'
            )
        claim_rows.append(
            f'<tr id="claim-{_e(claim_id)}" data-claim="{_e(claim_id)}"><td>{_e(claim_id)}</td>'
            f"<td>{_e(claim.get('statement'))}</td><td>{_e(claim.get('description') or '')}</td>"
            f"<td>{', '.join(links) or '<i>none</i>'}</td></tr>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Hmeimim Corpus review</title><style>{CSS}</style></head><body>"
        f"<header><h1>Hmeimim Corpus review pages</h1><p>Rendered from {_e(description)}: "
        f"{len(documents)} document(s), {len(claims)} registered claim(s).</p></header>"
        '<h2>Documents</h2><table class="documents"><thead><tr><th>document</th>'
        "<th>title</th><th>language</th><th>split</th><th>spans</th><th>frames</th>"
        "<th>stances</th><th>raw layers</th><th>note</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        '<h2>Registered claims</h2><table class="claims"><thead><tr><th>claim</th>'
        "<th>statement</th><th>description</th><th>stated or targeted in</th></tr></thead>"
        f"<tbody>{''.join(claim_rows)}</tbody></table></body></html>\n"
    )
