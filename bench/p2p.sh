#!/usr/bin/env bash
# libp2p loopback benchmark (Java <-> Java): connection setup time and stream throughput over one
# Noise + Yamux connection. Usage: bench/p2p.sh [--js] [MiB per run, default 256] [dials, default 50]
# --js: against the js-libp2p interop peer (src/test/js; needs node + npm, installs its packages).
# Set JAVA_HOME to pick the JDK (JDK 25's ChaCha20-Poly1305 is ~9x faster than 17's).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -DskipTests -Dspotless.check.skip=true test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >/dev/null
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" -Xmx512m -cp "target/classes:target/test-classes:$(cat target/test-classpath.txt)" \
  -Dlogback.configurationFile=bench/logback-bench.xml \
  org.chorus.dht.p2p.bench.P2pBench "$@"
