#!/usr/bin/env bash
# Creates .venv and installs qa into it. torch comes first and pinned: it is
# the CPU build on this machine's disk; unpinned, pip would pull a CUDA build.
# Usage: scripts/install.sh [extra]   e.g. scripts/install.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet "torch==2.13.0"
.venv/bin/python -m pip install --quiet -e ".${extra:+[$extra]}"
