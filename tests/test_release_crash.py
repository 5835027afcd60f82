"""A release writer killed (SIGKILL) midway leaves no release and earlier ones untouched.

The writer makes the minor release after the latest release of a copy of the repository.

The writer runs in a subprocess that blocks at a chosen point, after telling the test
where it is; the test then kills it. No timing is measured: the test waits for the
marker file, with a generous cap only so that a broken writer cannot hang the suite.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from release_support import add_second_document, copy_repo

from hmeimim.actions import make_release, validate_paths
from hmeimim.storage.files import sha256_of
from hmeimim.storage.releases import list_releases

# Runs in the child: patch one step so that it reports, then blocks until killed.
CHILD = """
import sys, time
from pathlib import Path
import hmeimim.actions as actions
import hmeimim.release.build as build
import hmeimim.storage.writer as storage

root, point, marker = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
staging = f".tmp-v{sys.argv[4]}-"  # the staging folder of the release being written

def block():
    marker.write_text(point)
    while True:
        time.sleep(60)

if point == "inputs-copied":
    def patched(*args, **kwargs):
        block()
    build.read_valid_sources = patched  # the first read of the copied inputs
elif point == "release-staged":
    original_write = storage.write_parquet
    def patched(table, path, *args, **kwargs):
        original_write(table, path, *args, **kwargs)
        block()
    storage.write_parquet = patched
elif point == "between-renames":
    # The inputs are kept (renamed); the checked release is not renamed yet.
    import os
    original_replace = os.replace
    def patched(src, dst, *args, **kwargs):
        if Path(src).name.startswith(staging):
            block()
        return original_replace(src, dst, *args, **kwargs)
    os.replace = patched
actions.make_release(bump="minor", released="2027-01-02", root=root)
"""


@pytest.mark.parametrize("point", ["inputs-copied", "release-staged", "between-renames"])
def test_killed_writer_leaves_no_release(tmp_path: Path, point: str) -> None:
    repo = copy_repo(tmp_path / "repo")
    add_second_document(repo)
    releases = list_releases(repo)
    versions = [str(v) for v, _ in releases]
    latest, v1 = releases[-1]
    new = f"{latest.major}.{latest.minor + 1}.0"  # the minor release the writer makes
    before = {p.name: sha256_of(p) for p in sorted(v1.iterdir())}
    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(repo), point, str(marker), new],
        env={**os.environ, "HMEIMIM_ROOT": str(repo)},
    )
    try:
        for _ in range(1200):  # at most about two minutes
            if marker.exists() or child.poll() is not None:
                break
            time.sleep(0.1)
        assert marker.read_text() == point
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL

    corpus = repo / "corpus"
    assert [str(v) for v, _ in list_releases(repo)] == versions
    assert not (corpus / f"v{new}").exists()
    assert {p.name: sha256_of(p) for p in sorted(v1.iterdir())} == before
    # What the kill left: a staging folder or an input copy without a release.
    leftovers = {
        "inputs-copied": list((corpus / "inputs").glob(".tmp-inputs-*")),
        "release-staged": list(corpus.glob(f".tmp-v{new}-*")),
        "between-renames": [corpus / "inputs" / f"v{new}"],
    }[point]
    assert len(leftovers) == 1
    assert leftovers[0].is_dir()
    report = validate_paths([path for _, path in list_releases(repo)])
    assert report.ok, [f.render() for f in report.findings]

    # The next release cleans up what the killed one left and succeeds.
    result = make_release(bump="minor", released="2027-01-02", root=repo)
    assert result.version == new
    assert sorted(p.name for p in corpus.iterdir() if p.name.startswith(".tmp-")) == []
    kept = sorted(p.name for p in (corpus / "inputs").iterdir())
    assert kept == [f"v{v}" for v in [*versions, new]]
    assert validate_paths([v1, corpus / f"v{new}"]).ok
