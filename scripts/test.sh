#!/usr/bin/env bash
# Installs everything the tests need into .venv (pinned by constraints.txt) and runs
# the whole suite: ruff (lint and format), mypy on src/, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet -c constraints.txt -e '.[test]'
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/pytest "$@"
