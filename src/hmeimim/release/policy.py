"""Which texts a release may carry: the `text_policy` of `corpus/release.yaml`.

    text_policy:
      redistributable: [CC-BY-4.0, CC0-1.0]   # SPDX ids whose texts may be shared
      keep_text:                              # documents shared whatever their license,
        some-doc-id: why                      # each with the reason

A document whose `license` is not listed as redistributable (`unknown`,
`all-rights-reserved`, null, or any other SPDX id) is released stand-off: its
annotations, its text's sha256 and length and its url, but no text. `keep_text` is the
only way around that, and it must say why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hmeimim.authoring import strict_yaml
from hmeimim.errors import HmeimimError
from hmeimim.paths import corpus_dir

RELEASE_FILE = "release.yaml"
POLICY_KEY = "text_policy"


@dataclass(frozen=True)
class TextPolicy:
    redistributable: frozenset[str]
    keep_text: Mapping[str, str]

    def shares(self, document: Mapping[str, Any]) -> bool:
        """Whether the release may carry this document's text."""
        return (
            document.get("license") in self.redistributable
            or document.get("doc_id") in self.keep_text
        )

    def withheld(self, documents: Iterable[Mapping[str, Any]]) -> list[str]:
        """The sorted doc_ids of the documents to release stand-off."""
        return sorted(str(d["doc_id"]) for d in documents if not self.shares(d))


def read_text_policy(root: Path | None = None) -> TextPolicy:
    """The text policy of `corpus/release.yaml` (E604 unreadable, E609 malformed)."""
    path = corpus_dir(root) / RELEASE_FILE
    try:
        raw = strict_yaml.load(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, strict_yaml.Refusal) as error:
        raise HmeimimError("E604", str(path), reason=str(error)) from None
    policy = raw.get(POLICY_KEY) if isinstance(raw, dict) else None
    expected = "a mapping with `redistributable` (a list of SPDX ids) and `keep_text`"
    if not isinstance(policy, dict) or set(policy) - {"redistributable", "keep_text"}:
        raise HmeimimError("E609", str(path), key=POLICY_KEY, expected=expected)
    shared = policy.get("redistributable")
    if not isinstance(shared, list) or not all(isinstance(s, str) and s for s in shared):
        raise HmeimimError(
            "E609", str(path), key=f"{POLICY_KEY}.redistributable", expected="a list of SPDX ids"
        )
    blocked = {"unknown", "all-rights-reserved"} & set(shared)
    if blocked:
        raise HmeimimError(
            "E609",
            str(path),
            key=f"{POLICY_KEY}.redistributable",
            expected=f"SPDX ids of licenses that allow sharing, not {sorted(blocked)}",
        )
    keep = policy.get("keep_text") or {}
    if not isinstance(keep, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in keep.items()
    ):
        raise HmeimimError(
            "E609",
            str(path),
            key=f"{POLICY_KEY}.keep_text",
            expected="a mapping of doc_id to the reason its text is shared",
        )
    return TextPolicy(frozenset(shared), dict(keep))
