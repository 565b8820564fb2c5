#!/usr/bin/env bash
# A private PostgreSQL server on loopback, from Debian's package (installed when missing),
# for the tests, the benchmark and the PostgreSQL tracker-store profile.
#   scripts/postgres.sh start DIR PORT   creates DIR as a cluster if needed, starts it, creates database "rasa"
#   scripts/postgres.sh stop DIR
# Connections: 127.0.0.1:PORT, user postgres, no password (trust on loopback only).
set -euo pipefail
command="${1:?usage: postgres.sh start DIR PORT | stop DIR}"
dir="${2:?data directory}"

install_if_missing() {
  if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
      echo "PostgreSQL is not installed; run as root, or: sudo apt-get install postgresql" >&2
      exit 1
    fi
    echo "Installing PostgreSQL from Debian's packages …" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
}

install_if_missing
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
# initdb and the server refuse to run as root.
as_owner=()
if [ "$(id -u)" = 0 ]; then as_owner=(runuser -u postgres --); fi

case "$command" in
  start)
    port="${3:?port}"
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; chmod 700 "$dir"; fi
    if ! "${as_owner[@]}" test -w "$dir"; then
      echo "PostgreSQL runs as user postgres, which cannot reach $dir: a parent directory is private." >&2
      echo "Choose a directory whose parents it can enter (chmod o+x)." >&2
      exit 1
    fi
    if [ ! -f "$dir/PG_VERSION" ]; then
      "${as_owner[@]}" "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $dir" start >/dev/null
    if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -Atc "SELECT 1 FROM pg_database WHERE datname='rasa'" | grep -q 1; then
      "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres rasa
    fi
    ;;
  stop)
    if [ -f "$dir/postmaster.pid" ]; then
      "${as_owner[@]}" "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
    fi
    ;;
  *)
    echo "unknown command: $command" >&2
    exit 2
    ;;
esac
