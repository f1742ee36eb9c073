#!/bin/sh
# docker-compose's PostgreSQL, first start (docker-entrypoint-initdb.d): the
# three roles of README "Database roles" and the database, owned by the owner
# role. POSTGRES_USER stays the superuser and is used for nothing else.
#   collab_owner    owns the tables, runs `manage.py migrate` (the migrate service)
#   collab_app      what web, worker and beat connect as: no superuser, no
#                   BYPASSRLS, owns nothing, so row-level security applies
#   collab_service  NOLOGIN BYPASSRLS; collab_app may SET ROLE to it
#                   (tenancy.dangerously_unscoped(), audited)
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$COLLAB_OWNER_PASSWORD" -v app_password="$COLLAB_APP_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE collab_owner LOGIN NOSUPERUSER BYPASSRLS CREATEDB PASSWORD %L',
              :'owner_password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'collab_owner') \gexec
SELECT 'CREATE ROLE collab_service NOLOGIN NOSUPERUSER BYPASSRLS'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'collab_service') \gexec
SELECT format('CREATE ROLE collab_app LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD %L',
              :'app_password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'collab_app') \gexec
GRANT collab_service TO collab_app;
SELECT 'CREATE DATABASE collab OWNER collab_owner'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'collab') \gexec
SQL
