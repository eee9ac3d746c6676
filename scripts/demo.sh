#!/usr/bin/env bash
# The product's main job on sample data, on this machine only (127.0.0.1):
#   - the Salesforce REST emulator serves the sample org (examples/data/crm.json) over HTTPS;
#   - sfproxy runs over HTTPS (a throwaway self-signed certificate) and serves the softphone;
#     its PBX is the webhook adapter, driven by the simulator (`ctictl simulate`), which plays
#     the sample scenarios: first an inbound call to agent 137 from (212) 842-5500 whose
#     caller keyed case number 1234 into the auto-attendant;
#   - agent 137 (with a licence seat) signs in with curl and reads the event stream, as the
#     softphone would: the ringing call and the screen pop with the matched Case record;
#   - a demo console (a page of its own origin, standing in for Salesforce) frames the
#     softphone and shows every Open CTI call it makes: screen pops, click-to-dial.
# Without options it prints all that and stops. With --serve it keeps running and rings a new
# sample call every minute, for a person to watch in a browser; Ctrl-C stops it.
# Everything it starts is stopped at the end; its files live in a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

serve=0
for arg in "$@"; do
  case "$arg" in
    --serve|--keep-running) serve=1 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; echo "usage: scripts/demo.sh [--serve]"; exit 0 ;;
    *) echo "demo: unknown option '$arg' (usage: scripts/demo.sh [--serve])" >&2; exit 2 ;;
  esac
done

scripts/setup.sh >/dev/null
command -v curl >/dev/null || { echo "demo: curl is needed (apt-get install curl)" >&2; exit 1; }
build=${CTI_BUILD_DIR:-build}   # another build directory of this tree, if set
cmake -S . -B "$build" >/dev/null
cmake --build "$build" -j "$(nproc)" --target sfproxy ctictl sfemu >/dev/null
ctictl=$build/apps/ctictl/ctictl

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  { wait; } 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits (at most 10 s) for a line matching $2 in file $1 and prints the first match.
wait_for() {
  for _ in $(seq 100); do
    if grep -q -o -E "$2" "$1" 2>/dev/null; then grep -o -E "$2" "$1" | head -1; return 0; fi
    sleep 0.1
  done
  echo "demo: timed out waiting for '$2' in $1:" >&2
  cat "$1" >&2
  return 1
}

# A throwaway certificate for 127.0.0.1/localhost (a real site uses one from a public CA).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
openssl rand -hex 32 >"$work/webhook.secret"

"$build/tests/sfemu/sfemu" --data examples/data/crm.json --port 0 \
  --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" >"$work/sfemu.out" 2>&1 &
pids+=($!)
sf_url=$(wait_for "$work/sfemu.out" 'https://127.0.0.1:[0-9]+')
echo "Salesforce emulator: $sf_url"

printf 'correct horse battery\n' | $ctictl agents add 137 --name "Rose Gonzalez" \
  --password-stdin --db "$work/agents.db"
printf 'battery staple horse\n' | $ctictl agents add 138 --name "Tim Barr" \
  --password-stdin --db "$work/agents.db"
$ctictl license set-seats 5 --db "$work/agents.db"
$ctictl license assign 137 --db "$work/agents.db"
$ctictl license assign 138 --db "$work/agents.db"

# The demo console: its own origin (as Salesforce is to the softphone), node's standard
# library only. It also plays the PBX's part in click-to-dial.
console_url=""
if command -v node >/dev/null; then
  node tests/browser/console/server.mjs --cert "$work/cert.pem" --key "$work/key.pem" \
    --webhook-secret-file "$work/webhook.secret" --salesforce "$sf_url" --ca "$work/cert.pem" \
    --client-id 3MVG9sfemuDemoConsumerKeyForSfproxy --client-secret sfemu-demo-secret-0001 \
    >"$work/console.out" 2>&1 &
  pids+=($!)
  console_url=$(wait_for "$work/console.out" 'https://127.0.0.1:[0-9]+')
else
  echo "demo: node not found: no demo console (the rest of the demo runs)"
