"""The files published with the releases besides the data, as `derived.py` generates them.

- CHANGELOG.md      one entry per release (`changelog.py`)
- CITATION.cff      citation of the latest release (`citation.py`)
- croissant.json    Croissant 1.1 + RAI metadata of the latest release (`croissant.py`)
- the licenses block of README.md and DATASHEET.md (between `<!-- licenses:begin -->`
  and `<!-- licenses:end -->`), from `corpus/release.yaml`
"""

from __future__ import annotations

from pathlib import Path

from hmeimim.publish.changelog import changelog
from hmeimim.publish.citation import citation_cff
from hmeimim.publish.croissant import CROISSANT_FILE, croissant_json
from hmeimim.publish.metadata import license_statement, read_release_info
from hmeimim.release.policy import read_text_policy
from hmeimim.schema.declaration import Schema
from hmeimim.storage.releases import list_releases

LICENSES_BEGIN = "<!-- licenses:begin -->"
LICENSES_END = "<!-- licenses:end -->"


def licenses_block(root: Path) -> str:
    info = read_release_info(root)
    return "\n".join(
        [
            LICENSES_BEGIN,
            "Generated from `corpus/release.yaml` by `hmeimim generate`.",
            "",
            f"- Code: `{info.code_license}` (see LICENSE).",
            f"- Annotations and documentation: `{info.annotation_license}`.",
            "- Document text: "
            + (
                f"`{info.text_license}`."
                if info.text_license
                else "per document (the `license` column; null where unknown)."
            ),
            _text_policy_line(root),
            "",
            license_statement(info),
            LICENSES_END,
        ]
    )


def _text_policy_line(root: Path) -> str:
    policy = read_text_policy(root)
    shared = ", ".join(f"`{name}`" for name in sorted(policy.redistributable))
    kept = ", ".join(f"`{doc_id}`" for doc_id in sorted(policy.keep_text))
    line = (
        f"- Texts in the releases: those licensed {shared}; any other text (`unknown`, "
        "`all-rights-reserved`, null) is released stand-off (annotations, sha256 and length, "
        "no text) and filled in from your own copy with `hmeimim rehydrate`."
    )
    if kept:
        line += f" Shared by name, with the reason in `corpus/release.yaml`: {kept}."
    return line


def replace_marked(text: str, begin: str, end: str, block: str) -> str:
    """Put `block` (which starts with `begin` and ends with `end`) in place of the old one."""
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < 0:
        return text.rstrip("\n") + "\n\n" + block + "\n"
    return text[:start] + block + text[stop + len(end) :]


def publication_files(root: Path, schema: Schema, current: dict[Path, str]) -> dict[Path, str]:
    """Expected content of the published files; `current` holds README and DATASHEET."""
    files: dict[Path, str] = {}
    if list_releases(root):
        files[root / "CHANGELOG.md"] = changelog(root)
        files[root / "CITATION.cff"] = citation_cff(root)
        files[root / CROISSANT_FILE] = croissant_json(root, schema)
    block = licenses_block(root)
    for name in ("README.md", "DATASHEET.md"):
        path = root / name
        if path in current:
            files[path] = replace_marked(current[path], LICENSES_BEGIN, LICENSES_END, block)
    return files
