#!/usr/bin/env bash
# The compiled build run with plain node, as production runs it (docs/deployment.md): the CLI, the migration, a
# replay against the prebuilt workflow bundle, the worker loading that bundle and its health check, the API's health
# route with Temporal up and down. Run by .ci/run after `npm run build`; needs DATABASE_URL (a database it may migrate)
# and TEMPORAL_CLI (the `temporal` binary, for a throwaway dev server). Exits non-zero at the first thing that fails.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to the database to migrate}" "${TEMPORAL_CLI:?set TEMPORAL_CLI to the temporal binary}"
export SMTP_URL=smtp://127.0.0.1:1 # nothing here sends mail; the services only need the setting
unset OVOP_TASK_QUEUE TEMPORAL_NAMESPACE TEMPORAL_API_KEY NODE_OPTIONS

WORK="$(mktemp -d /tmp/ovop-smoke.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
  echo "smoke: $*" >&2
  for f in "$WORK"/*.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }; done
  exit 1
}
ok() { echo "smoke: ok: $*"; }
# Waits up to $1 seconds for the command after it to succeed.
within() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do [ "$SECONDS" -lt "$deadline" ] || return 1; sleep 1; done
}
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

node dist/client/cli.js --help >"$WORK/help" || fail "node dist/client/cli.js --help exited $?"
grep -q '^Usage: ovop' "$WORK/help" || fail "ovop --help printed no usage"
[ "$(node dist/client/cli.js --version)" = "$(node -p 'require("./package.json").version')" ] || fail "ovop --version"
ok "node dist/client/cli.js --help, --version"

node dist/db/migrate-cli.js || fail "node dist/db/migrate-cli.js exited $?"
[ "$(node dist/db/migrate-cli.js)" = "Schema already up to date." ] || fail "a second migration changed the schema"
ok "node dist/db/migrate-cli.js"

# A bad setting stops the API with exit code 2 before it connects to anything, naming the setting, never its value.
code=0
OVOP_DOCUMENT_STORAGE=s3 OVOP_S3_BUCKET=Dokumen_OVOP OVOP_S3_SECRET_ACCESS_KEY=smoke-secret-never-printed \
  node dist/api/main.js >/dev/null 2>"$WORK/bad-setting" || code=$?
[ "$code" = 2 ] || fail "the API with a malformed OVOP_S3_BUCKET exited $code, not 2: $(cat "$WORK/bad-setting")"
grep -q 'The API does not start: OVOP_S3_BUCKET is not a bucket name' "$WORK/bad-setting" ||
  fail "the API's refusal of OVOP_S3_BUCKET: $(cat "$WORK/bad-setting")"
! grep -q 'smoke-secret-never-printed\|Dokumen_OVOP' "$WORK/bad-setting" || fail "the API printed a setting's value"
ok "node dist/api/main.js refuses a bad document storage setting with exit code 2"

FIXTURE=test/fixtures/histories/nomination-r2-excellent.json
node dist/client/cli.js audit replay --file "$FIXTURE" >"$WORK/replay" || fail "audit replay of $FIXTURE exited $?"
grep -q 'built workflows' "$WORK/replay" || fail "audit replay did not use the built bundle: $(cat "$WORK/replay")"
ok "audit replay against dist/workflow-bundle.js"

# The services below encrypt Temporal's payloads, as production does (docs/deployment.md, "Encrypted payloads").
OVOP_PAYLOAD_KEYS="smoke:$(node -p "require('crypto').randomBytes(32).toString('base64')")"
export OVOP_PAYLOAD_KEYS

TEMPORAL_PORT="$(free_port)"
export TEMPORAL_ADDRESS="127.0.0.1:$TEMPORAL_PORT"
"$TEMPORAL_CLI" server start-dev --headless --ip 127.0.0.1 --port "$TEMPORAL_PORT" --log-level warn \
  >"$WORK/temporal.log" 2>&1 &
TEMPORAL_PID=$!
PIDS+=("$TEMPORAL_PID")

# The health check says unhealthy while no worker of this host polls, healthy once the built worker does.
within 60 node -e "require('net').connect($TEMPORAL_PORT, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))" ||
  fail "the Temporal dev server did not start"
if node dist/worker/healthcheck.js >"$WORK/health-before.log" 2>&1; then fail "worker health check passed with no worker"; fi
node dist/worker/main.js >"$WORK/worker.log" 2>&1 &
WORKER_PID=$!
PIDS+=("$WORKER_PID")
within 120 grep -q "Worker polling .*workflow code prebuilt in $PWD/dist/workflow-bundle.js" "$WORK/worker.log" ||
  fail "the built worker did not start polling with the prebuilt workflow bundle"
within 60 node dist/worker/healthcheck.js || fail "worker health check failed with the worker polling"
ok "node dist/worker/main.js polls with dist/workflow-bundle.js; dist/worker/healthcheck.js"

# The API takes its secrets from files, as under Docker or Kubernetes secrets (NAME_FILE); both forms at once refuse.
(umask 077 && printf '%s\n' "$DATABASE_URL" >"$WORK/database_url" && printf '%s\n' "$SMTP_URL" >"$WORK/smtp_url")
if DATABASE_URL_FILE="$WORK/database_url" node dist/api/main.js >"$WORK/both.log" 2>&1; then
  fail "the API started with DATABASE_URL and DATABASE_URL_FILE both set"
else
  [ $? = 2 ] && grep -q 'set DATABASE_URL or DATABASE_URL_FILE, not both' "$WORK/both.log" ||
    fail "DATABASE_URL with DATABASE_URL_FILE: $(cat "$WORK/both.log")"
fi
API_PORT="$(free_port)"
env -u DATABASE_URL -u SMTP_URL DATABASE_URL_FILE="$WORK/database_url" SMTP_URL_FILE="$WORK/smtp_url" \
  OVOP_API_PORT="$API_PORT" OVOP_API_LOG=off node dist/api/main.js >"$WORK/api.log" 2>&1 &
API_PID=$!
PIDS+=("$API_PID")
HEALTH="http://127.0.0.1:$API_PORT/api/health"
within 120 curl -fsS "$HEALTH" || fail "GET /api/health did not answer 200"
[ "$(curl -sS "$HEALTH")" = '{"status":"ok"}' ] || fail "GET /api/health: $(curl -sS "$HEALTH")"

# The codec endpoint of the compiled API: an auditor's token encrypts a payload under the key and decrypts it back.
node dist/client/cli.js users add --id smoke-auditor --name Auditor --email auditor@smoke.example --role auditor \
  --region 00 >/dev/null || fail "ovop users add exited $?"
TOKEN="$(node dist/client/cli.js --json users token smoke-auditor | node -p 'JSON.parse(require("fs").readFileSync(0)).token')"
CODEC="http://127.0.0.1:$API_PORT/api/codec"
PLAIN='{"payloads":[{"metadata":{"encoding":"anNvbi9wbGFpbg=="},"data":"InJhaGFzaWEi"}]}'
curl -fsS -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d "$PLAIN" "$CODEC/encode" \
  >"$WORK/encoded.json" || fail "POST /api/codec/encode failed"
grep -q '"encryption-key-id":"c21va2U="' "$WORK/encoded.json" || fail "encode named no key: $(cat "$WORK/encoded.json")"
DECODED="$(curl -fsS -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  --data-binary @"$WORK/encoded.json" "$CODEC/decode")" || fail "POST /api/codec/decode failed"
[ "$DECODED" = "$PLAIN" ] || fail "decode gave $DECODED"
STATUS="$(curl -sS -o /dev/null -w '%{http_code}' -H 'content-type: application/json' -d "$PLAIN" "$CODEC/decode")"
[ "$STATUS" = 401 ] || fail "POST /api/codec/decode signed out answered $STATUS"
ok "the compiled API's codec endpoint encrypts and decrypts for an auditor, 401 signed out"
kill "$TEMPORAL_PID"
wait "$TEMPORAL_PID" || true
STATUS="$(curl -sS -o "$WORK/health-down" -w '%{http_code}' "$HEALTH")"
[ "$STATUS" = 503 ] && grep -q 'Temporal does not answer' "$WORK/health-down" ||
  fail "GET /api/health with Temporal down: $STATUS $(cat "$WORK/health-down")"
ok "node dist/api/main.js with DATABASE_URL_FILE and SMTP_URL_FILE: GET /api/health 200, and 503 with Temporal down"

kill -TERM "$API_PID" "$WORKER_PID"
wait "$API_PID" || fail "the API exited $? on SIGTERM"
ok "every service of dist/ ran with plain node"
