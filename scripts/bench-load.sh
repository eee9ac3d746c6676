#!/usr/bin/env bash
# The load harness: sfproxy and, for comparison, nginx + nchan, each holding N agents' event
# streams over TLS on this machine (127.0.0.1 only) while inbound calls arrive at R per second
# at random agents. Prints one row per server and the ratio sfproxy/nchan.
#
#   scripts/bench-load.sh [--agents N] [--rate R] [--setup-rate R] [--duration-s S] [--setup-concurrency K]
#                         [--sign-in-threads T] [--reactor-threads M] [--only sfproxy|nchan] [--no-slow-client]
#                         [--build-dir DIR] [--no-build] [--keep]
#
# Defaults: N = 10000, R = 200 calls/s (also during set-up unless --setup-rate says otherwise;
# 0 measures the memory of the connections alone), S = 60 s of steady calls, K = 128 sign-ins (or
# stream openings) in flight, T = 2 password-hashing threads,
# M = sfproxy's default reactor threads (server.reactor_threads), build dir build-release.
# --keep leaves the temporary directory (configurations, logs, raw results) in place;
# --no-build runs the binaries already in the build dir.
#
# sfproxy: the Salesforce emulator (answering at once) over HTTPS; sfproxy over TLS with the
# webhook PBX adapter, matching in server mode; N agents with licence seats (seeded once per N
# and kept in the build dir: tests/bench/load/seed_agents.cpp). Every agent signs in through
# POST /api/v1/session (a full Argon2id verification each: the shift-start storm, which takes
# minutes at 10,000 agents on 2 cores) and keeps GET /api/v1/events open on the same
# connection. Calls already flow to connected agents during the storm; the steady phase
# follows on the same sessions.
# nginx + nchan: its own nginx instance (worker_processes = cores), one channel per agent,
# subscribers over TLS (nchan_subscriber eventsource), messages published by plain HTTP POST to
# a loopback-only publisher location, padded to the size of sfproxy's screenpop event.
# Both: one extra slow client that opens its stream and never reads, with extra calls.
#
# Needs about 1 GiB of memory and 20,000 open files per process (raised to the hard limit).
# Figures are noisy on a shared machine: the load average is printed with them.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

agents=10000
rate=200
setup_rate=-1
duration=60
concurrency=128
sign_in_threads=2
reactor_threads=
only=
slow=()
build=build-release
keep=0
no_build=0
while (($#)); do
  case "$1" in
    --agents) agents=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --setup-rate) setup_rate=$2; shift 2 ;;
    --duration-s) duration=$2; shift 2 ;;
    --setup-concurrency) concurrency=$2; shift 2 ;;
    --sign-in-threads) sign_in_threads=$2; shift 2 ;;
    --reactor-threads) reactor_threads=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --no-slow-client) slow=(--no-slow-client); shift ;;
    --build-dir) build=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --no-build) no_build=1; shift ;;
    *) sed -n '2,15p' "$0" >&2; exit 2 ;;
  esac
done

command -v nginx >/dev/null || { echo "bench-load: nginx is needed (scripts/setup.sh)" >&2; exit 1; }
nchan_module=/usr/lib/nginx/modules/ngx_nchan_module.so
[ -f "$nchan_module" ] || { echo "bench-load: $nchan_module is missing (libnginx-mod-nchan)" >&2; exit 1; }

ulimit -n "$(ulimit -Hn)"
if (($(ulimit -n) < agents + 500)); then
  echo "bench-load: the open-file limit $(ulimit -n) is too low for $agents agents" >&2
  exit 1
fi

# Release build of what the harness runs (no -Werror here: this is a measurement, not CI).
if ((!no_build)); then
  if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build "$build" -j 2 --target sfproxy sfemu load_client load_seed_agents >/dev/null
fi
bin_client=$build/tests/bench/load/load_client

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if ((keep)); then echo "bench-load: files kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# Below the kernel's ephemeral range (net.ipv4.ip_local_port_range), which the 10,000 client
# connections of the previous run may still hold, and used by no socket at all.
free_port() {
  local port low
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)
  while :; do
    port=$((10000 + RANDOM % (low - 10000)))
    ss -Htan "sport = :$port" | grep -q . || { echo "$port"; return; }
  done
}

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
password=load-test-password-1

echo "bench-load: $agents agents, $rate calls/s, ${duration}s steady; $(nproc) cores;" \
  "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

