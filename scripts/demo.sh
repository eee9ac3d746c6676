#!/usr/bin/env bash
# The product's main job on sample data, on this machine only (127.0.0.1):
#   - the Salesforce REST emulator serves the sample org (examples/data/crm.json) over HTTPS;
#   - sfproxy runs over HTTPS with the simulated PBX, which plays an inbound call to agent 137
#     from (212) 842-5500 whose caller keyed case number 1234 into the auto-attendant;
#   - agent 137 (with a licence seat) signs in with curl and reads the event stream, as the
#     softphone would: the ringing call and the screen pop with the matched Case record.
# Everything it starts is stopped at the end; its files live in a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/setup.sh >/dev/null
command -v curl >/dev/null || { echo "demo: curl is needed (apt-get install curl)" >&2; exit 1; }
cmake -S . -B build >/dev/null
cmake --build build -j "$(nproc)" --target sfproxy ctictl sfemu >/dev/null

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A throwaway certificate for 127.0.0.1/localhost (a real site uses one from a public CA).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

build/tests/sfemu/sfemu --data examples/data/crm.json --port 0 \
  --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" >"$work/sfemu.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q listening "$work/sfemu.out" && break; sleep 0.1; done
sf_url=$(grep -o 'https://127.0.0.1:[0-9]*' "$work/sfemu.out" | head -1)
echo "Salesforce emulator: $sf_url"

printf 'correct horse battery\n' | build/apps/ctictl/ctictl agents add 137 --name "Rose Gonzalez" \
  --password-stdin --db "$work/agents.db"
build/apps/ctictl/ctictl license set-seats 5 --db "$work/agents.db"
build/apps/ctictl/ctictl license assign 137 --db "$work/agents.db"

port=$((20000 + RANDOM % 20000))
cat >"$work/sfproxy.yaml" <<YAML
server:
  listen: "127.0.0.1:$port"
  public_host: localhost
  tls: {certificate: cert.pem, private_key: key.pem}
database: agents.db
matching:
  mode: server
  deadline_ms: 2000
pbx:
  adapter: pbx-sim
  pbx-sim:
    scenario: $root/examples/scenarios/inbound_ivr_hold.yaml
salesforce:
  instance_url: $sf_url
  auth:
    method: client_credentials
    client_id: 3MVG9sfemuDemoConsumerKeyForSfproxy
    client_secret: sfemu-demo-secret-0001
  tls: {ca_file: cert.pem}
YAML
build/apps/sfproxy/sfproxy --config "$work/sfproxy.yaml" 2>"$work/sfproxy.log" &
pids+=($!)
base="https://localhost:$port"
for _ in $(seq 50); do curl -s --cacert "$work/cert.pem" "$base/healthz" >/dev/null && break; sleep 0.1; done
echo "sfproxy: $base (log: the last lines below)"

echo; echo "== sign in as 137"
signin=$(curl -s --cacert "$work/cert.pem" -H 'Content-Type: application/json' \
  -d '{"extension":"137","password":"correct horse battery"}' "$base/api/v1/session")
echo "$signin"
token=$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' <<<"$signin")

echo; echo "== event stream of agent 137 (5 s): the ringing call and its screen pop"
curl -s -N --max-time 5 --cacert "$work/cert.pem" -H "Authorization: Bearer $token" \
  "$base/api/v1/events" || true

echo; echo "== sfproxy log"
tail -n 5 "$work/sfproxy.log"
