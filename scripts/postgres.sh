# Sourced by `make test` and scripts/serve.sh: makes sure a local PostgreSQL server is running with a role for the tests,
# then exports DATABASE_URL. Uses the Debian cluster the postgresql package creates.
set -e
if [ -z "${DATABASE_URL:-}" ]; then
  pg_version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  SUDO=""; AS_PG="sudo -u postgres"
  if [ "$(id -u)" -eq 0 ]; then AS_PG="runuser -u postgres --"; else SUDO="sudo"; fi
  if ! pg_lsclusters -h 2>/dev/null | grep -q "^$pg_version main"; then
    $SUDO pg_createcluster "$pg_version" main >/dev/null
  fi
  if ! pg_lsclusters -h | grep "^$pg_version main" | grep -q online; then
    $SUDO pg_ctlcluster "$pg_version" main start
  fi
  port=$(pg_lsclusters -h | awk -v v="$pg_version" '$1==v && $2=="main" {print $3}')
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 0.5
  done
  $AS_PG psql -q -p "$port" -v ON_ERROR_STOP=1 <<SQL >/dev/null
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'saferplan') THEN
    CREATE ROLE saferplan LOGIN CREATEDB PASSWORD 'saferplan';
  END IF;
END \$\$;
SQL
  export DATABASE_URL="postgres://saferplan:saferplan@127.0.0.1:$port/saferplan"
fi
echo "Using PostgreSQL at ${DATABASE_URL%%\?*}" | sed 's/saferplan:saferplan@/saferplan@/'
set +e
