#!/usr/bin/env bash
# nginx from Debian's package (installed when missing) as the load balancer in front of
# several Rasa servers, on loopback, with its config, pid and logs in DIR.
#   scripts/nginx.sh start DIR PORT RASA_PORT...   balances 127.0.0.1:PORT over the Rasa servers
#   scripts/nginx.sh stop DIR
# Per-client limits from the environment: CLIENT_RATE=20r/s CLIENT_BURST=40 CLIENT_CONNECTIONS=40
set -euo pipefail
command="${1:?usage: nginx.sh start DIR PORT RASA_PORT... | stop DIR}"
dir="$(mkdir -p "${2:?directory}" && cd "$2" && pwd)"
template="$(dirname "$0")/../deploy/nginx.conf"

if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "nginx is not installed; run as root, or: sudo apt-get install nginx" >&2
    exit 1
  fi
  echo "Installing nginx from Debian's packages …" >&2
  apt-get update -qq
  # The package would start a site on port 80; this project only runs its own instance.
  RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null 2>&1 \
    || RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi
nginx="$(command -v nginx || echo /usr/sbin/nginx)"

case "$command" in
  start)
    port="${3:?port}"
    shift 3
    [ "$#" -gt 0 ] || { echo "give at least one Rasa server port" >&2; exit 2; }
    upstreams=""
    for rasa_port in "$@"; do upstreams+="    server 127.0.0.1:$rasa_port max_fails=1 fail_timeout=5s;"$'\n'; done
    mkdir -p "$dir/tmp"
    DIR="$dir" PORT="$port" UPSTREAMS="$upstreams" CLIENT_RATE="${CLIENT_RATE:-20r/s}" \
      CLIENT_BURST="${CLIENT_BURST:-40}" CLIENT_CONNECTIONS="${CLIENT_CONNECTIONS:-40}" \
      perl -pe 's/\{\{(\w+)\}\}/$ENV{$1}/g' "$template" > "$dir/nginx.conf"
    "$nginx" -t -q -p "$dir" -c "$dir/nginx.conf"
    "$nginx" -p "$dir" -c "$dir/nginx.conf"
    ;;
  stop)
    if [ -f "$dir/nginx.pid" ]; then
      "$nginx" -p "$dir" -c "$dir/nginx.conf" -s quit 2>/dev/null || kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
      for _ in $(seq 50); do [ -f "$dir/nginx.pid" ] || break; sleep 0.1; done
    fi
    ;;
  *)
    echo "unknown command: $command" >&2
    exit 2
    ;;
esac
