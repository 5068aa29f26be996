# Sourced by the other scripts: make sure .venv exists with `pip install -e ".[$HITL_EXTRAS]"`
# done for the current pyproject.toml, then set PY to the venv's python. HITL_EXTRAS is
# "dev" (everything: tests, linters) unless the caller sets it; scripts/demo.sh asks for
# "notebook" only (JupyterLab and a kernel). Re-running is fast: the install is skipped
# while pyproject.toml is unchanged and the venv already has those extras (or "dev").

VENV_DIR="${HITL_VENV:-.venv}"
PY="$VENV_DIR/bin/python"
HITL_EXTRAS="${HITL_EXTRAS:-dev}"

if [[ ! -x "$PY" ]]; then
  echo "==> creating $VENV_DIR"
  "${PYTHON:-python3}" -m venv "$VENV_DIR"
fi

_stamp="$VENV_DIR/.hitl-install-stamp"
_hash="$(sha256sum pyproject.toml | cut -d' ' -f1)"
_have="$(cat "$_stamp" 2>/dev/null || true)"
if [[ "$_have" != "$_hash $HITL_EXTRAS" && "$_have" != "$_hash dev" ]]; then
  echo "==> pip install -e .[$HITL_EXTRAS] into $VENV_DIR"
  export PIP_DISABLE_PIP_VERSION_CHECK=1
  "$PY" -m pip install --quiet --upgrade pip
  "$PY" -m pip install --quiet -e ".[$HITL_EXTRAS]"
  echo "$_hash $HITL_EXTRAS" > "$_stamp"
fi
unset _stamp _hash _have
