#!/usr/bin/env bash
# Installs everything the tests need and runs the whole suite: ruff (lint and format),
# mypy on src/, then pytest.
#
# - .venv: the project and its test tools, pinned by constraints.txt.
# - .venv-ls: the Label Studio server (label-studio pins its own dependencies, so it gets
#   a virtual environment of its own). The integration tests start it on 127.0.0.1 on a
#   free port and stop it at the end; HMEIMIM_LS_BIN tells them where it is.
# - Chromium, Debian's package (apt-get, with sudo when not root), for the browser tests
#   of the review pages (Playwright drives it; no browser download); HMEIMIM_CHROMIUM
#   tells them where it is.
# - Java 17, Debian's headless runtime (apt-get, as above), when no `java` is on PATH:
#   the Spark engine's tests run pyspark (the `spark` extra) in local mode.
set -euo pipefail
cd "$(dirname "$0")/.."
LS_VERSION=1.23.2
python3 -m venv .venv
.venv/bin/python -m pip install --quiet -c constraints.txt -e '.[test,spark]'
if [ "$(.venv-ls/bin/python -c 'import importlib.metadata as m; print(m.version("label-studio"))' 2>/dev/null)" != "$LS_VERSION" ]; then
    python3 -m venv .venv-ls
    .venv-ls/bin/python -m pip install --quiet "label-studio==$LS_VERSION"
fi
export HMEIMIM_LS_BIN="$PWD/.venv-ls/bin/label-studio"
if [ ! -x /usr/bin/chromium ]; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
export HMEIMIM_CHROMIUM=/usr/bin/chromium
if ! command -v java >/dev/null; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/pytest "$@"
