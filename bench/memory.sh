#!/usr/bin/env bash
# 100,000 items (or $1) stored through EncryptedStorage with default settings in a -Xmx512m JVM
# (the surefire execution "memory-100k" running StorageMemoryTest); prints the report that the
# test also writes to target/memory-<items>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS=${1:-100000}
./mvnw -B -q -Dspotless.check.skip=true -DskipMemoryTest=false -DskipFuzzRegression=true -Dchorus.memory.items="$ITEMS" \
  -Dtest=StorageMemoryTest -Dsurefire.failIfNoSpecifiedTests=false test
cat "target/memory-$ITEMS.txt"
