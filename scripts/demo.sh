#!/usr/bin/env bash
# Set up .venv and open notebooks/quickstart.ipynb in JupyterLab, listening on
# 127.0.0.1 only. Extra arguments go to JupyterLab, e.g. --no-browser --port 8899.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/venv.sh

extra=()
if [[ "$(id -u)" == 0 ]]; then extra+=(--allow-root); fi
exec "$PY" -m jupyterlab --ip=127.0.0.1 "${extra[@]}" "$@" notebooks/quickstart.ipynb
