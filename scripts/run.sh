#!/usr/bin/env bash
# Starts the action server and the Rasa server (or a terminal chat with `run.sh shell`);
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-server}"
rasa=.venv/bin/rasa
port="${RASA_PORT:-5005}"

# rasa-sdk binds to SANIC_HOST (default 0.0.0.0); keep the action server on loopback.
SANIC_HOST=127.0.0.1 "$rasa" run actions --actions actions --port "${ACTION_PORT:-5055}" &
actions_pid=$!
trap 'kill "$actions_pid" 2>/dev/null || true; wait "$actions_pid" 2>/dev/null || true' EXIT INT TERM

if [ "$mode" = shell ]; then
  "$rasa" shell --model models --endpoints endpoints.yml --port "$port"
else
  cat <<MSG

  The assistant is starting on http://localhost:$port
  Talk to it over REST:
    curl -s localhost:$port/webhooks/rest/webhook -H 'Content-Type: application/json' \\
         -d '{"sender": "me", "message": "Does trazodone help back pain?"}'
  or chat in the terminal with: make shell
  Ctrl-C stops everything.

MSG
  "$rasa" run --model models --endpoints endpoints.yml --credentials credentials.yml \
    --port "$port" --interface 127.0.0.1 2>&1 &
  rasa_pid=$!
  trap 'kill "$rasa_pid" "$actions_pid" 2>/dev/null || true; wait 2>/dev/null || true' EXIT INT TERM
  wait "$rasa_pid"
fi
