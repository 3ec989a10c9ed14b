#!/usr/bin/env bash
# Load benchmark of the real server on loopback (see README, Performance). The server is pinned to CPU 0,
# wrk to CPU 1, each run lasts $DURATION. Prints TokenReviews/s and p50/p99 latency at 1, 8 and 64
# connections for distinct RS256 and ES256 tokens (answer cache off), one repeated token (cache on),
# and GET /livez (the HTTP floor); then the in-process nimbus RS256 rate on one core (JMH), start-to-
# listening time and resident memory. Needs wrk (apt-get install wrk) and taskset. Everything stays on
# 127.0.0.1 and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-10s}
TOKENS=${TOKENS:-20000}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }
mvn -B -q -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
mvn -B -q -DskipTests test-compile
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

start_fixture() { # name alg ttl: starts one server (alone on CPU 0) and sets DIR and PID
  DIR="$WORK/$1"
  taskset -c 0 java -Xms256m -Xmx256m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" \
    io.github.kubeoidc.bench.LoadFixture "$DIR" "$2" "$3" "$TOKENS" > "$WORK/$1.out" 2>&1 &
  PID=$!
  PIDS+=("$PID")
  for _ in $(seq 1 600); do [ -f "$DIR/port" ] && break; sleep 0.1; done
  [ -f "$DIR/port" ] || { cat "$WORK/$1.out"; exit 1; }
  # the answers are right before anything is measured
  head -1 "$DIR/bodies.txt" | curl -sf -X POST -H 'Content-Type: application/json' --data-binary @- \
    "http://127.0.0.1:$(cat "$DIR/port")/authenticate" | grep -q '"authenticated":true' \
    || { echo "the fixture does not authenticate its own tokens" >&2; exit 1; }
}

warm() { # url [env...]: the same traffic as the measured runs, unmeasured, so the JIT has compiled it
  local url=$1; shift
  env "$@" taskset -c 1 wrk -t1 -c8 -d"$WARMUP" ${LUA:+-s bench/tokenreviews.lua} "$url" >/dev/null
}

run() { # label url conns [env...]
  local label=$1 url=$2 conns=$3; shift 3
  local out
  out=$(env "$@" taskset -c 1 wrk -t1 -c"$conns" -d"$DURATION" --latency ${LUA:+-s bench/tokenreviews.lua} "$url")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(grep -E "Non-2xx|Socket errors|error" <<<"$out" | tr '\n' ' ' || true)
  printf "%-28s %5s conns %12s req/s   p50 %-9s p99 %-9s %s\n" "$label" "$conns" "$rps" "$p50" "$p99" "$errors"
}

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), server on CPU 0, wrk on CPU 1, $DURATION per run"
start_fixture rs256 RS256 0
LUA=1 warm "http://127.0.0.1:$(cat "$DIR/port")" BODIES="$DIR/bodies.txt"
for c in 1 8 64; do
  LUA=1 run "distinct RS256" "http://127.0.0.1:$(cat "$DIR/port")" "$c" BODIES="$DIR/bodies.txt"
done
kill "$PID"; wait "$PID" 2>/dev/null || true
start_fixture es256 ES256 0
LUA=1 warm "http://127.0.0.1:$(cat "$DIR/port")" BODIES="$DIR/bodies.txt"
for c in 1 8 64; do
  LUA=1 run "distinct ES256" "http://127.0.0.1:$(cat "$DIR/port")" "$c" BODIES="$DIR/bodies.txt"
done
kill "$PID"; wait "$PID" 2>/dev/null || true
start_fixture cached RS256 120
LUA=1 warm "http://127.0.0.1:$(cat "$DIR/port")" BODIES="$DIR/bodies.txt" REPEAT=1
for c in 1 8 64; do
  LUA=1 run "repeated token (cached)" "http://127.0.0.1:$(cat "$DIR/port")" "$c" BODIES="$DIR/bodies.txt" REPEAT=1
done
LUA= warm "http://127.0.0.1:$(cat "$DIR/port")/livez"
for c in 1 8 64; do
  LUA= run "GET /livez (HTTP floor)" "http://127.0.0.1:$(cat "$DIR/port")/livez" "$c"
done
echo "resident memory of the server after the runs: $(awk '/VmRSS/ {print $2, $3}' /proc/"$PID"/status)"
kill "$PID"; wait "$PID" 2>/dev/null || true

echo
echo "in-process nimbus RS256 parse+verify+claims, one core (JMH):"
taskset -c 0 java -cp "$CP" org.openjdk.jmh.Main 'PipelineBenchmark.nimbusParseVerifyClaims' -p alg=RS256 \
  -wi 2 -w 2 -i 3 -r 3 -f 1 2>/dev/null | grep -E "^PipelineBenchmark"

echo
echo "start to 'listening on' (issuer unreachable, so no fetch is waited for), 5 runs:"
cat > "$WORK/unreachable.yaml" <<'YAML'
apiVersion: apiserver.config.k8s.io/v1
kind: AuthenticationConfiguration
jwt:
- issuer: {url: "https://127.0.0.1:9", audiences: [kubernetes]}
  claimMappings:
    username: {claim: sub, prefix: ""}
YAML
for _ in 1 2 3 4 5; do
  start=$(date +%s%N)
  java -jar target/kube-oidc-webhook.jar serve --authentication-config "$WORK/unreachable.yaml" --http-port 0 \
    --bind-address 127.0.0.1 > "$WORK/start.out" 2>/dev/null &
  pid=$!
  until grep -q "listening on" "$WORK/start.out" 2>/dev/null; do sleep 0.01; done
  echo "  $(( ($(date +%s%N) - start) / 1000000 )) ms"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
