#!/usr/bin/env bash
# The whole suite: lint, then pytest on SQLite and on PostgreSQL (127.0.0.1:5432, trust auth) side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv

ensure_postgres() {
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    echo "== starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && return 0; sleep 1; done
    echo "PostgreSQL did not come up on 127.0.0.1:5432" >&2; exit 1
  fi
}

# Debian's chromium for the browser tests, a Chinese font so that their screenshots and the yearly report's PDF can
# be read, and poppler to read that PDF back (scripts/ensure-debian.sh).
ensure_chromium() {
  bash scripts/ensure-debian.sh --tests
}

ensure_postgres
ensure_chromium

echo "== ruff"
$VENV/bin/ruff check src tests $(ls -d bench 2>/dev/null)

# The two runs go side by side (two cores; the PostgreSQL run waits on its server much of the time), each with its
# own var folder, into logs that are printed whole when both are done.
logs=$(mktemp -d)
echo "== tests on SQLite and on PostgreSQL, side by side (logs in $logs)"
YUANMENG_VAR=$(mktemp -d) env -u DATABASE_URL $VENV/bin/pytest "$@" > "$logs/sqlite.log" 2>&1 &
sqlite=$!
YUANMENG_VAR=$(mktemp -d) DATABASE_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}" \
  $VENV/bin/pytest "$@" > "$logs/postgresql.log" 2>&1 &
postgresql=$!
status=0
wait $sqlite || status=$?
echo "== tests on SQLite"; cat "$logs/sqlite.log"
wait $postgresql || status=$?
echo "== tests on PostgreSQL"; cat "$logs/postgresql.log"
exit $status
