-- Application role and database for the OVOP nomination engine (docker-compose.yml).
-- Runs once, via /docker-entrypoint-initdb.d, on the first start with an empty data volume;
-- after changing it, recreate the volume: docker compose down -v.
-- Temporal's databases (temporal, temporal_visibility) are created by the temporal service's auto-setup.
--
-- Development credentials only; the worker connects with DATABASE_URL=postgres://ovop:ovop@postgresql:5432/ovop.

CREATE ROLE ovop WITH LOGIN PASSWORD 'ovop';

-- The owner may create tables in the public schema (PostgreSQL 15+ grants it to the database owner only),
-- which is what the kysely migrations need.
CREATE DATABASE ovop OWNER ovop ENCODING 'UTF8' TEMPLATE template0;

-- Only the owner (and the superuser) may connect to the application database.
REVOKE ALL ON DATABASE ovop FROM PUBLIC;
