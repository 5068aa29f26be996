#!/usr/bin/env bash
# Set up .venv and run every check CI runs: the JS build and unit tests, the check that
# the committed bundle matches the sources, the whole pytest suite (browser e2e included),
# LangGraph's own HITL tests on our engine (tests/upstream) and the teaching notebooks.
# Extra arguments are passed to the main pytest run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/venv.sh

status=0

js_build_and_test() {
  cd js || return 1
  # npm ci wipes node_modules; skip it on a dev machine whose install is current.
  if [[ -n "${CI:-}" || ! -f node_modules/.package-lock.json \
        || package-lock.json -nt node_modules/.package-lock.json ]]; then
    npm ci --no-audit --no-fund || return 1
  fi
  npm run build && npm test
}

if [[ -f js/package.json ]]; then
  echo "==> JS: install, build, unit tests"
  if (js_build_and_test); then
    echo "==> checking the committed bundle in hitl_notebook/static matches js/"
    if ! git diff --exit-code --stat -- hitl_notebook/static \
       || [[ -n "$(git status --porcelain --untracked-files=all -- hitl_notebook/static)" ]]; then
      git status --short -- hitl_notebook/static
      echo "ERROR: hitl_notebook/static differs from a fresh build of js/; commit the rebuilt bundle." >&2
      status=1
    fi
  else
    echo "ERROR: the JS build or its unit tests failed." >&2
    status=1
  fi
else
  echo "==> js/package.json not found: skipping the JS build"
fi

# The seeds' JavaScript SDK samples run with @langchain/langgraph-sdk from this folder
# (tests/server/test_seed_sdk_samples.py).
seed_js=tests/server/js
if [[ -n "${CI:-}" || ! -f $seed_js/node_modules/.package-lock.json \
      || $seed_js/package-lock.json -nt $seed_js/node_modules/.package-lock.json ]]; then
  echo "==> npm ci in $seed_js (JavaScript SDK for the seed samples)"
  (cd "$seed_js" && npm ci --no-audit --no-fund) || status=1
fi

echo "==> ruff: lint and format"
"$PY" -m ruff check . || status=1
"$PY" -m ruff format --check . || status=1

echo "==> mypy: types of hitl_notebook/ (config in pyproject.toml)"
"$PY" -m mypy || status=1

echo "==> pytest"
"$PY" -m pytest -ra "$@" || status=1

# LangGraph's own HITL tests, taken from its sdist (cached in .cache/upstream), run on our
# engine; fails on a regression against tests/upstream/expected_failures.txt.
echo "==> upstream: LangGraph's tests on our engine"
"$PY" -m tests.upstream || status=1

shopt -s nullglob
notebooks=(notebooks/*.ipynb)
if (( ${#notebooks[@]} )); then
  echo "==> notebooks (nbval)"
  "$PY" -m pytest --nbval-lax "${notebooks[@]}" || status=1
fi

exit "$status"
