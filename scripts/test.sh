#!/usr/bin/env bash
# Installs everything the tests need and runs the whole suite: ruff (lint and format),
# mypy on src/, then pytest.
#
# - .venv: the project and its test tools, pinned by constraints.txt.
# - .venv-ls: the Label Studio server (label-studio pins its own dependencies, so it gets
#   a virtual environment of its own). The integration tests start it on 127.0.0.1 on a
#   free port and stop it at the end; HMEIMIM_LS_BIN tells them where it is.
set -euo pipefail
cd "$(dirname "$0")/.."
LS_VERSION=1.23.2
python3 -m venv .venv
.venv/bin/python -m pip install --quiet -c constraints.txt -e '.[test]'
if [ "$(.venv-ls/bin/python -c 'import importlib.metadata as m; print(m.version("label-studio"))' 2>/dev/null)" != "$LS_VERSION" ]; then
    python3 -m venv .venv-ls
    .venv-ls/bin/python -m pip install --quiet "label-studio==$LS_VERSION"
fi
export HMEIMIM_LS_BIN="$PWD/.venv-ls/bin/label-studio"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/pytest "$@"
