#!/usr/bin/env bash
# The run noise's raw words through Debian's dieharder battery (apt-get install dieharder).
#
#   benchmarks/noise-battery.sh [rows|columns] [dieharder options, default -a]
#
# Needs benchmarks/target/benchmarks.jar (mvn -B -o -q -DskipTests install). NoiseWords writes the
# 64-bit words of noise v3 (PhiloxNoise.words) to dieharder's raw stdin generator (-g 200): in
# `rows` order as a run draws them (each particle's 64 words at a step, particle after particle),
# or in `columns` order (word j of 4096 neighbouring particles, then word j + 1), which is where a
# relation between neighbouring particles' generators would show. The output goes to
# benchmarks/target/dieharder-<order>.txt as well; the script fails if any test is FAILED
# (WEAK results, p outside [0.005, 0.995], are expected by chance: about 1 in 100 tests).
set -euo pipefail
cd "$(dirname "$0")/.."
order="${1:-rows}"
shift || true
[ $# -gt 0 ] || set -- -a
jar=benchmarks/target/benchmarks.jar
[ -f "$jar" ] || { echo "error: $jar is missing: run mvn -B -o -q -DskipTests install first" >&2; exit 2; }
command -v dieharder >/dev/null || { echo "error: dieharder is not installed (apt-get install dieharder)" >&2; exit 2; }
out=benchmarks/target/dieharder-$order.txt
java -cp "$jar" org.scorepipe.benchmarks.NoiseWords --order "$order" | dieharder -g 200 "$@" | tee "$out"
passed=$(grep -c PASSED "$out" || true)
weak=$(grep -c WEAK "$out" || true)
failed=$(grep -c FAILED "$out" || true)
echo "noise v3, $order order: $passed passed, $weak weak, $failed failed ($out)"
[ "$failed" -eq 0 ]
