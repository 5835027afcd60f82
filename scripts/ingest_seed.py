"""Re-ingest the seed report and check it matches the authoring files byte for byte.

The seed (corpus/originals/000_fff40c119930539e.txt, kept byte for byte as received)
is the body after its " date 2024-12-20 " header. Run:
    .venv/bin/python scripts/ingest_seed.py [SEED]
Exit 0 when corpus/sources holds exactly the text and metadata this produces, plus the
perspective the curator gave the seed after ingest (ingest does not decide a framing).
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

import yaml

from hmeimim.authoring.ingest import ingest_document

ROOT = Path(__file__).resolve().parent.parent
DOC_ID = "2024-12-20-russia-withdrawal-syria"
HEADER = " date 2024-12-20 "
# Set by hand after ingest: the seed's framing, which decides its split (schema `splits`).
PERSPECTIVE = "moroccan-aligned"


def main(seed: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        fresh = ingest_document(
            raw=seed.read_bytes(),
            doc_id=DOC_ID,
            strip_prefix=HEADER,
            published=dt.date(2024, 12, 20),
            sources=Path(tmp),
        ).folder
        authored = ROOT / "corpus" / "sources" / "documents" / DOC_ID
        same_text = (fresh / "text.txt").read_bytes() == (authored / "text.txt").read_bytes()
        expected = {**yaml.safe_load((fresh / "meta.yaml").read_text()), "perspective": PERSPECTIVE}
        same_meta = expected == yaml.safe_load((authored / "meta.yaml").read_text())
    print(f"text identical: {same_text}; metadata identical: {same_meta}")
    return 0 if same_text and same_meta else 1


if __name__ == "__main__":
    default = ROOT / "corpus" / "originals" / "000_fff40c119930539e.txt"
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else default))
