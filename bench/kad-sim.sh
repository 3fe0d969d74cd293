#!/usr/bin/env bash
# Deterministic Kademlia simulation (issue 5, check 3): bootstraps N in-process nodes with the
# real routing table and query iterator on a virtual clock, then prints GET hops p50/p95 and
# success with 0 %, 10 % and 30 % of the nodes failed.
#
#   bench/kad-sim.sh                 10,000 nodes, 1,000 GETs per failure rate, seed 1
#   bench/kad-sim.sh 1000 300 7      nodes, GETs, seed
#
# Needs a build with test classes: ./mvnw -q test-compile (writes target/classpath.txt too).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
nodes="${1:-10000}"
lookups="${2:-1000}"
seed="${3:-1}"

[[ -f "$root/target/classpath.txt" && -d "$root/target/test-classes" ]] \
  || { echo "bench/kad-sim.sh: build first: ./mvnw -q test-compile" >&2; exit 1; }

exec java -Xmx3g \
  -cp "$root/target/test-classes:$root/target/classes:$(cat "$root/target/classpath.txt")" \
  org.chorus.dht.kad.sim.KadSimulation "$nodes" "$lookups" "$seed"
