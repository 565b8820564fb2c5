#!/usr/bin/env bash
# A private Redis server on loopback, from Debian's package (installed when missing): the lock
# store that lets several Rasa processes (Sanic workers or servers) share conversations.
#   scripts/redis.sh start DIR PORT   starts it with its files in DIR
#   scripts/redis.sh stop DIR
set -euo pipefail
command="${1:?usage: redis.sh start DIR PORT | stop DIR}"
dir="${2:?data directory}"

if ! command -v redis-server >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "Redis is not installed; run as root, or: sudo apt-get install redis-server" >&2
    exit 1
  fi
  echo "Installing Redis from Debian's packages …" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi

case "$command" in
  start)
    port="${3:?port}"
    mkdir -p "$dir"
    redis-server --port "$port" --bind 127.0.0.1 --protected-mode yes --dir "$dir" \
      --save "" --appendonly no --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
    for _ in $(seq 50); do
      redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && exit 0
      sleep 0.1
    done
    echo "Redis did not start; see $dir/redis.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$dir/redis.pid" ]; then
      pid="$(cat "$dir/redis.pid")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      rm -f "$dir/redis.pid"
    fi
    ;;
  *)
    echo "unknown command: $command" >&2
    exit 2
    ;;
esac
