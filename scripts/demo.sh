#!/usr/bin/env bash
# Set up .venv (the [notebook] extra: JupyterLab and a kernel) and open the quickstart
# notebook in JupyterLab, listening on 127.0.0.1 only. Extra arguments go to JupyterLab,
# e.g. --no-browser --port 8899.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

shopt -s nullglob
quickstart=(notebooks/*quickstart.ipynb)
if (( ${#quickstart[@]} == 0 )); then
  echo "ERROR: no notebooks/*quickstart.ipynb to open" >&2
  exit 1
fi

HITL_EXTRAS="${HITL_EXTRAS:-notebook}" source scripts/venv.sh

extra=()
if [[ "$(id -u)" == 0 ]]; then extra+=(--allow-root); fi
exec "$PY" -m jupyterlab --ip=127.0.0.1 "${extra[@]}" "$@" "${quickstart[0]}"
