#!/usr/bin/env bash
# Makes the secret files docker-compose.yml reads, in OVOP_SECRETS_DIR (deploy/secrets/ by default, kept out of git):
# random passwords, the API's CSRF key, a first payload key, and smtp_url from SMTP_URL. Files that exist are kept,
# so running it again never changes a password or drops a key. Rotate the payload key by appending a line to
# ovop_payload_keys (docs/deployment.md). The folder is private to you; the files are readable by the containers'
# users, which the bind mounts of compose's file secrets need.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${OVOP_SECRETS_DIR:-./deploy/secrets}"
mkdir -p "$dir" && chmod 700 "$dir"
random() { head -c "$1" /dev/urandom | base64 | tr -d '\n'; }
put() {
  if [ -e "$dir/$1" ]; then echo "kept    $dir/$1"; return; fi
  (umask 022 && printf '%s\n' "$2" >"$dir/$1")
  echo "created $dir/$1"
}
put postgres_password "$(random 24 | tr -dc 'A-Za-z0-9')"
put ovop_db_password "$(random 24 | tr -dc 'A-Za-z0-9')"
put ovop_database_url "postgres://ovop:$(cat "$dir/ovop_db_password")@postgresql:5432/ovop"
put ovop_api_secret "$(random 32)"
put ovop_payload_keys "k$(date -u +%Y%m%d):$(random 32)"
if [ ! -e "$dir/smtp_url" ] && [ -z "${SMTP_URL:-}" ]; then
  echo "set SMTP_URL=smtp://user:pass@relay:587 (the mail relay) and run this again for $dir/smtp_url" >&2
  exit 1
fi
put smtp_url "${SMTP_URL:-}"
