#!/usr/bin/env bash
# age in process, this project's library against Go's filippo.io/age, on the same machine in the
# same run: 1 KiB to 7 X25519 recipients (the storage service's shape: one item, seven roles) and
# 64 MiB to 1 recipient (bulk). Prints both, and the ratios Java/Go, with the machine load.
#
#   bench/age-vs-go.sh                 build goage if needed, run both, print the table
#   GOAGE_DIR=/path/to/goage bench/age-vs-go.sh
#
# The Go side is ../shared/bench/goage (main.go, built in GOPATH mode over Debian's Go sources;
# the Debian packages are installed when missing). The Java side is JMH AgeBenchmark
# (src/jmh/java): encrypt, decrypt (every stanza tried until the reader's, the last, as Go does)
# and decryptOwnStanza (the service's read: the envelope names the reader's stanza).
# Results go to bench/out (git-ignored); record them in bench/age-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
goage_dir="${GOAGE_DIR:-$root/../shared/bench/goage}"
out="$root/bench/out"
mkdir -p "$out"

if [ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi

[ -f "$goage_dir/main.go" ] || { echo "no goage at $goage_dir (set GOAGE_DIR)" >&2; exit 1; }
pkgs=(golang-go golang-filippo-age-dev golang-golang-x-crypto-dev golang-golang-x-sys-dev
  golang-golang-x-term-dev golang-filippo-edwards25519-dev)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_=sudo
  $sudo_ apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ ! -x "$out/goage" ] || [ "$goage_dir/main.go" -nt "$out/goage" ]; then
  (cd "$goage_dir" && GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE="$out/gocache" \
    go build -o "$out/goage" .)
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# Go before and after the Java runs, averaged, so a load that changes meanwhile hits both sides
echo "== Go (filippo.io/age), before"
"$out/goage" -small 1024 -recipients 7 -iters 5 | tee "$out/go-small-1.txt"
"$out/goage" -size 67108864 -recipients 1 -iters 10 | tee "$out/go-bulk-1.txt"
echo "== JMH (Java): 1 KiB x 7 and 64 MiB x 1"
jmh_opts="-wi 3 -w 2s -i 5 -r 2s -f 1"
bench/jmh.sh "AgeBenchmark -p size=1024 -p recipients=7 $jmh_opts -rf json -rff $out/jmh-small.json" \
  >"$out/jmh-small.log"
bench/jmh.sh "AgeBenchmark.(en|de)crypt$ -p size=67108864 -p recipients=1 $jmh_opts -rf json -rff $out/jmh-bulk.json" \
  >"$out/jmh-bulk.log"
echo "== Go (filippo.io/age), after"
"$out/goage" -small 1024 -recipients 7 -iters 5 | tee "$out/go-small-2.txt"
"$out/goage" -size 67108864 -recipients 1 -iters 10 | tee "$out/go-bulk-2.txt"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$out" "$load_before" "$load_after" <<'PY'
import json, re, sys
out, before, after = sys.argv[1:4]
def jmh(path):
    r = {}
    for b in json.load(open(path)):
        r[b["benchmark"].rsplit(".", 1)[1]] = b["primaryMetric"]["score"]  # microseconds per op
    return r
def go(path):
    r = {}
    for line in open(path):
        m = re.match(r"(\w+) .*: ([0-9.]+) (ops/s|MB/s)", line)
        if m:
            r[m.group(1)] = float(m.group(2))
    return r
small, bulk = jmh(f"{out}/jmh-small.json"), jmh(f"{out}/jmh-bulk.json")
def avg(a, b):
    return {k: (a[k] + b[k]) / 2 for k in a}
gs = avg(go(f"{out}/go-small-1.txt"), go(f"{out}/go-small-2.txt"))
gb = avg(go(f"{out}/go-bulk-1.txt"), go(f"{out}/go-bulk-2.txt"))
rows = [
    ("1 KiB x 7 encrypt", 1e6 / small["encrypt"], gs["encrypt"], "ops/s"),
    ("1 KiB x 7 decrypt (all stanzas)", 1e6 / small["decrypt"], gs["decrypt"], "ops/s"),
    ("1 KiB x 7 decrypt (own stanza)", 1e6 / small["decryptOwnStanza"], gs["decrypt"], "ops/s"),
    ("64 MiB x 1 encrypt", 67108864 / bulk["encrypt"], gb["encrypt"], "MB/s"),
    ("64 MiB x 1 decrypt", 67108864 / bulk["decrypt"], gb["decrypt"], "MB/s"),
]
print()
print(f"| shape | Java | Go | Java/Go |")
print(f"|---|---|---|---|")
for name, j, g, unit in rows:
    print(f"| {name} | {j:,.0f} {unit} | {g:,.0f} {unit} | {j / g:.2f}x |")
print(f"\nload average before {before}, after {after}")
PY
