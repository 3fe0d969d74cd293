#!/usr/bin/env bash
# Three chorus-dht nodes on loopback (README, "Local cluster"):
#
#   scripts/local-cluster.sh start    build if needed, start nodes 1-3, wait until they are up
#   scripts/local-cluster.sh status   each node's URL, pid, health and API token
#   scripts/local-cluster.sh stop     SIGTERM, wait for a clean exit (SIGKILL after STOP_TIMEOUT s)
#
# Node N: HTTP on 808N, libp2p on 401(N), data in ./local-cluster/node-N (log in node.log, pid in
# node.pid); one role-keys dir for all (./local-cluster/role-keys); nodes 2 and 3 bootstrap from
# node 1. Shared settings: config/application-local-cluster.yml (profile local-cluster).
# Environment: JAVA_HOME (default: Temurin 25 when present), JAVA_OPTS, START_TIMEOUT (120),
# STOP_TIMEOUT (30).
set -euo pipefail
cd "$(dirname "$0")/.."

ROOT=./local-cluster
NODES=(1 2 3)
START_TIMEOUT=${START_TIMEOUT:-120}
STOP_TIMEOUT=${STOP_TIMEOUT:-30}

if [ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

http_port() { echo $((8080 + $1)); }
p2p_port() { echo $((4010 + $1)); }
node_dir() { echo "$ROOT/node-$1"; }

# pid of node N if it is running (and is the java we started), else nothing
running_pid() {
  local pidfile
  pidfile="$(node_dir "$1")/node.pid"
  [ -f "$pidfile" ] || return 0
  local pid
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null && grep -q "chorus.data-dir=$(node_dir "$1")" "/proc/$pid/cmdline" 2>/dev/null; then
    echo "$pid"
  fi
}

newest_jar() {
  local f newest=""
  for f in target/chorus-dht-*.jar; do
    [ -e "$f" ] || continue
    case "$f" in *-plain.jar) continue ;; esac
    if [ -z "$newest" ] || [ "$f" -nt "$newest" ]; then newest=$f; fi
  done
  echo "$newest"
}

jar() {
  local newest
  newest=$(newest_jar)
  # rebuild when a source file is newer than the jar
  if [ -z "$newest" ] || [ -n "$(find src config pom.xml -newer "$newest" -type f -print -quit)" ]; then
    echo "building target/chorus-dht-*.jar ..." >&2
    ./mvnw -B -ntp -q package -DskipTests >&2
    newest=$(newest_jar)
  fi
  echo "$newest"
}

# healthy N [liveness|readiness]
healthy() {
  curl -fsS --max-time 2 "http://127.0.0.1:$(http_port "$1")/actuator/health/${2:-readiness}" >/dev/null 2>&1
}

start() {
  local jarfile
  jarfile=$(jar)
  mkdir -p "$ROOT/role-keys"
  for n in "${NODES[@]}"; do
    if [ -n "$(running_pid "$n")" ]; then
      echo "node $n already running (pid $(running_pid "$n"))"
      continue
    fi
    local dir args
    dir=$(node_dir "$n")
    mkdir -p "$dir"
    args=(--spring.profiles.active=local-cluster
      "--server.port=$(http_port "$n")"
      "--chorus.data-dir=$dir"
      "--chorus.node-id=node-$n"
      "--chorus.role-keys-dir=$ROOT/role-keys"
      "--chorus.dht.listen=/ip4/127.0.0.1/tcp/$(p2p_port "$n")")
    if [ "$n" != 1 ]; then
      args+=("--chorus.dht.bootstrap-peers=/ip4/127.0.0.1/tcp/$(p2p_port 1)")
    fi
    # shellcheck disable=SC2086
    nohup "$JAVA" ${JAVA_OPTS:-} -jar "$jarfile" "${args[@]}" >"$dir/node.log" 2>&1 &
    echo $! >"$dir/node.pid"
    echo "node $n starting (pid $!, log $dir/node.log)"
    # node 1 first: it creates the shared role keys, and the others bootstrap from it. Only live:
    # readiness grades the DHT, which node 1 passes once the others have joined it
    if [ "$n" = 1 ]; then wait_up 1 liveness; fi
  done
  for n in "${NODES[@]}"; do wait_up "$n" readiness; done
  status
}

# wait_up N liveness|readiness
wait_up() {
  local deadline=$((SECONDS + START_TIMEOUT))
  until healthy "$1" "$2"; do
    if [ -z "$(running_pid "$1")" ]; then
      echo "node $1 exited; last lines of $(node_dir "$1")/node.log:" >&2
      tail -20 "$(node_dir "$1")/node.log" >&2
      exit 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      echo "node $1: no $2 after ${START_TIMEOUT}s (see $(node_dir "$1")/node.log)" >&2
      exit 1
    fi
    sleep 1
  done
}

status() {
  for n in "${NODES[@]}"; do
    local pid state token
    pid=$(running_pid "$n")
    if [ -z "$pid" ]; then
      state=stopped
    elif healthy "$n" readiness; then
      state="ready (pid $pid)"
    elif healthy "$n" liveness; then
      state="live, not ready (pid $pid; see /actuator/health)"
    else
      state="starting or unhealthy (pid $pid)"
    fi
    token=$(cat "$(node_dir "$n")/initial-token" 2>/dev/null || echo "-")
    echo "node $n: http://127.0.0.1:$(http_port "$n")  libp2p /ip4/127.0.0.1/tcp/$(p2p_port "$n")  $state"
    echo "        token $token"
  done
}

stop() {
  local pids=()
  for n in "${NODES[@]}"; do
    local pid
    pid=$(running_pid "$n")
    if [ -n "$pid" ]; then
      kill -TERM "$pid"
      pids+=("$n:$pid")
    fi
  done
  for entry in "${pids[@]}"; do
    local n=${entry%%:*} pid=${entry#*:}
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null; do
      if [ $SECONDS -ge $deadline ]; then
        echo "node $n (pid $pid) still running after ${STOP_TIMEOUT}s: SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.5
    done
    rm -f "$(node_dir "$n")/node.pid"
    echo "node $n stopped"
  done
  [ ${#pids[@]} -gt 0 ] || echo "no node running"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
