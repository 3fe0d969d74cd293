#!/usr/bin/env bash
# Store/retrieve throughput over HTTP on one node, next to a trivial endpoint of the same app.
#
#   bench/storage.sh [items=2000] [concurrency=8] [sizeBytes=1024]
#
# Builds the jar if needed, starts a node on a fresh data dir (-Xmx512m, default settings) on a
# free port, runs bench/HttpBench.java against it with the generated initial token, prints the
# table and stops the node. JAVA_HOME picks the JDK (Temurin 25 is much faster at ChaCha20).
set -euo pipefail
cd "$(dirname "$0")/.."

ITEMS=${1:-2000}
CONCURRENCY=${2:-8}
SIZE=${3:-1024}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
PORT=${PORT:-$(( 20000 + RANDOM % 20000 ))}

JAR=$(ls target/chorus-dht-*.jar 2>/dev/null | grep -v -- '-plain' | head -1 || true)
if [ -z "$JAR" ]; then
  ./mvnw -B -q -DskipTests package
  JAR=$(ls target/chorus-dht-*.jar | head -1)
fi

DATA=$(mktemp -d -t chorus-bench-XXXXXX)
LOG="$DATA/node.log"
"$JAVA" -Xmx512m -jar "$JAR" --server.port="$PORT" --chorus.data-dir="$DATA/data" \
  --chorus.node-id=bench-node --logging.level.root=WARN >"$LOG" 2>&1 &
NODE=$!
trap 'kill "$NODE" 2>/dev/null || true; wait "$NODE" 2>/dev/null || true; rm -rf "$DATA"' EXIT

for _ in $(seq 1 120); do
  if curl -fsS "http://localhost:$PORT/actuator/health/readiness" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$NODE" 2>/dev/null; then cat "$LOG"; exit 1; fi
  sleep 0.5
done
TOKEN=$(cat "$DATA/data/initial-token")

"$JAVA" bench/HttpBench.java "http://localhost:$PORT" "$TOKEN" "$ITEMS" "$CONCURRENCY" "$SIZE" senior_architect
echo
echo "node heap after run:"
curl -fsS -H "Authorization: Bearer $TOKEN" "http://localhost:$PORT/actuator/metrics/jvm.memory.used?tag=area:heap" \
  | jq -r '.measurements[0].value / 1048576 | floor | tostring + " MiB used"' || true
