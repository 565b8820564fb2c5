#!/usr/bin/env bash
# The whole test suite: lint and format checks, data validation, dialogue end-to-end stories, then pytest
# (unit tests, live conversations on every channel, the website widget in headless Chromium,
# NLU and red-flag quality floors).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
mkdir -p results

echo "== ruff: lint and format (pyproject.toml, line length 100)"
"$bin/ruff" check --quiet .
"$bin/ruff" format --check --quiet .

echo "== rasa data validate (warnings fail)"
"$bin/rasa" data validate --fail-on-warnings --quiet

echo "== end-to-end test stories (prediction errors fail)"
"$bin/rasa" test core --stories tests/e2e --model models/backpain.tar.gz \
  --out results/core --fail-on-prediction-errors --no-plot --quiet

echo "== headless Chromium for the widget's end-to-end test"
read -r chromium _ < <(scripts/chromium.sh)
export CHROMIUM="$chromium"

echo "== pytest"
"$bin/python" -m pytest -p no:cacheprovider "$@"