run_sfproxy() {
  # Agents 300000.. plus one for the slow client, seeded once per count.
  local template=$root/$build/bench-load/agents-$((agents + 1)).db
  if [ ! -f "$template" ]; then
    mkdir -p "$(dirname "$template")"
    rm -f "$template.tmp"
    "$build/tests/bench/load/load_seed_agents" --db "$template.tmp" --agents $((agents + 1)) \
      --first 300000 --password "$password"
    mv "$template.tmp" "$template"
  fi
  cp "$template" "$work/agents.db"

  "$build/tests/sfemu/sfemu" --data examples/data/crm.json --port 0 --daily-limit 100000000 \
    --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" >"$work/sfemu.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -qs listening "$work/sfemu.out" && break; sleep 0.1; done
  local sf_url
  sf_url=$(grep -o 'https://127.0.0.1:[0-9]*' "$work/sfemu.out" | head -1)

  openssl rand -hex 32 >"$work/webhook.secret"
  local port
  port=$(free_port)
  cat >"$work/sfproxy.yaml" <<YAML
server:
  listen: "127.0.0.1:$port"
  public_host: localhost
  tls: {certificate: cert.pem, private_key: key.pem}
  max_connections: $((agents + 1000))
${reactor_threads:+  reactor_threads: $reactor_threads}
database: agents.db
matching:
  mode: server
  deadline_ms: 2000
workers:
  sign_in_threads: $sign_in_threads
pbx:
  adapter: webhook
  webhook:
    secret_file: $work/webhook.secret
salesforce:
  instance_url: $sf_url
  auth:
    method: client_credentials
    client_id: 3MVG9sfemuDemoConsumerKeyForSfproxy
    client_secret: sfemu-demo-secret-0001
  tls: {ca_file: cert.pem}
log:
  level: warning
YAML
  "$build/apps/sfproxy/sfproxy" --config "$work/sfproxy.yaml" 2>"$work/sfproxy.log" &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do
    curl -s --cacert "$work/cert.pem" "https://localhost:$port/healthz" >/dev/null && break
    kill -0 "$pid" 2>/dev/null || { echo "bench-load: sfproxy did not start:" >&2; cat "$work/sfproxy.log" >&2; exit 1; }
    sleep 0.1
  done
  sleep 1
  "$bin_client" --target sfproxy --port "$port" --ca "$work/cert.pem" --agents "$agents" \
    --first-extension 300000 --password "$password" --webhook-secret-file "$work/webhook.secret" \
    --rate "$rate" --setup-rate "$setup_rate" --duration-s "$duration" --setup-concurrency "$concurrency" \
    --server-pid "$pid" --results "$work/sfproxy.txt" --samples "$work/sfproxy.samples" "${slow[@]}" >/dev/null
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  if grep -qi 'error' "$work/sfproxy.log"; then
    echo "sfproxy log (errors):"; grep -i error "$work/sfproxy.log" | sort | uniq -c | sort -rn | head -5
  fi
}

run_nchan() {
  local dir=$work/nginx port pub_port payload=400
  mkdir -p "$dir/logs" "$dir/tmp"
  port=$(free_port)
  pub_port=$(free_port)
  if [ -f "$work/sfproxy.txt" ]; then
    # The same size as sfproxy's screenpop events (less nchan's own "id:" line).
    payload=$(($(awk '$1 == "pop_bytes" {print $2}' "$work/sfproxy.txt") - 30))
  fi
  cat >"$dir/nginx.conf" <<NGINX
load_module $nchan_module;
worker_processes $(nproc);
worker_rlimit_nofile $(ulimit -Hn);
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections $((agents + 1000)); }
http {
  access_log off;
  client_body_temp_path $dir/tmp;
  proxy_temp_path $dir/tmp;
  fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp;
  scgi_temp_path $dir/tmp;
  nchan_shared_memory_size 256M;
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    location ~ ^/sub/([0-9]+)\$ {
      nchan_subscriber eventsource;
      nchan_channel_id \$1;
    }
  }
  server {
    listen 127.0.0.1:$pub_port;
    location ~ ^/pub/([0-9]+)\$ {
      nchan_publisher;
      nchan_channel_id \$1;
    }
  }
}
NGINX
  nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' 2>"$dir/stderr" &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do
    curl -s --cacert "$work/cert.pem" -o /dev/null "https://localhost:$port/" && break
    kill -0 "$pid" 2>/dev/null || { echo "bench-load: nginx did not start:" >&2; cat "$dir/stderr" >&2; exit 1; }
    sleep 0.1
  done
  sleep 1
  "$bin_client" --target nchan --port "$port" --publish-port "$pub_port" --ca "$work/cert.pem" \
    --agents "$agents" --first-extension 300000 --rate "$rate" --setup-rate "$setup_rate" --duration-s "$duration" \
    --setup-concurrency "$concurrency" --payload "$payload" --server-pid "$pid" \
    --results "$work/nchan.txt" --samples "$work/nchan.samples" "${slow[@]}" >/dev/null
  kill "$pid"
  wait "$pid" 2>/dev/null || true
}

