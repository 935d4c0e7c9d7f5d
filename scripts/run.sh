#!/usr/bin/env bash
# Set-up command 1: install, prepare the model, and run qa (arguments are passed on).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
.venv/bin/qa model prepare
if [ "$#" -eq 0 ]; then
    exec .venv/bin/qa model info
fi
exec .venv/bin/qa "$@"
