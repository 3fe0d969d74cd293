#!/usr/bin/env bash
# Kademlia cluster benchmark (issue 5): starts a loopback cluster of our nodes in one JVM and
# measures PUT and GET latency (p50/p90/p99/max, ops/s); GETs come from a node that is not the
# writer and holds no copy (a client-mode node), so every GET is a real lookup.
#
#   bench/kad-cluster.sh                     Dht level (kad.Dht putValue/getValue, signed envelopes):
#                                            20 nodes, 300 ops per row, 1 KiB, concurrency 1 and 8
#   bench/kad-cluster.sh rest                the same through the REST API of full Spring nodes
#   bench/kad-cluster.sh dht 20 1000 4096 1,4,16   mode, nodes, ops, value bytes, concurrencies
#
# Set JAVA_HOME to pick the JDK. Results: bench/kad-cluster-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -DskipTests -Dspotless.check.skip=true test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >/dev/null
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" -Xmx2g -cp "target/classes:target/test-classes:$(cat target/test-classpath.txt)" \
  -Dlogback.configurationFile=bench/logback-bench.xml \
  org.chorus.dht.kad.bench.KadClusterBench "$@"