[ "$only" = nchan ] || run_sfproxy
[ "$only" = sfproxy ] || run_nchan

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v agents="$agents" '
  FNR == 1 { t = FILENAME; sub(/.*\//, "", t); sub(/\.txt$/, "", t); targets[++n] = t }
  { v[t, $1] = substr($0, length($1) + 2) }
  END {
    printf "\n%-8s %6s %7s %8s %8s %7s %6s %6s | %7s %7s %7s %7s | %7s %7s | %7s %7s | %6s %7s\n",
      "server", "agents", "setup/s", "KiB/agt", "threads", "CPU%", "SF/c", "errors",
      "pop p50", "p99", "p99.9", "max", "call50", "call99", "storm50", "storm99", "sent", "recv";
    for (i = 1; i <= n; i++) {
      t = targets[i];
      printf "%-8s %6s %7s %8s %8s %7s %6s %6s | %7s %7s %7s %7s | %7s %7s | %7s %7s | %6s %7s\n",
        t, v[t, "established"], v[t, "setup_per_s"], v[t, "kib_per_agent"], v[t, "threads"],
        v[t, "cpu_steady_pct"], v[t, "sf_requests_per_call"], v[t, "errors"],
        v[t, "pop_p50_ms"], v[t, "pop_p99_ms"], v[t, "pop_p999_ms"], v[t, "pop_max_ms"],
        (t == "nchan" ? "-" : v[t, "call_p50_ms"]), (t == "nchan" ? "-" : v[t, "call_p99_ms"]),
        v[t, "pop_storm_p50_ms"], v[t, "pop_storm_p99_ms"], v[t, "calls_accepted"], v[t, "pops_received"];
    }
    printf "(latencies in ms, steady phase; storm = calls during set-up; KiB/agt = server RSS growth / agents;\n"
    printf " CPU%% = server process(es) during the steady phase, 100 = one core; SF/c = Salesforce requests per call)\n"
    if (("sfproxy", "kib_per_agent") in v && ("nchan", "kib_per_agent") in v) {
      printf "\nsfproxy/nchan: memory per agent %.2f, pop p50 %.2f, pop p99 %.2f\n",
        v["sfproxy", "kib_per_agent"] / v["nchan", "kib_per_agent"],
        v["sfproxy", "pop_p50_ms"] / v["nchan", "pop_p50_ms"],
        v["sfproxy", "pop_p99_ms"] / v["nchan", "pop_p99_ms"];
      printf "pop p99 goal: sfproxy %s ms <= nchan %s ms + matching %s ms (p99 of the pop after its call event) = %.3f ms: %s\n",
        v["sfproxy", "pop_p99_ms"], v["nchan", "pop_p99_ms"], v["sfproxy", "pop_after_call_p99_ms"],
        v["nchan", "pop_p99_ms"] + v["sfproxy", "pop_after_call_p99_ms"],
        (v["sfproxy", "pop_p99_ms"] <= v["nchan", "pop_p99_ms"] + v["sfproxy", "pop_after_call_p99_ms"] ? "met" : "not met");
    }
    for (i = 1; i <= n; i++) {
      t = targets[i];
      printf "\n%s: set-up %s s (%s/s, %s failed, %s retried after 503/429), %s streams dropped,\n",
        t, v[t, "setup_s"], v[t, "setup_per_s"], v[t, "setup_failures"], v[t, "setup_retries"], v[t, "streams_dropped"];
      printf "  RSS %s -> %s KiB connected (%s at the end), %s processes, %s threads, CPU %s%% during set-up,\n",
        v[t, "rss_base_kib"], v[t, "rss_connected_kib"], v[t, "rss_end_kib"], v[t, "processes"], v[t, "threads"], v[t, "cpu_setup_pct"];
      printf "  calls %s accepted (%s in the steady phase), %s pops received, %s missing, %s publish errors,\n",
        v[t, "calls_accepted"], v[t, "calls_accepted_steady"], v[t, "pops_received"], v[t, "pops_missing"], v[t, "publish_errors"];
      printf "  pop during set-up: p50 %s p99 %s p99.9 %s max %s ms (%s pops); pop event %s bytes;\n",
        v[t, "pop_storm_p50_ms"], v[t, "pop_storm_p99_ms"], v[t, "pop_storm_p999_ms"], v[t, "pop_storm_max_ms"], v[t, "pop_storm_count"], v[t, "pop_bytes"];
      if (t == "sfproxy") {
        printf "  Salesforce: %s requests, %s per call; server-mode match mean %s ms;\n", v[t, "sf_requests"], v[t, "sf_requests_per_call"], v[t, "match_mean_ms"];
        printf "  screenpop after its call event (lookup + publish): p50 %s p99 %s p99.9 %s ms;\n", v[t, "pop_after_call_p50_ms"], v[t, "pop_after_call_p99_ms"], v[t, "pop_after_call_p999_ms"];
      }
      printf "  slow client: %s\n", v[t, "slow_client"];
    }
  }' $( [ -f "$work/sfproxy.txt" ] && echo "$work/sfproxy.txt") $( [ -f "$work/nchan.txt" ] && echo "$work/nchan.txt")
