#!/usr/bin/env python3
"""The C kernel's score against numpy_langevin.py's at 3 fixed points, for every grid point.

The C program checks its score against finite differences of its own log p_t; this checks that its
mixture is the benchmark's (means, variances, correlations, the Ornstein-Uhlenbeck map to t = 0.5):

    benchmarks/c/build.sh && python3 benchmarks/c/check_against_numpy.py

Exits non-zero if any entry differs by more than 1e-9 (1 + |s|) (both are double precision; their
sums run in different orders, so they agree to rounding: at most 1.2e-14 when written).
"""
import os
import subprocess
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy_langevin as nl  # noqa: E402

binary = os.path.join(here, 'target', 'langevin_step')
worst = 0.0
for cov in ('iso', 'full'):
    for d in (2, 16, 64):
        for K in (3, 8):
            out = subprocess.run([binary, '--print-score', str(d), str(K), cov], check=True,
                                 capture_output=True, text=True).stdout
            c = np.array([[float(v) for v in line.split()] for line in out.strip().splitlines()])
            x = np.array([[np.sin(0.3 * i + p) + 0.5 * p for i in range(d)] for p in range(3)])
            ref = nl.make_score(d, K, cov == 'full')(x.copy())
            err = np.max(np.abs(c - ref) / (1 + np.abs(ref)))
            worst = max(worst, err)
            print(f'{cov:>4} d={d:<2} K={K}: max |C - NumPy| / (1 + |NumPy|) = {err:.2e}')
            if not err < 1e-9:
                raise SystemExit(f'C score differs from numpy_langevin.py at {cov} d={d} K={K}')
print(f'ok: the C score matches numpy_langevin.py at all 12 grid points (worst {worst:.2e})')
