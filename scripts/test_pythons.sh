#!/usr/bin/env bash
# The fast test lane on every Python the package claims (pyproject: requires-python >=3.9), each
# in a virtualenv of its own under .venvs/. The interpreters come from pyenv (~/.pyenv/versions)
# or PATH; PYTHONS overrides the list ("3.9 3.10 3.12 3.13"; the main lane runs 3.11).
set -euo pipefail
cd "$(dirname "$0")/.."
versions=${PYTHONS:-"3.9 3.10 3.12 3.13"}
status=0
for v in $versions; do
  py=""
  for candidate in "$HOME"/.pyenv/versions/"$v".*/bin/python"$v" "$(command -v "python$v" || true)"; do
    if [ -x "$candidate" ] && "$candidate" -c 'import sys' >/dev/null 2>&1; then
      py=$candidate
      break
    fi
  done
  if [ -z "$py" ]; then
    echo "test-pythons: Python $v is not installed (pyenv install $v, or set PYTHONS)" >&2
    status=1
    continue
  fi
  venv=".venvs/py$v"
  if [ ! -x "$venv/bin/python" ]; then
    "$py" -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
  fi
  "$venv/bin/pip" install --quiet -e '.[test]' --config-settings editable_mode=compat
  echo "== Python $("$venv/bin/python" -c 'import platform; print(platform.python_version())'): fast lane"
  log="$venv/fast-lane.log"
  if PATH="$PWD/$venv/bin:$PATH" "$venv/bin/python" -m pytest -q -p no:cacheprovider \
      -m "not cluster and not dist and not fuzz" >"$log" 2>&1; then
    tail -1 "$log"
  else
    tail -30 "$log"
    echo "test-pythons: the fast lane failed on Python $v" >&2
    status=1
  fi
  if grep -qE '(^| )no tests ran|collected 0 items' "$log"; then
    echo "test-pythons: no tests were collected on Python $v" >&2
    status=1
  fi
done
exit "$status"
