#!/usr/bin/env bash
# Driver heap and checkpoint wall time against ensemble size, single-file checkpoints (gathered to
# the driver, written there) against sharded ones (written by the executors, a manifest by the
# driver), on local-cluster[2,1,MEM] (two executor processes of one core and MEM - 512 MB of heap each). For each N in SIZES
# (d = 16) and each layout, runs init then 20 Langevin steps with a checkpoint at step 10 in a
# fresh driver JVM of -Xmx$DRIVER, and prints the step-10 checkpoint's time on the driver (health
# check, gathering or shards, write; sharded, the segment's own tasks write the shards, so this is
# the manifest's share), the corrector stage's wall time (its 20 steps and that checkpoint, which
# both layouts pay in it) from run.log, and the driver's heap peak (HeapPeak.java: the sum of
# the heap pools' peak usage, an upper bound of the high-water mark, Spark's own use included).
#
#   benchmarks/checkpoint-scaling.sh          # SIZES="100000 1000000 10000000" DRIVER=4g MEM=4096
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/.."
sizes="${SIZES:-100000 1000000 10000000}"
driver="${DRIVER:-4g}"
mem="${MEM:-4096}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
# local-cluster's executors start from SPARK_HOME/jars: links to the Spark runner's class path.
export SPARK_HOME="$work/spark-home"
export SPARK_SCALA_VERSION="${SPARK_SCALA_VERSION:-2.13}"
mkdir -p "$SPARK_HOME/jars"
classpath="$root/spark/target/scorepipe-spark.jar:$(cat "$root/spark/target/spark-classpath.txt")"
tr ':' '\n' <<< "$(cat "$root/spark/target/spark-classpath.txt")" | while read -r jar; do
  ln -sf "$jar" "$SPARK_HOME/jars/$(basename "$jar")"
done
cat > "$work/scaling.yaml" <<'YAML'
pipeline: {name: checkpoint-scaling, seed: 1, particles: 1000, dimension: 16}
checkpoint: {every: 10, keep: 1}
components:
  data:
    type: gaussian-mixture
    components:
      - {weight: 0.5, mean: [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2], covariance: 1.0}
      - {weight: 0.5, mean: [-2, -2, -2, -2, -2, -2, -2, -2, -2, -2, -2, -2, -2, -2, -2, -2], covariance: 1.0}
  path: {type: ornstein-uhlenbeck}
  score: {type: analytic}
stages:
  - {name: init, type: init, from: gaussian}
  - {name: corrector, type: corrector, time: 1.0, steps: 20, corrector: {type: langevin, step: 0.05}}
YAML
printf '%-10s %-7s %10s %16s %10s %16s  %s\n' particles layout MB checkpoint-ms stage-s driver-heap-MiB load
for n in $sizes; do
  for layout in file shards; do
    out="$work/$n-$layout"
    java --add-modules jdk.incubator.vector -Xmx"$driver" -cp "$classpath" "$here/HeapPeak.java" org.scorepipe.cli.ScorepipeCommand \
      run "$work/scaling.yaml" --out "$out" --runner spark --master "local-cluster[2,1,$mem]" --partitions 4 \
      --conf spark.ui.enabled=false --conf "spark.executor.memory=$((mem - 512))m" --set "pipeline.particles=$n" --set "checkpoint.layout=$layout" --quiet \
      > "$work/$n-$layout.out" 2> "$work/$n-$layout.err" || { cat "$work/$n-$layout.err"; exit 1; }
    ms="$(grep -o "at stage 'corrector' at step 10 written to .* in [0-9.]* ms" "$out/run.log" | grep -o '[0-9.]* ms$' | cut -d' ' -f1)"
    stage="$(grep -o 'stage corrector done in [0-9.]* s' "$out/run.log" | cut -d' ' -f5)"
    peak="$(grep -o 'heap-peak-mib [0-9]*' "$work/$n-$layout.err" | cut -d' ' -f2)"
    printf '%-10s %-7s %10.0f %16s %10s %16s  %s\n' "$n" "$layout" "$(python3 -c "print($n * 16 * 8 / 1e6)")" "$ms" "$stage" "$peak" \
      "$(cut -d' ' -f1-3 /proc/loadavg)"
  done
done
