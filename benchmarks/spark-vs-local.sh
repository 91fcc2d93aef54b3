#!/usr/bin/env bash
# The Spark runner's cost against the local runner on the same cores: the `langevin` stage of
# langevin-throughput.yaml (100 000 particles, d = 2, K = 3) for STEPS steps, once on the local
# runner with 2 threads and once on Spark `local[2]`, back to back, for each checkpoint interval
# in EVERY (0: checkpoints only at stage ends; each checkpoint is also a segment boundary, so it
# is one Spark job more plus a gather to the driver), REPEATS times. Prints particle-steps/s of
# the stage from metrics.json, and the ratio.
#
#   benchmarks/spark-vs-local.sh                       # STEPS=5000 EVERY="0 500 50" REPEATS=2
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
scorepipe="${SCOREPIPE:-$here/../scorepipe}"
steps="${STEPS:-5000}"
every="${EVERY:-0 500 50}"
repeats="${REPEATS:-2}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"

rate() {
  python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print("%.4g" % next(s["particle-steps-per-second"] for s in m["stages"] if s["name"] == "langevin"))' "$1/metrics.json"
}
printf '%-6s %6s %6s %14s %14s %7s  %s\n' repeat steps every local spark spark/local load
for r in $(seq "$repeats"); do
  for e in $every; do
    "$scorepipe" run "$here/langevin-throughput.yaml" --threads 2 --set "stages.langevin.steps=$steps" \
      --set "checkpoint.every=$e" --out "$work/local-$r-$e" --quiet > /dev/null 2>&1
    "$scorepipe" run "$here/langevin-throughput.yaml" --runner spark --master 'local[2]' --conf spark.ui.enabled=false \
      --set "stages.langevin.steps=$steps" --set "checkpoint.every=$e" --out "$work/spark-$r-$e" --quiet > /dev/null 2>&1
    l="$(rate "$work/local-$r-$e")"; s="$(rate "$work/spark-$r-$e")"
    printf '%-6s %6s %6s %14s %14s %7.3f  %s\n' "$r" "$steps" "$e" "$l" "$s" "$(python3 -c "print($s/$l)")" \
      "$(cut -d' ' -f1-3 /proc/loadavg)"
  done
done
