#!/usr/bin/env bash
# The production profile on loopback, from Debian's packages (installed when missing):
# PostgreSQL tracker store, Redis lock store, RASA_SERVERS Rasa servers behind nginx, and
# the action server. See deploy/ and README, "Production".
#   scripts/stack.sh run     starts it, waits; Ctrl-C stops it (make production)
#   scripts/stack.sh start   starts it in the background
#   scripts/stack.sh stop
# Settings from the environment, with their defaults:
#   REST_TOKEN (required: clients send it as a bearer token)
#   STACK_DIR=build/stack PORT=5005 (nginx) RASA_SERVERS=2 RASA_PORTS="5010 5011 …"
#   ACTION_PORT=5055 DB_PORT=5433 REDIS_PORT=6380 RETENTION_DAYS=30
#   TICKET_LOCK_LIFETIME=15 (seconds: how long a conversation stays locked by a server that
#   died while handling it; Rasa's default is 60, far longer than any message takes here)
set -euo pipefail
cd "$(dirname "$0")/.."
command="${1:?usage: stack.sh run | start | stop}"
if [ "$command" != stop ] && [ -z "${REST_TOKEN:-}" ]; then
  echo "The production profile needs REST_TOKEN (clients send it as 'Authorization: Bearer …')," >&2
  echo "for example: export REST_TOKEN=\$(openssl rand -hex 32)" >&2
  exit 2
fi
export REST_TOKEN_REQUIRED=true
dir="$(mkdir -p "${STACK_DIR:-build/stack}" && cd "${STACK_DIR:-build/stack}" && pwd)"
port="${PORT:-5005}"
servers="${RASA_SERVERS:-2}"
read -r -a rasa_ports <<< "${RASA_PORTS:-$(seq -s ' ' 5010 $((5010 + servers - 1)))}"
action_port="${ACTION_PORT:-5055}"
export DB_HOST=127.0.0.1 DB_PORT="${DB_PORT:-5433}" DB_NAME=rasa DB_USER=postgres DB_PASSWORD=""
export REDIS_HOST=127.0.0.1 REDIS_PORT="${REDIS_PORT:-6380}" RETENTION_DAYS="${RETENTION_DAYS:-30}"
export ACTION_ENDPOINT_URL="http://127.0.0.1:$action_port/webhook"
export TICKET_LOCK_LIFETIME="${TICKET_LOCK_LIFETIME:-15}"
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONWARNINGS=ignore
rasa=.venv/bin/rasa
# The Rasa server starts through the project's launcher: Rasa's CLI with its speed-ups.
rasa_server=(.venv/bin/python -m backpain_assistant.rasa_cli)
mkdir -p "$dir/logs" "$dir/pids"

launch() {  # name, command…: runs in the background, in its own session, logging to logs/NAME.log
  local name="$1"
  shift
  setsid "$@" > "$dir/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$dir/pids/$name.pid"
}

await_up() {  # name, health URL
  local name="$1" health="$2"
  for _ in $(seq 600); do
    if curl -sf -o /dev/null "$health"; then return 0; fi
    if ! kill -0 "$(cat "$dir/pids/$name.pid")" 2>/dev/null; then break; fi
    sleep 0.2
  done
  echo "$name did not start; see $dir/logs/$name.log" >&2
  tail -20 "$dir/logs/$name.log" >&2
  return 1
}

launch_rasa() {  # port
  launch "rasa-$1" "${rasa_server[@]}" run --model models --endpoints deploy/endpoints.yml \
    --credentials credentials.yml --port "$1" --interface 127.0.0.1
}

start() {
  scripts/postgres.sh start "$dir/postgres" "$DB_PORT"
  scripts/redis.sh start "$dir/redis" "$REDIS_PORT"
  launch actions env SANIC_HOST=127.0.0.1 "$rasa" run actions --actions actions --port "$action_port"
  # The first server creates the tables and indexes; the others then start together.
  launch_rasa "${rasa_ports[0]}"
  await_up "rasa-${rasa_ports[0]}" "http://127.0.0.1:${rasa_ports[0]}/"
  for rasa_port in "${rasa_ports[@]:1}"; do launch_rasa "$rasa_port"; done
  for rasa_port in "${rasa_ports[@]:1}"; do await_up "rasa-$rasa_port" "http://127.0.0.1:$rasa_port/"; done
  await_up actions "http://127.0.0.1:$action_port/health"
  scripts/nginx.sh start "$dir/nginx" "$port" "${rasa_ports[@]}"
  cat <<MSG

  The production profile is up on http://127.0.0.1:$port (nginx over Rasa servers on ports ${rasa_ports[*]})
    PostgreSQL 127.0.0.1:$DB_PORT, Redis 127.0.0.1:$REDIS_PORT, action server 127.0.0.1:$action_port
    logs in $dir/logs
  Website widget: http://127.0.0.1:$port/webhooks/website/
  curl -s localhost:$port/webhooks/rest/webhook -H 'Content-Type: application/json' \\
       -H "Authorization: Bearer \$REST_TOKEN" \\
       -d '{"sender": "me", "message": "Does trazodone help back pain?"}'

MSG
}

stop() {
  scripts/nginx.sh stop "$dir/nginx" || true
  for pid_file in "$dir"/pids/*.pid; do
    [ -f "$pid_file" ] || continue
    kill "$(cat "$pid_file")" 2>/dev/null || true
    rm -f "$pid_file"
  done
  scripts/redis.sh stop "$dir/redis" || true
  scripts/postgres.sh stop "$dir/postgres" || true
}

case "$command" in
  start) start ;;
  stop) stop ;;
  run)
    trap stop EXIT INT TERM
    start
    echo "  Ctrl-C stops everything."
    wait
    ;;
  *) echo "unknown command: $command" >&2; exit 2 ;;
esac
