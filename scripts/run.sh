#!/usr/bin/env bash
# Set-up command 1: install, build the index on first use (qa prepares the model then), and run qa.
# With no arguments qa opens its terminal UI; any arguments are passed to qa (e.g. ask "问题").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
if ! .venv/bin/qa info --json | grep -q '"built": true'; then
    .venv/bin/qa index
fi
exec .venv/bin/qa "$@"
