#!/usr/bin/env bash
# Starts the action server and the Rasa server (or a terminal chat with `run.sh shell`);
# Ctrl-C stops both. WORKERS=N (N > 1) runs N Sanic workers, which share conversations
# through a Redis lock store started on loopback (scripts/redis.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-server}"
rasa=.venv/bin/rasa
# The Rasa server starts through the project's launcher: Rasa's CLI with its speed-ups.
rasa_server=(.venv/bin/python -m backpain_assistant.rasa_cli)
port="${RASA_PORT:-5005}"
workers="${WORKERS:-1}"
endpoints=endpoints.yml
redis_dir="$PWD/build/redis"

stop_redis() { if [ "$workers" -gt 1 ]; then scripts/redis.sh stop "$redis_dir"; fi; }
if [ "$mode" != shell ] && [ "$workers" -gt 1 ]; then
  redis_port="${REDIS_PORT:-6380}"
  scripts/redis.sh start "$redis_dir" "$redis_port"
  endpoints=build/endpoints-workers.yml
  { cat endpoints.yml
    printf '\n# Added by WORKERS=%s: several processes need a shared lock store.\n' "$workers"
    printf 'lock_store:\n  type: backpain_assistant.lock_stores.atomic_redis.AtomicRedisLockStore\n  url: 127.0.0.1\n  port: %s\n  db: 0\n' "$redis_port"
  } > "$endpoints"
  export SANIC_WORKERS="$workers"
else
  workers=1
fi

# rasa-sdk binds to SANIC_HOST (default 0.0.0.0); keep the action server on loopback.
SANIC_HOST=127.0.0.1 "$rasa" run actions --actions actions --port "${ACTION_PORT:-5055}" &
actions_pid=$!
trap 'kill "$actions_pid" 2>/dev/null || true; wait "$actions_pid" 2>/dev/null || true' EXIT INT TERM

if [ "$mode" = shell ]; then
  "${rasa_server[@]}" shell --model models --endpoints endpoints.yml --port "$port"
else
  cat <<MSG

  The assistant is starting on http://localhost:$port
  Chat in the browser (the website widget): http://localhost:$port/webhooks/website/
  Talk to it over REST:
    curl -s localhost:$port/webhooks/rest/webhook -H 'Content-Type: application/json' \\
         -d '{"sender": "me", "message": "Does trazodone help back pain?"}'
  (REST_TOKEN is optional here, on loopback; with it set, add -H "Authorization: Bearer \$REST_TOKEN";
  make production requires it),
  or chat in the terminal with: make shell.
  Slack and Telegram are on when their secrets are set (README, "Channels").
  Ctrl-C stops everything.

MSG
  "${rasa_server[@]}" run --model models --endpoints "$endpoints" --credentials credentials.yml \
    --port "$port" --interface 127.0.0.1 2>&1 &
  rasa_pid=$!
  trap 'kill "$rasa_pid" "$actions_pid" 2>/dev/null || true; wait 2>/dev/null || true; stop_redis' EXIT INT TERM
  wait "$rasa_pid"
fi
