#!/bin/sh
# Builds the C Langevin kernel: benchmarks/c/target/langevin_step (not committed).
#   benchmarks/c/build.sh && benchmarks/c/target/langevin_step --help
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/target"
gcc -O3 -march=native -fopenmp -Wall -Wextra -o "$here/target/langevin_step" "$here/langevin_step.c" -lmvec -lm
echo "built $here/target/langevin_step"
