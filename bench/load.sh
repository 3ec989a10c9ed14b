#!/usr/bin/env bash
# Load benchmark of the real server on loopback (README, Performance). The server runs alone on CPU 0 with the
# image's JVM flags under the Deployment's 384 MiB limit (simulated with -XX:MaxRAM), wrk runs on CPU 1; each
# scenario is first run unmeasured for $WARMUP so the JIT has compiled it, then $DURATION per connection count.
#
# Prints TokenReviews/s and p50/p99 latency at 1, 8 and 64 connections for distinct RS256 and ES256 tokens (answer
# cache off), one repeated token (cache on), and two floors: GET /livez, and POST /livez with the same TokenReview
# bodies (the same bytes in, nothing done). Then, in the same run: the in-process nimbus RS256 rate on one core
# (JMH), start-to-"listening on" without and with the image's class data archive, peak resident memory, and the
# issue's targets as ratios. Needs wrk (apt-get install wrk) and taskset; h2load (apt-get install nghttp2-client)
# adds an HTTP/2 run. Everything stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-10s}
TOKENS=${TOKENS:-20000}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }
mvn -B -q -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
mvn -B -q -DskipTests test-compile
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
# deploy/Dockerfile's ENTRYPOINT flags (but the class data archive), under deploy/deployment.yaml's memory limit.
# SerialGC is what the JVM itself picks under that limit; the image pins it.
JVM_FLAGS=(-XX:MaxRAM=384m -XX:MaxRAMPercentage=60 -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData)
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
declare -A RPS P50 P99

start_fixture() { # name alg ttl: starts one server (alone on CPU 0) and sets DIR, PID and URL
  DIR="$WORK/$1"
  taskset -c 0 java "${JVM_FLAGS[@]}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" \
    io.github.kubeoidc.bench.LoadFixture "$DIR" "$2" "$3" "$TOKENS" > "$WORK/$1.out" 2>&1 &
  PID=$!
  PIDS+=("$PID")
  for _ in $(seq 1 600); do [ -f "$DIR/port" ] && break; sleep 0.1; done
  [ -f "$DIR/port" ] || { cat "$WORK/$1.out"; exit 1; }
  URL="http://127.0.0.1:$(cat "$DIR/port")"
  # the answers are right before anything is measured
  head -1 "$DIR/bodies.txt" | curl -sf -X POST -H 'Content-Type: application/json' --data-binary @- \
    "$URL/authenticate" | grep -q '"authenticated":true' \
    || { echo "the fixture does not authenticate its own tokens" >&2; exit 1; }
}

wrk_run() { # conns seconds url [env...]: wrk's report
  local conns=$1 secs=$2 url=$3; shift 3
  env "$@" taskset -c 1 wrk -t1 -c"$conns" -d"$secs" --latency ${LUA:+-s bench/tokenreviews.lua} "$url"
}

ms() { # a wrk latency (850.00us, 1.20ms, 2.00s) in milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) n *= 1000; printf "%.3f", n }'
}

scenario() { # key label url [env...]: warm-up, then 1, 8 and 64 connections
  local key=$1 label=$2 url=$3; shift 3
  wrk_run 8 "$WARMUP" "$url" "$@" >/dev/null
  for c in 1 8 64; do
    local out rps p50 p99 errors
    out=$(wrk_run "$c" "$DURATION" "$url" "$@")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr '\n' ' ' || true)
    RPS[$key,$c]=$rps; P50[$key,$c]=$(ms "$p50"); P99[$key,$c]=$(ms "$p99")
    printf "%-32s %3s conns %10s req/s   p50 %-9s p99 %-9s %s\n" "$label" "$c" "$rps" "$p50" "$p99" "$errors"
  done
}

peak_rss() { awk '/VmHWM/ {print $2}' /proc/"$1"/status; }

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), server on CPU 0 (${JVM_FLAGS[*]}), wrk on CPU 1, $DURATION per run"
start_fixture rs256 RS256 0
LUA=1 scenario rs256 "distinct RS256" "$URL" BODIES="$DIR/bodies.txt"
RSS_RS256=$(peak_rss "$PID")
kill "$PID"; wait "$PID" 2>/dev/null || true
start_fixture es256 ES256 0
LUA=1 scenario es256 "distinct ES256" "$URL" BODIES="$DIR/bodies.txt"
kill "$PID"; wait "$PID" 2>/dev/null || true
start_fixture cached RS256 120
LUA=1 scenario cached "repeated token (cached)" "$URL" BODIES="$DIR/bodies.txt" REPEAT=1
LUA= scenario livez "GET /livez (floor)" "$URL/livez"
LUA=1 scenario postfloor "POST /livez, same bodies (floor)" "$URL" BODIES="$DIR/bodies.txt" REPEAT=1 REVIEW_PATH=/livez
RSS_CACHED=$(peak_rss "$PID")
kill "$PID"; wait "$PID" 2>/dev/null || true
echo "peak resident memory (VmHWM) of the server: distinct RS256 run $((RSS_RS256 / 1024)) MiB, cached run $((RSS_CACHED / 1024)) MiB"

