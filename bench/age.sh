#!/usr/bin/env bash
# Benchmarks bin/chorus-age against the age CLI on one random file: encrypt to one X25519
# recipient, decrypt to a file and to /dev/null; best of N runs each. Every decryption is of the
# other tool's ciphertext and is compared with the input (cmp), so the run also checks interop.
#
#   bench/age.sh                                  512 MiB, best of 3, JDK as bin/chorus-age picks
#   JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 bench/age.sh
#   BENCH_MB=64 BENCH_RUNS=1 bench/age.sh         a quick run on a shared machine
#
# BENCH_DIR (default bench/out, git-ignored) keeps the random input between runs; the
# ciphertexts and plaintexts of a run go to a temporary directory inside it and are removed.
# Needs: a build (./mvnw -q package -DskipTests) and age (apt-get install age).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="$root/bin/chorus-age"
mb="${BENCH_MB:-512}"
runs="${BENCH_RUNS:-3}"
dir="${BENCH_DIR:-$root/bench/out}"

die() {
  echo "bench/age.sh: $*" >&2
  exit 1
}

if ! command -v age >/dev/null || ! command -v age-keygen >/dev/null; then
  die "the age CLI is not installed (apt-get install age)"
fi
[[ "$mb" =~ ^[1-9][0-9]*$ && "$runs" =~ ^[1-9][0-9]*$ ]] || die "BENCH_MB and BENCH_RUNS must be positive integers"
"$cli" --help >/dev/null || die "bin/chorus-age does not run (see above)"

mkdir -p "$dir"
input="$dir/random-${mb}MiB.bin"
bytes=$((mb * 1024 * 1024))
if [ ! -f "$input" ] || [ "$(stat -c %s "$input")" -ne "$bytes" ]; then
  echo "generating $input ..."
  head -c "$bytes" /dev/urandom >"$input.partial"
  mv "$input.partial" "$input"
fi

work="$(mktemp -d "$dir/run.XXXXXX")"
trap 'rm -rf "$work"' EXIT
age-keygen -o "$work/key.txt" 2>/dev/null
recipient="$(age-keygen -y "$work/key.txt")"

# seconds CMD...: the best wall time of $runs runs of CMD, in seconds.
seconds() {
  local best="" start end
  for ((i = 0; i < runs; i++)); do
    start="$(date +%s.%N)"
    "$@" >&2
    end="$(date +%s.%N)"
    best="$(awk -v b="$best" -v s="$start" -v e="$end" 'BEGIN { t = e - s; print (b == "" || t < b + 0) ? t : b }')"
  done
  echo "$best"
}

same() {
  cmp -s "$input" "$1" || die "$2: decrypted output differs from the input"
  rm -f "$1"
}

# Warm-up: page cache, and bin/chorus-age's class-data archive on its first run.
head -c 1024 "$input" >"$work/warm"
"$cli" -r "$recipient" -o /dev/null "$work/warm"
age -r "$recipient" -o /dev/null "$work/warm"
cat "$input" >/dev/null

echo "JDK:   $("$cli" --java-version 2>&1 | head -1) (JAVA_HOME=${JAVA_HOME:-unset})"
echo "age:   $(age --version) ($(command -v age))"
echo "input: $mb MiB, best of $runs, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo

declare -A t
t[ours, encrypt]="$(seconds "$cli" -r "$recipient" -o "$work/ours.age" "$input")"
t[age, encrypt]="$(seconds age -r "$recipient" -o "$work/age.age" "$input")"
t[ours, decrypt]="$(seconds "$cli" -d -i "$work/key.txt" -o "$work/ours.out" "$work/age.age")"
same "$work/ours.out" "chorus-age -d (of age's ciphertext)"
t[age, decrypt]="$(seconds age -d -i "$work/key.txt" -o "$work/age.out" "$work/ours.age")"
same "$work/age.out" "age -d (of our ciphertext)"
t[ours, decrypt > /dev/null]="$(seconds "$cli" -d -i "$work/key.txt" -o /dev/null "$work/age.age")"
t[age, decrypt > /dev/null]="$(seconds age -d -i "$work/key.txt" -o /dev/null "$work/ours.age")"
[ -c /dev/null ] || die "/dev/null is no longer a character device"

printf '%-10s %-22s %9s %9s\n' tool operation seconds MB/s
for op in "encrypt" "decrypt" "decrypt > /dev/null"; do
  for tool in ours age; do
    printf '%-10s %-22s %9.3f %9.0f\n' "$([ $tool = ours ] && echo chorus-age || echo age)" "$op" \
      "${t[$tool, $op]}" "$(awk -v s="${t[$tool, $op]}" -v mb="$mb" 'BEGIN { print mb * 1.048576 / s }')"
  done
done
echo
echo "speed ours/age (above 1 = chorus-age faster; MB = 10^6 bytes; times include JVM start):"
for op in "encrypt" "decrypt" "decrypt > /dev/null"; do
  printf '  %-22s %6.2f\n' "$op" "$(awk -v o="${t[ours, $op]}" -v a="${t[age, $op]}" 'BEGIN { print a / o }')"
done
