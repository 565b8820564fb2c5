#!/usr/bin/env bash
# Prints the path of a Python that Rasa 3.6 runs on (3.8 to 3.10), or explains what to install.
set -u

supported() {
  "$1" -c 'import sys, venv; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 10) else 1)' >/dev/null 2>&1
}

candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
for version in 3.10 3.9 3.8; do
  command -v "python$version" >/dev/null 2>&1 && candidates+=("$(command -v "python$version")")
done
pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
for version in 3.10 3.9 3.8; do
  for found in "$pyenv_root"/versions/"$version".*/bin/python"$version"; do
    [ -x "$found" ] && candidates+=("$found")
  done
done

for candidate in "${candidates[@]}"; do
  if supported "$candidate"; then
    echo "$candidate"
    exit 0
  fi
done

cat >&2 <<'MSG'
Rasa 3.6 needs Python 3.8, 3.9 or 3.10, and none was found (python3.10, python3.9, python3.8,
or under ~/.pyenv/versions). Install one, for example:
  pyenv install 3.10.13                          # with pyenv
  apt-get install python3.10 python3.10-venv      # where your distribution has it
or point to one with PYTHON=/path/to/python3.10 make run
MSG
exit 1