# HTTP/2 over TLS, as kube-apiserver sends: one connection, 64 concurrent streams (h2load, from nghttp2-client; it
# sends one body, so this is the repeated token), and GET /livez on the same kind of connection for the floor.
if command -v h2load >/dev/null; then
  echo
  echo "HTTP/2 over TLS, 1 connection, 64 streams (h2load):"
  DIR="$WORK/h2"
  taskset -c 0 java "${JVM_FLAGS[@]}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" \
    io.github.kubeoidc.bench.LoadFixture "$DIR" RS256 120 100 https > "$WORK/h2.out" 2>&1 &
  PID=$!
  PIDS+=("$PID")
  for _ in $(seq 1 600); do [ -f "$DIR/port" ] && break; sleep 0.1; done
  [ -f "$DIR/port" ] || { cat "$WORK/h2.out"; exit 1; }
  H2URL="https://127.0.0.1:$(cat "$DIR/port")"
  head -1 "$DIR/bodies.txt" > "$DIR/one.json"
  h2() { taskset -c 1 h2load -c 1 -m 64 "$@" | awk '/finished in/ {print $4, "req/s"} /status codes/ {print "  ", $0}' | tr '\n' ' '; echo; }
  h2 -n 100000 -d "$DIR/one.json" -H 'Content-Type: application/json' "$H2URL/authenticate" >/dev/null # warm-up
  h2 -n 100000 "$H2URL/livez" >/dev/null
  printf "%-32s %s\n" "repeated token (cached)" "$(h2 -n 300000 -d "$DIR/one.json" -H 'Content-Type: application/json' "$H2URL/authenticate")"
  printf "%-32s %s\n" "GET /livez (floor)" "$(h2 -n 300000 "$H2URL/livez")"
  kill "$PID"; wait "$PID" 2>/dev/null || true
else
  echo "(h2load not found: apt-get install nghttp2-client for the HTTP/2 run)"
fi

echo
echo "in-process, one core (JMH): nimbus parse+verify+claims, and this pipeline, RS256"
JMH=$(taskset -c 0 java -cp "$CP" org.openjdk.jmh.Main 'PipelineBenchmark.(nimbusParseVerifyClaims|distinctTokens)$' -p alg=RS256 \
  -wi 3 -w 2 -i 5 -r 2 -f 1 2>/dev/null | grep -E "^PipelineBenchmark")
echo "$JMH"
NIMBUS=$(awk '/nimbusParseVerifyClaims/ {print $5}' <<<"$JMH")

echo
echo "start to 'listening on' (issuer unreachable, so no fetch is waited for), 5 runs each:"
cat > "$WORK/unreachable.yaml" <<'YAML'
apiVersion: apiserver.config.k8s.io/v1
kind: AuthenticationConfiguration
jwt:
- issuer: {url: "https://127.0.0.1:9", audiences: [kubernetes]}
  claimMappings:
    username: {claim: sub, prefix: ""}
YAML
# the image's training step (deploy/Dockerfile), here
java -XX:ArchiveClassesAtExit="$WORK/app.jsa" -XX:+UseSerialGC -jar target/kube-oidc-webhook.jar demo --once >/dev/null 2>&1
starts() { # java flags...: five start times in ms
  local times=()
  for _ in 1 2 3 4 5; do
    rm -f "$WORK/start.out"
    local start pid
    start=$(date +%s%N)
    java "$@" -jar target/kube-oidc-webhook.jar serve --authentication-config "$WORK/unreachable.yaml" --http-port 0 \
      --bind-address 127.0.0.1 > "$WORK/start.out" 2>/dev/null &
    pid=$!
    until grep -q "listening on" "$WORK/start.out" 2>/dev/null; do sleep 0.01; done
    times+=($(( ($(date +%s%N) - start) / 1000000 )))
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
  echo "${times[*]}"
}
PLAIN=$(starts -XX:+UseSerialGC); echo "  without the archive: $PLAIN ms"
CDS=$(starts -XX:+UseSerialGC -XX:SharedArchiveFile="$WORK/app.jsa" -Xshare:on); echo "  with the image's class data archive: $CDS ms"
median() { tr ' ' '\n' <<<"$1" | sort -n | sed -n 3p; }

echo
echo "targets (issue 5), this run:"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v r="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == ">=") ? r >= t : r < t; print ok ? "met" : "NOT met" }'; }
r=$(ratio "${RPS[rs256,8]}" "$NIMBUS");           echo "  distinct RS256 at 8 conns / in-process nimbus: $r (>= 0.7: $(verdict "$r" ">=" 0.7))"
r=$(ratio "${RPS[cached,8]}" "${RPS[livez,8]}");  echo "  repeated token / GET floor, 8 conns:           $r (>= 0.8: $(verdict "$r" ">=" 0.8))"
r=$(ratio "${RPS[cached,8]}" "${RPS[postfloor,8]}"); echo "  repeated token / POST floor, 8 conns:          $r (>= 0.8: $(verdict "$r" ">=" 0.8))"
r=$(ratio "${RPS[es256,8]}" "${RPS[rs256,8]}");   echo "  distinct ES256 / distinct RS256, 8 conns:      $r (>= 0.5: $(verdict "$r" ">=" 0.5))"
for k in rs256 es256 cached; do
  r=$(ratio "${P99[$k,64]}" "${P50[$k,64]}");     echo "  p99 / p50 at 64 conns, $k:$(printf '%*s' $((17 - ${#k})) '')$r (< 3: $(verdict "$r" "<" 3))"
done
# for reading the line above: the same ratio when the server does nothing at all
for k in livez postfloor; do
  r=$(ratio "${P99[$k,64]}" "${P50[$k,64]}");     echo "    (the no-op floor's own, $k:$(printf '%*s' $((13 - ${#k})) '')$r)"
done
m=$(median "$CDS");                               echo "  start to listening, image (archive), median:   $m ms (< 1500: $(verdict "$m" "<" 1500))"
m=$((RSS_RS256 > RSS_CACHED ? RSS_RS256 : RSS_CACHED))
echo "  peak resident memory under load:               $((m / 1024)) MiB (< 256: $(verdict "$((m / 1024))" "<" 256))"
