# Sourced by the other scripts: make sure .venv exists with `pip install -e ".[dev]"`
# done for the current pyproject.toml, then set PY to the venv's python.
# Re-running is fast: the install is skipped while pyproject.toml is unchanged.

VENV_DIR="${HITL_VENV:-.venv}"
PY="$VENV_DIR/bin/python"

if [[ ! -x "$PY" ]]; then
  echo "==> creating $VENV_DIR"
  "${PYTHON:-python3}" -m venv "$VENV_DIR"
fi

_stamp="$VENV_DIR/.hitl-install-stamp"
_want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [[ ! -f "$_stamp" || "$(cat "$_stamp")" != "$_want" ]]; then
  echo "==> pip install -e .[dev] into $VENV_DIR"
  export PIP_DISABLE_PIP_VERSION_CHECK=1
  "$PY" -m pip install --quiet --upgrade pip
  "$PY" -m pip install --quiet -e ".[dev]"
  echo "$_want" > "$_stamp"
fi
unset _stamp _want