fi
console_origin=${console_url:-https://127.0.0.1:1}

cat >"$work/sfproxy.yaml" <<YAML
server:
  listen: "127.0.0.1:0"
  public_host: localhost
  tls: {certificate: cert.pem, private_key: key.pem}
  web_root: $root/apps/sfproxy/web
  frame_ancestors: ["'self'", "$console_origin"]
database: agents.db
matching:
  mode: server
  deadline_ms: 2000
pbx:
  adapter: webhook
  webhook:
    secret_file: webhook.secret
    make_call_url: $console_origin/__pbx/make-call
    make_call_ca_file: cert.pem   # the console serves the throwaway certificate above
salesforce:
  instance_url: $sf_url
  auth:
    method: client_credentials
    client_id: 3MVG9sfemuDemoConsumerKeyForSfproxy
    client_secret: sfemu-demo-secret-0001
  tls: {ca_file: cert.pem}
YAML
"$build/apps/sfproxy/sfproxy" --config "$work/sfproxy.yaml" 2>"$work/sfproxy.log" &
pids+=($!)
port=$(wait_for "$work/sfproxy.log" 'listening on https://127.0.0.1:[0-9]+' | grep -o '[0-9]*$')
base="https://localhost:$port"
echo "sfproxy: $base (softphone: $base/)"
if [ -n "$console_url" ]; then
  curl -s --cacert "$work/cert.pem" -H 'Content-Type: application/json' \
    -d "{\"softphoneUrl\":\"$base/\"}" "$console_url/__config"
fi

# The simulated PBX posts each scenario's events, signed, at their scheduled times; in the
# background, so that the clean-up (and Ctrl-C) need not wait for a call to end.
simulate() {
  "$ctictl" simulate "$@" --url "$base/pbx/v1/events" --secret-file "$work/webhook.secret" \
    --ca "$work/cert.pem" --realtime >>"$work/simulator.out" 2>&1 &
  pids+=($!)
}

echo; echo "== sign in as 137"
signin=$(curl -s --cacert "$work/cert.pem" -H 'Content-Type: application/json' \
  -d '{"extension":"137","password":"correct horse battery"}' "$base/api/v1/session")
echo "$signin"
token=$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' <<<"$signin")

simulate --scenario examples/scenarios/inbound_ivr_hold.yaml
for _ in $(seq 100); do  # until the scenario's first call rings
  curl -s --cacert "$work/cert.pem" -H "Authorization: Bearer $token" "$base/api/v1/calls" |
    grep -q call-1 && break
  sleep 0.1
done

echo; echo "== event stream of agent 137 (5 s): the ringing call and its screen pop"
curl -s -N --max-time 5 --cacert "$work/cert.pem" -H "Authorization: Bearer $token" \
  "$base/api/v1/events" || true

# The other sample scenarios, side by side: a transfer from 137 to 138, an unanswered call.
simulate --scenario examples/scenarios/transfer.yaml
simulate --scenario examples/scenarios/unanswered.yaml

echo; echo "== sfproxy log"
tail -n 5 "$work/sfproxy.log"

if [ "$serve" -eq 0 ]; then
  echo
  if [ -n "$console_url" ]; then
    echo "Demo console: $console_url (run scripts/demo.sh --serve to keep it running for a browser)"
  fi
  exit 0
fi

cat <<EOF

== the demo keeps running (Ctrl-C stops it)
Softphone demo console: $console_url
  1. Open $base/ once and accept the self-signed certificate, then open the console
     (accept its certificate too).
  2. Sign in to the softphone: Sign-in Address 137, Password: correct horse battery.
  3. A sample call rings 137 every minute: the Case keyed into the IVR (Case 00001234), a
     caller-ID match (Jordan Ellis), a number several records share (a chooser). The console
     logs each screen pop; "Call (212) 842-5500" tries click-to-dial.
  Agent 138 (Tim Barr, password: battery staple horse) gets the transferred calls.
EOF
calls=("--ani +12128425500 --ivr Case.CaseNumber=1234"
       "--ani +12128425500"
       "--ani (212)555-0100")
n=0
while true; do
  sleep 20 & wait $!  # (a trap runs at once during wait, not during sleep)
  n=$((n + 1))
  # shellcheck disable=SC2086  # the options are meant to split
  simulate --agent 137 --call-id "demo-$n" --answer-after 25000 --hangup-after 35000 \
    ${calls[$(((n - 1) % ${#calls[@]}))]}
  echo "$(date +%T) rang 137 with sample call demo-$n"
  wait "${pids[-1]}" || true
done
