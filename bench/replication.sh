#!/usr/bin/env bash
# Replication benchmark (issue 6): starts a loopback cluster of our nodes in one JVM (production
# k = 20), stores N signed envelopes on node 0, tracks them in node 0's ReplicationManager and times
# one full reprovideAll pass (holders scan + republish + reprovide over the real network), with
# the latency of the API-facing calls sampled during the pass, and peak heap.
#
#   bench/replication.sh                         100000 keys, 20 nodes, concurrency 5, 20 min limit
#   bench/replication.sh 5000 20 5 15            keys, nodes, maxConcurrentReplications, limit (min)
#
# A pass still running at the limit is reported as partial, with the rate so far and the time for
# 100,000 keys extrapolated from it. Set JAVA_HOME to pick the JDK; HEAP (default 2g) for -Xmx.
# Results: bench/replication-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -DskipTests -Dspotless.check.skip=true test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >/dev/null
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" "-Xmx${HEAP:-2g}" -cp "target/classes:target/test-classes:$(cat target/test-classpath.txt)" \
  -Dlogback.configurationFile=bench/logback-bench.xml \
  org.chorus.dht.replication.ReplicationClusterBench "$@"
