"""Shared test fixtures: the repository root, a private Hugging Face cache, a Label Studio."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Before any test module imports `datasets` (which reads these once, at import): every
# cache of the test run lives in a private folder, never in the user's home.
HF_HOME = Path(tempfile.mkdtemp(prefix="hmeimim-tests-hf-"))
os.environ["HF_HOME"] = str(HF_HOME)
os.environ["HF_DATASETS_CACHE"] = str(HF_HOME / "datasets")
os.environ["HF_HUB_OFFLINE"] = "1"

ROOT = Path(__file__).resolve().parent.parent
# The seed report byte for byte as received; tests never read outside the repository.
SEED = ROOT / "corpus" / "originals" / "000_fff40c119930539e.txt"
SEED_SHA256 = "7f8f206fb5cfd00c04b29c90a1ec0370ace8792dedd9f07bcbd2c26c48250132"
SEED_DOC = "2024-12-20-russia-withdrawal-syria"


@pytest.fixture(autouse=True)
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own Hugging Face cache, so none writes into the user's home.

    `datasets` reads these variables when it is first imported and keeps the values in
    `datasets.config`, so that is patched as well for tests that run after the import.
    """
    cache = tmp_path / "hf"
    monkeypatch.setenv("HF_HOME", str(cache))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(cache / "datasets"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    config = sys.modules.get("datasets.config")
    if config is not None:
        monkeypatch.setattr(config, "HF_DATASETS_CACHE", cache / "datasets")
        monkeypatch.setattr(config, "HF_CACHE_HOME", str(cache))
    return cache


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(HF_HOME, ignore_errors=True)


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real Label Studio server on 127.0.0.1 for the whole session, stopped at the end.

    `HMEIMIM_LS_BIN` names the `label-studio` executable of its own virtual environment
    (scripts/test.sh installs it into .venv-ls). In CI, or when the variable is set, a
    server that cannot start fails the tests; only a local run without the variable skips.
    """
    from ls_server import LabelStudioStartError, running_label_studio, template_data_dir

    exe = os.environ.get("HMEIMIM_LS_BIN")
    if not exe:
        if in_ci():
            pytest.fail("CI is set but HMEIMIM_LS_BIN is not: run the suite with scripts/test.sh")
        pytest.skip("no Label Studio server: HMEIMIM_LS_BIN is unset (scripts/test.sh sets it)")
    venv_bin = Path(exe).absolute().parent
    if not Path(exe).is_file():
        pytest.fail(f"HMEIMIM_LS_BIN={exe} does not exist")
    with contextlib.ExitStack() as stack:
        try:
            started = time.monotonic()
            template = template_data_dir(venv_bin, venv_bin.parent / "hmeimim-data")
            data = tmp_path_factory.mktemp("label-studio") / "data"
            shutil.copytree(template, data)
            info = stack.enter_context(running_label_studio(venv_bin, data))
        except (LabelStudioStartError, OSError, RuntimeError) as error:
            pytest.fail(f"Label Studio did not start: {error}")
        timings = {
            "startup_seconds": round(info.startup_seconds, 1),
            "with_template_seconds": round(time.monotonic() - started, 1),
        }
        (tmp_path_factory.getbasetemp() / "label-studio-timings.json").write_text(
            json.dumps(timings)
        )
        yield info


def fingerprint(text: str) -> dict[str, Any]:
    """The derived columns text_sha256 and text_length of a test document (schema 1.2.0),
    computed here with hashlib, independently of the code under test."""
    return {
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "text_length": len(text),
    }
