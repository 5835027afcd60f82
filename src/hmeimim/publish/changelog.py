"""CHANGELOG.md, generated from the releases: one entry per release, newest first.

Each entry gives the parent, the schema version and bump, the release notes from the
manifest, how many documents, spans, frames, stances, entity and claim registry
entries and annotator layers were added, removed and changed (with their ids), and the
counts per layer and label next to the parent's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hmeimim.release.diff import Diff, diff_folders
from hmeimim.storage.releases import list_releases, published_manifest

TITLE = "# Changelog"
_KIND_TITLES = {
    "document": "documents",
    "span": "spans",
    "frame": "attribution frames",
    "stance": "stances",
    "entity": "registry entries",
    "claim": "claim registry entries",
    "annotator_layer": "annotator layers",
}


def _label_rows(counts: dict[str, Any], parent: dict[str, Any] | None) -> list[str]:
    rows = ["| layer | label | spans | change |", "|---|---|---:|---:|"]
    new_spans: dict[str, dict[str, int]] = counts.get("spans", {})
    old_spans: dict[str, dict[str, int]] = (parent or {}).get("spans", {})
    pairs = sorted(
        {(layer, label) for layer, labels in new_spans.items() for label in labels}
        | {(layer, label) for layer, labels in old_spans.items() for label in labels}
    )
    for layer, label in pairs:
        new = new_spans.get(layer, {}).get(label, 0)
        old = old_spans.get(layer, {}).get(label, 0)
        rows.append(f"| {layer} | {label} | {new} | {new - old:+d} |")
    return rows


def _id_lines(diff: Diff) -> list[str]:
    lines = []
    for kind in ("document", "span"):
        for status in ("added", "removed", "changed"):
            keys = diff.keys(kind, status)
            if keys:
                listed = ", ".join(f"`{k}`" for k in keys)
                lines.append(f"- {_KIND_TITLES[kind].capitalize()} {status}: {listed}")
    return lines


def entry(version: str, folder: Path, parent_folder: Path | None) -> list[str]:
    manifest = published_manifest(folder)
    parent = published_manifest(parent_folder) if parent_folder else None
    bump = manifest.get("bump") or ("initial release" if parent is None else "not recorded")
    lines = [
        f"## {version} ({manifest.get('released')})",
        "",
        f"Parent: {manifest.get('parent') or 'none'}. Schema: {manifest.get('schema_version')}. "
        f"Bump: {bump}.",
        "",
    ]
    if manifest.get("notes"):
        lines += [str(manifest["notes"]).strip(), ""]
    if manifest.get("removals"):
        lines += ["Removed with `--allow-removal`:", ""]
        lines += [f"- {removal}" for removal in manifest["removals"]] + [""]
    counts = manifest.get("counts", {})
    if parent_folder is None:
        lines += [
            f"First release: {counts.get('documents', 0)} document(s), "
            f"{counts.get('spans_total', 0)} spans, {counts.get('attributions', 0)} "
            f"attribution frames, {counts.get('stances', 0)} stances.",
            "",
        ]
    else:
        diff = diff_folders(parent_folder, folder)
        lines += ["| records | added | removed | changed |", "|---|---:|---:|---:|"]
        for kind, by_status in diff.summary().items():
            cells = " | ".join(str(n) for n in by_status.values())
            lines.append(f"| {_KIND_TITLES[kind]} | {cells} |")
        lines.append("")
        ids = _id_lines(diff)
        lines += [*ids, ""] if ids else []
    lines += _label_rows(counts, parent.get("counts") if parent else None)
    parent_counts = parent.get("counts", {}) if parent else {}
    lines += [
        "",
        "| totals | count | change |",
        "|---|---:|---:|",
    ]
    for key, title in (
        ("documents", "documents"),
        ("spans_total", "spans"),
        ("attributions", "attribution frames"),
        ("stances", "stances"),
    ):
        new, old = int(counts.get(key, 0)), int(parent_counts.get(key, 0))
        lines.append(f"| {title} | {new} | {new - old:+d} |")
    return [*lines, ""]


def changelog(root: Path) -> str:
    """The whole CHANGELOG.md for the releases under `root`."""
    releases = list_releases(root)
    folders = {str(v): path for v, path in releases}
    lines = [
        TITLE,
        "",
        "Generated from the releases by `hmeimim generate` (which `hmeimim release` runs); "
        "do not edit by hand. Each entry compares a release with its parent; "
        "`hmeimim diff OLD NEW` shows every change field by field.",
        "",
    ]
    for version, folder in reversed(releases):
        parent = published_manifest(folder).get("parent")
        lines += entry(str(version), folder, folders.get(str(parent)) if parent else None)
    return "\n".join(lines).rstrip("\n") + "\n"
