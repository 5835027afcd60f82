"""Turn the blind annotators' files, kept verbatim under corpus/annotation/, into raw layers.

    python scripts/annotation_layers.py [--check]

For every `corpus/annotation/round-<n>/raw/<annotator>/<doc_id>.yaml` whose document is
in `corpus/sources/documents/` it writes
`corpus/sources/annotators/<doc_id>/llm-<annotator>.yaml`: the same spans, frames and
stances, with one change: an entity id that `corpus/annotation/registry-aliases.yaml`
lists as another spelling of a registry entry is replaced by that entry's id (the
annotators worked blind and sometimes named the same new entity differently). Nothing
else is touched. `--check` writes nothing and exits 1 when a layer differs from what
would be written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
ANNOTATION = ROOT / "corpus" / "annotation"
LAYERS = ROOT / "corpus" / "sources" / "annotators"
KEYS = ("spans", "attributions", "stances")
SPAN_KEYS = ("span_id", "layer", "label", "start", "end", "text", "entity_id", "metonymy")
SPAN_KEYS += ("claim_id",)


def _flow(item: dict[str, Any]) -> str:
    """One record as a YAML flow mapping on one line (PyYAML quotes what flow needs)."""
    dumped = yaml.safe_dump(
        item, default_flow_style=True, allow_unicode=True, width=10**6, sort_keys=False
    )
    return dumped.strip()


def layer_text(raw: dict[str, Any], aliases: dict[str, str], source: str) -> str:
    lines = [
        f"# Raw layer, blind annotation: {source} (verbatim but for registry aliases).",
        "# Written by scripts/annotation_layers.py; do not edit by hand.",
    ]
    for key in KEYS:
        items = raw.get(key) or []
        if not items:
            lines.append(f"{key}: []")
            continue
        lines.append(f"{key}:")
        for item in items:
            if key == "spans":
                item = {k: item.get(k) for k in SPAN_KEYS}
                if item["entity_id"] in aliases:
                    item["entity_id"] = aliases[item["entity_id"]]
            elif key == "stances" and item.get("target_kind") == "entity":
                item = {**item, "target": aliases.get(item["target"], item["target"])}
            lines.append(f"  - {_flow(item)}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    aliases = yaml.safe_load((ANNOTATION / "registry-aliases.yaml").read_text(encoding="utf-8"))
    stale = []
    for path in sorted(ANNOTATION.glob("round-*/raw/*/*.yaml")):
        if path.name.endswith(".entities.yaml"):
            continue
        annotator, doc_id = path.parent.name, path.stem
        if not (ROOT / "corpus" / "sources" / "documents" / doc_id).is_dir():
            continue  # not adjudicated yet: its document is not in the corpus
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        text = layer_text(raw, aliases, path.relative_to(ROOT).as_posix())
        target = LAYERS / doc_id / f"llm-{annotator}.yaml"
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            continue
        stale.append(target)
        if not args.check:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".tmp-{target.name}")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(target)
    for target in stale:
        print(("stale: " if args.check else "wrote: ") + str(target.relative_to(ROOT)))
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
