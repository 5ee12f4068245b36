#!/usr/bin/env bash
# `make serve`: Saferplan's production stack on this machine: PostgreSQL, the database migrated
# (with the shared cache table), static files collected with their manifest, then several
# gunicorn web processes on http://127.0.0.1:8080 and the job worker, all with production settings.
#
# Takes the same environment as a real deployment (see README, "Running in production"). For use
# on this machine only, it fills in what is missing: DATABASE_URL (the local PostgreSQL cluster),
# DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost, a generated DJANGO_SECRET_KEY kept in var/, and
# SAFERPLAN_ALLOW_HTTP=1, which settings refuse unless every allowed host is loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
VAR_DIR=${SAFERPLAN_VAR_DIR:-var}

if [ -z "${DATABASE_URL:-}" ]; then
  . scripts/postgres.sh
  set -euo pipefail  # postgres.sh leaves errexit off for the shell that sources it
  # postgres.sh makes the role; the database is made here the first time.
  "$BIN/python" - <<'PY'
import os, psycopg
from urllib.parse import urlsplit
url = urlsplit(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
    if not conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
        conn.execute(f'create database "{name}"')
PY
fi

export SAFERPLAN_ENV=production
export DJANGO_ALLOWED_HOSTS=${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}
export SAFERPLAN_ALLOW_HTTP=${SAFERPLAN_ALLOW_HTTP:-1}
# Each web process keeps its database connection for a minute instead of opening one a request
# (checked before reuse): opening one costs more than a whole question page.
export DATABASE_CONN_MAX_AGE=${DATABASE_CONN_MAX_AGE:-60}
if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
  key_file="$VAR_DIR/serve-secret-key"
  if [ ! -s "$key_file" ]; then
    mkdir -p "$VAR_DIR"
    (umask 077 && "$BIN/python" -c "import secrets; print(secrets.token_urlsafe(64))" > "$key_file")
  fi
  DJANGO_SECRET_KEY=$(cat "$key_file")
  export DJANGO_SECRET_KEY
fi

"$BIN/python" manage.py migrate --noinput --verbosity 0
"$BIN/python" manage.py collectstatic --noinput --verbosity 0

pids=()
stop() { kill -TERM "${pids[@]}" 2>/dev/null || true; wait || true; }
trap stop INT TERM EXIT
"$BIN/gunicorn" --config scripts/gunicorn.conf.py saferplan.wsgi &
pids+=($!)
# The job worker: imports and other long work, and the one process that writes the crime store
# (the web processes read the snapshots it publishes).
"$BIN/saferplan" worker &
pids+=($!)
echo "Serving on http://${SAFERPLAN_BIND:-127.0.0.1:8080} with production settings (Ctrl+C to stop)"
# When any one process stops, stop the others: a half-running stack is worse than none.
wait -n "${pids[@]}"
