#!/bin/bash
# Runs once, via /docker-entrypoint-initdb.d, on the first start with an empty data volume (docker-compose.yml): the
# database of Temporal's visibility store, and the engine's role and database with the password of the
# ovop_db_password secret. Temporal's own database (`temporal`) is made by the image, named after its superuser.
set -euo pipefail
password="$(cat /run/secrets/ovop_db_password)"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -v password="$password" <<'SQL'
CREATE DATABASE temporal_visibility;
CREATE ROLE ovop WITH LOGIN PASSWORD :'password';
-- The owner may create tables in the public schema, which the engine's migrations need.
CREATE DATABASE ovop OWNER ovop ENCODING 'UTF8' TEMPLATE template0;
-- Only the owner (and the superuser) may connect to the application database.
REVOKE ALL ON DATABASE ovop FROM PUBLIC;
SQL
