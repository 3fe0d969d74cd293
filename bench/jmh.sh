#!/usr/bin/env bash
# Runs JMH benchmarks from src/jmh/java in one forked JVM per benchmark.
# Usage: bench/jmh.sh [JMH arguments]   (default: AgeBenchmark)
#   JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 bench/jmh.sh AgeBenchmark -p size=67108864
# Defaults to the Temurin 25 JDK when present (its ChaCha20-Poly1305 is much faster).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
echo "JDK: $("${JAVA_HOME:-/usr}/bin/java" -version 2>&1 | head -1)"
args="${*:-AgeBenchmark}"
exec ./mvnw -B -q -Pjmh test-compile exec:exec -Djmh.args="$args"
