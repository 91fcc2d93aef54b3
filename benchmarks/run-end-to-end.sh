#!/usr/bin/env bash
# End-to-end throughput of the `langevin` corrector with the `analytic` score through the CLI:
# for every grid point (d in 2 16 64, K in 3 8, isotropic and full covariances) it writes the
# pipeline (the target of langevin-throughput.yaml / BenchmarkTargets.java, via
# numpy_langevin.py --emit-yaml), runs `scorepipe run FILE --threads T --set stages.langevin.steps=S`
# and prints the langevin stage's particle-steps/s from the run's metrics.json.
#
#   benchmarks/run-end-to-end.sh                    # the whole grid, 2 threads
#   THREADS=1 DIMS="2 16" KS=3 COVS=isotropic benchmarks/run-end-to-end.sh
#
# SCOREPIPE (default: ./scorepipe next to this folder) is the command that runs the CLI; the
# step counts are chosen so that each stage runs for a few seconds (STEPS overrides them).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
scorepipe="${SCOREPIPE:-$here/../scorepipe}"
threads="${THREADS:-2}"
dims="${DIMS:-2 16 64}"
ks="${KS:-3 8}"
covs="${COVS:-isotropic full}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

steps_for() {  # d cov -> steps giving a few seconds per run
  case "$2:$1" in
    isotropic:2) echo 400 ;; isotropic:16) echo 100 ;; isotropic:64) echo 40 ;;
    full:2) echo 300 ;; full:16) echo 50 ;; full:64) echo 10 ;;
  esac
}

printf '%-9s %3s %2s %7s %6s %18s\n' cov d K threads steps particle-steps/s
for cov in $covs; do
  for d in $dims; do
    for k in $ks; do
      steps="${STEPS:-$(steps_for "$d" "$cov")}"
      yaml="$work/langevin-$d-$k-$cov.yaml"
      python3 "$here/numpy_langevin.py" --emit-yaml "$d" "$k" "$cov" > "$yaml"
      out="$work/run-$d-$k-$cov"
      "$scorepipe" run "$yaml" --threads "$threads" --set "stages.langevin.steps=$steps" --out "$out" > "$work/log" 2>&1 \
        || { cat "$work/log" >&2; exit 1; }
      rate="$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print("%.4g" % next(s["particle-steps-per-second"] for s in m["stages"] if s["name"] == "langevin"))' "$out/metrics.json")"
      printf '%-9s %3s %2s %7s %6s %18s\n' "$cov" "$d" "$k" "$threads" "$steps" "$rate"
    done
  done
done
