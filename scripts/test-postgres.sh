#!/usr/bin/env bash
# Makes the local PostgreSQL 15 ready for the tests and benches: starts the Debian cluster if it is down
# and creates the role they use (allowed to create and drop its own databases; each test run makes a
# database with a random name and drops it). Prints the URL to export as LINEAGELENS_TEST_POSTGRES_URL.
# Needs root (or the postgres user) and the postgresql-15 package; .ci/run installs it.
# Only the URL goes to stdout: callers capture it with $(...), and pg_ctlcluster may print notes such as
# "Removed stale pid file." (a machine restored from a snapshot taken while PostgreSQL ran), so every other
# command's output goes to stderr.
set -euo pipefail
role=lineagelens_test
if ! pg_lsclusters -h 2>/dev/null | grep -q '^15 \+main '; then
  pg_createcluster 15 main >&2 # the package normally creates it on install
fi
if ! pg_lsclusters -h 2>/dev/null | grep -q '^15 \+main .*online'; then
  pg_ctlcluster 15 main start >&2
fi
run_psql() { if [ "$(id -u)" = 0 ]; then su postgres -c "psql -qAt -v ON_ERROR_STOP=1"; else psql -qAt -v ON_ERROR_STOP=1; fi; }
run_psql >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN
    CREATE ROLE $role LOGIN CREATEDB PASSWORD '$role';
  END IF;
END \$\$;
SQL
port=$(pg_lsclusters -h | awk '$1 == "15" && $2 == "main" { print $3 }')
echo "postgres://$role:$role@127.0.0.1:${port:-5432}/postgres"
