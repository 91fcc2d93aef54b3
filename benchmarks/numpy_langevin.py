#!/usr/bin/env python3
"""Vectorised NumPy twin of scorepipe's `langevin` corrector with the `analytic` score.

One step moves every particle by  x <- x + h s(x, t) + sqrt(2h) xi,  xi ~ N(0, I), where s is the
exact score of a Gaussian mixture pushed along the Ornstein-Uhlenbeck path to t:

    p_t = sum_k w_k N(m_k, C_k),  m_k = a mu_k,  C_k = a^2 Sigma_k + s^2 I,  a = e^-t, s^2 = 1 - e^-2t
    grad log p_t(x) = -sum_k r_k(x) P_k (x - m_k),   P_k = C_k^-1
    r_k(x) = softmax_k(log w_k - log det C_k / 2 - (x - m_k)^T P_k (x - m_k) / 2)   (log-sum-exp)

The target is the one of the JMH benchmarks (BenchmarkTargets.java): K components with weights
1/K, means mu_k[i] = 3 sin(1.7 (k+1) + 0.9 i), variances v_k = 0.5 + 0.25 k, isotropic (v_k I) or
full (v_k rho_k^|i-j|, rho_k = 0.5 (k+1)/(K+1)) covariances, t = 0.5, h = 0.05, n = 100 000.

Per-time quantities (precisions, log-determinants, P_k m_k) are computed once, outside the timing.
Two formulations of the timed step (--formulation):

  whole   whole-array NumPy: a BLAS matmul for X M^T (isotropic) or X [P_1 ... P_K] (full),
          einsum for the quadratic forms and the responsibility-weighted sum, and
          Generator.standard_normal (PCG64, ziggurat) for the noise, each over all n rows.
  gemm    the same algebra in row chunks of --chunk rows that stay in cache, every array
          preallocated (out=): full covariances, one GEMM of the chunk against [P_1 .. P_K | B^T]
          (d x (Kd + K), B = [b_1 .. b_K], b_k = P_k m_k) gives Y_k = P_k x and x.b_k, the logits
          c_k - x.Y_k / 2 + x.b_k (c_k = log w_k - log det C_k / 2 - m_k.b_k / 2; x.Y_k as a batched
          matmul), the score sum_k r_k b_k - sum_k r_k Y_k (one r @ B, one batched matmul);
          isotropic, one GEMM (M / c) X_chunk^T in the component-major layout. Each chunk then draws
          its noise (standard_normal(out=)) and is updated in place while it is in cache.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 benchmarks/numpy_langevin.py [--threads N]

prints one line per grid point and formulation with particle-steps/s (the best and the median of
--repeats timed runs of --steps steps each; the formulations' runs alternate, so a loaded machine
slows them alike), which formulation was faster (by the median), and which BLAS kernel and how many
BLAS threads run. --chunk-sweep times the gemm formulation at chunks of
1024, 2048, 4096 and 8192 rows instead. --workers N runs the gemm step on N Python threads over
row ranges (own buffers and generators, BLAS on 1 thread).
`--emit-yaml D K COV` writes the matching scorepipe pipeline to stdout instead (run-end-to-end.sh
uses it so that both sides sample the same target).
"""
import argparse
import ctypes
import glob
import math
import os
import statistics
import sys
import time

import numpy as np

TIME = 0.5
STEP = 0.05
SEED = 7


def mixture(d, K, full):
    """weights (K,), means (K, d), covariances (K, d, d) of the benchmark target."""
    k = np.arange(K)[:, None]
    i = np.arange(d)[None, :]
    means = 3.0 * np.sin(1.7 * (k + 1) + 0.9 * i)
    variances = 0.5 + 0.25 * np.arange(K)
    lag = np.abs(np.arange(d)[:, None] - np.arange(d)[None, :])
    covs = np.empty((K, d, d))
    for c in range(K):
        rho = 0.5 * (c + 1) / (K + 1)
        covs[c] = variances[c] * (rho ** lag if full else np.eye(d))
    return np.full(K, 1.0 / K), means, variances, covs


class IsotropicScore:
    """Score of sum_k w_k N(m_k, c_k I)."""

    def __init__(self, weights, means, variances, alpha, sigma):
        d = means.shape[1]
        self.m = alpha * means                        # (K, d)
        c = alpha ** 2 * variances + sigma ** 2        # (K,)
        self.inv = 1.0 / c
        self.mm = np.einsum('kd,kd->k', self.m, self.m)
        self.lognorm = np.log(weights) - 0.5 * d * np.log(c) - 0.5 * d * np.log(2 * np.pi)

    def __call__(self, x):
        # Component-major (K, n) layout: the reductions over k are then element-wise over n,
        # which NumPy does far faster than reductions along a short last axis.
        # |x - m_k|^2 / c_k = (|x|^2 - 2 x.m_k + |m_k|^2) / c_k
        xm = self.m @ x.T                              # (K, n), BLAS
        xx = np.einsum('nd,nd->n', x, x)
        inv = self.inv[:, None]
        logits = (self.lognorm - 0.5 * self.mm * self.inv)[:, None] - (0.5 * inv) * xx + inv * xm
        r = softmax_columns(logits) * inv              # r_k / c_k
        # -sum_k r_k (x - m_k) / c_k = (r/c)^T M - (sum_k r_k / c_k) x
        return r.T @ self.m - r.sum(axis=0)[:, None] * x


class FullScore:
    """Score of sum_k w_k N(m_k, C_k) with dense precisions, as one product X [P_1 ... P_K]."""

    def __init__(self, weights, means, covs, alpha, sigma):
        K, d = means.shape
        self.K, self.d = K, d
        self.m = alpha * means
        C = alpha ** 2 * covs + sigma ** 2 * np.eye(d)
        P = np.linalg.inv(C)
        P = 0.5 * (P + P.transpose(0, 2, 1))
        self.Pcat = np.ascontiguousarray(P.transpose(1, 0, 2).reshape(d, K * d))  # [P_1 ... P_K]
        self.b = np.einsum('kij,kj->ki', P, self.m)    # P_k m_k
        self.mb = np.einsum('kd,kd->k', self.m, self.b)
        _, logdet = np.linalg.slogdet(C)
        self.lognorm = np.log(weights) - 0.5 * logdet - 0.5 * d * np.log(2 * np.pi)

    def __call__(self, x):
        n = x.shape[0]
        y = (x @ self.Pcat).reshape(n, self.K, self.d)  # P_k x, BLAS
        # (x - m_k)^T P_k (x - m_k) = x.P_k x - 2 b_k.x + m_k.b_k, b_k = P_k m_k
        quad = np.einsum('nkd,nd->nk', y, x) - 2.0 * (x @ self.b.T) + self.mb
        r = softmax_columns((self.lognorm - 0.5 * quad).T).T
        # -sum_k r_k P_k (x - m_k) = sum_k r_k b_k - sum_k r_k P_k x
        return r @ self.b - np.einsum('nk,nkd->nd', r, y)


class ChunkedFullScore:
    """FullScore's algebra over row chunks: one GEMM X_c [P_1 .. P_K | B^T], preallocated buffers."""

    def __init__(self, weights, means, covs, alpha, sigma, chunk):
        K, d = means.shape
        self.K, self.d, self.chunk = K, d, chunk
        m = alpha * means
        C = alpha ** 2 * covs + sigma ** 2 * np.eye(d)
        P = np.linalg.inv(C)
        P = 0.5 * (P + P.transpose(0, 2, 1))
        self.b = np.einsum('kij,kj->ki', P, m)                       # b_k = P_k m_k, (K, d)
        # [P_1 .. P_K | B^T]: the chunk's product gives Y_k = P_k x (P_k symmetric) and x.b_k at once
        self.Paug = np.ascontiguousarray(np.concatenate([P.transpose(1, 0, 2).reshape(d, K * d), self.b.T], axis=1))
        _, logdet = np.linalg.slogdet(C)
        self.c = np.log(weights) - 0.5 * logdet - 0.5 * np.einsum('kd,kd->k', m, self.b)
        self.y = np.empty((chunk, K * d + K))

    def chunk_score(self, xc, out):
        rows, K, d = xc.shape[0], self.K, self.d
        yy = np.matmul(xc, self.Paug, out=self.y[:rows])
        y = yy[:, :K * d].reshape(rows, K, d)
        quad = np.matmul(y, xc[:, :, None])[:, :, 0]                  # x.P_k x, (rows, K)
        logits = self.c + yy[:, K * d:] - 0.5 * quad
        logits -= logits.max(axis=1, keepdims=True)
        r = np.exp(logits, out=logits)
        r /= r.sum(axis=1, keepdims=True)
        # -sum_k r_k P_k (x - m_k) = sum_k r_k b_k - sum_k r_k Y_k
        np.subtract(r @ self.b, np.matmul(r[:, None, :], y)[:, 0], out=out)
        return out

    def __call__(self, x):
        return chunked(self, x)


class ChunkedIsotropicScore:
    """IsotropicScore's algebra over row chunks: one GEMM (M / c) X_c^T, component-major."""

    def __init__(self, weights, means, variances, alpha, sigma, chunk):
        d = means.shape[1]
        self.chunk = chunk
        self.m = alpha * means
        c = alpha ** 2 * variances + sigma ** 2
        self.inv = 1.0 / c
        self.half_inv = 0.5 * self.inv
        self.mc = self.m * self.inv[:, None]                          # m_k / c_k, (K, d)
        self.lognorm = (np.log(weights) - 0.5 * d * np.log(c)
                        - 0.5 * self.inv * np.einsum('kd,kd->k', self.m, self.m))[:, None]

    def chunk_score(self, xc, out):
        xx = np.einsum('nd,nd->n', xc, xc)
        # log w_k - d log c_k / 2 - |x - m_k|^2 / (2 c_k), (K, rows)
        logits = self.mc @ xc.T
        logits += self.lognorm
        logits -= np.multiply.outer(self.half_inv, xx)
        logits -= logits.max(axis=0)
        r = np.exp(logits, out=logits)
        r *= self.inv[:, None] / r.sum(axis=0)                        # r_k / c_k
        # -sum_k r_k (x - m_k) / c_k = (r/c)^T M - (sum_k r_k / c_k) x
        np.subtract(r.T @ self.m, r.sum(axis=0)[:, None] * xc, out=out)
        return out

    def __call__(self, x):
        return chunked(self, x)


def chunked(score, x):
    """The whole score of x, chunk by chunk (for the checks; the timed step fuses noise and update)."""
    out = np.empty_like(x)
    for start in range(0, x.shape[0], score.chunk):
        score.chunk_score(x[start:start + score.chunk], out[start:start + score.chunk])
    return out


def softmax_columns(logits):
    """Responsibilities from (K, n) logits by log-sum-exp: exp(l - max_k) / sum_k exp(l - max_k)."""
    e = np.exp(logits - logits.max(axis=0))
    e /= e.sum(axis=0)
    return e


def make_score(d, K, full, formulation='whole', chunk=4096):
    weights, means, variances, covs = mixture(d, K, full)
    alpha = math.exp(-TIME)
    sigma = math.sqrt(-math.expm1(-2.0 * TIME))
    if formulation == 'gemm':
        if full:
            return ChunkedFullScore(weights, means, covs, alpha, sigma, chunk)
        return ChunkedIsotropicScore(weights, means, variances, alpha, sigma, chunk)
    if full:
        return FullScore(weights, means, covs, alpha, sigma)
    return IsotropicScore(weights, means, variances, alpha, sigma)


def langevin(x, score, rng, steps):
    noise_scale = math.sqrt(2.0 * STEP)
    for _ in range(steps):
        x += STEP * score(x) + noise_scale * rng.standard_normal(x.shape)
    return x


def langevin_chunked(x, score, rng, steps):
    """The gemm formulation's step: per chunk of rows its score, its noise, its update, in cache."""
    noise_scale = math.sqrt(2.0 * STEP)
    chunk, d = score.chunk, x.shape[1]
    s = np.empty((chunk, d))
    z = np.empty((chunk, d))
    for _ in range(steps):
        for start in range(0, x.shape[0], chunk):
            xc = x[start:start + chunk]
            rows = xc.shape[0]
            sc = score.chunk_score(xc, s[:rows])
            zc = rng.standard_normal(out=z[:rows])
            sc *= STEP
            zc *= noise_scale
            xc += sc
            xc += zc
    return x


class Workers:
    """The gemm step over `count` Python threads: each owns a contiguous range of rows (whole chunks),
    its own score buffers and its own Generator (SeedSequence(SEED).spawn), and runs langevin_chunked
    on it; NumPy releases the GIL inside matmul, the ufuncs and standard_normal(out=), so the ranges
    run in parallel (with BLAS on 1 thread). One barrier per step."""

    def __init__(self, count, n, d, K, full, chunk):
        from concurrent.futures import ThreadPoolExecutor
        per = -(-(-(-n // chunk)) // count) * chunk                    # rows per worker, whole chunks
        self.ranges = [(w * per, min(n, (w + 1) * per)) for w in range(count) if w * per < n]
        self.scores = [make_score(d, K, full, 'gemm', chunk) for _ in self.ranges]
        self.rngs = [np.random.default_rng(ss) for ss in np.random.SeedSequence(SEED).spawn(len(self.ranges))]
        self.pool = ThreadPoolExecutor(len(self.ranges))

    def step(self, x, steps):
        for _ in range(steps):
            jobs = [self.pool.submit(langevin_chunked, x[a:b], sc, rng, 1)
                    for (a, b), sc, rng in zip(self.ranges, self.scores, self.rngs)]
            for job in jobs:
                job.result()
        return x


def check_workers(d, K, full, chunk, count):
    """One threaded step against the same ranges stepped one after the other with the same generators:
    the workers share nothing, so the bits must be equal."""
    n = 2 * count * chunk + 7
    x0 = np.random.default_rng(5).standard_normal((n, d))
    a = Workers(count, n, d, K, full, chunk).step(x0.copy(), 1)
    b = x0.copy()
    ref = Workers(count, n, d, K, full, chunk)
    for (lo, hi), sc, rng in zip(ref.ranges, ref.scores, ref.rngs):
        langevin_chunked(b[lo:hi], sc, rng, 1)
    if not np.array_equal(a, b):
        raise SystemExit(f'threaded gemm step differs from the sequential one at d={d} K={K} full={full}')


def check_score(d, K, full, formulation='whole', chunk=4096):
    """The score against central finite differences of log p_t (guards the benchmark's maths)."""
    weights, means, variances, covs = mixture(d, K, full)
    alpha = math.exp(-TIME)
    sigma = math.sqrt(-math.expm1(-2.0 * TIME))
    C = alpha ** 2 * covs + sigma ** 2 * np.eye(d)
    m = alpha * means
    Pi = np.linalg.inv(C)
    _, logdet = np.linalg.slogdet(C)

    def logp(x):
        z = x - m
        q = np.einsum('ki,kij,kj->k', z, Pi, z)
        l = np.log(weights) - 0.5 * logdet - 0.5 * q
        return l.max() + np.log(np.exp(l - l.max()).sum())

    x = np.random.default_rng(1).standard_normal((3, d))
    s = make_score(d, K, full, formulation, chunk)(x.copy())
    eps = 1e-5
    for r in range(3):
        fd = np.array([(logp(x[r] + eps * e) - logp(x[r] - eps * e)) / (2 * eps) for e in np.eye(d)])
        if not np.allclose(fd, s[r], rtol=1e-5, atol=1e-6):
            raise SystemExit(f'score check failed at d={d} K={K} full={full} ({formulation}): {s[r]} vs {fd}')


def blas_info():
    """(library, kernel, threads) of the BLAS numpy calls, via threadpoolctl or OpenBLAS itself."""
    try:
        import threadpoolctl
        for lib in threadpoolctl.threadpool_info():
            if lib.get('user_api') == 'blas':
                return lib.get('internal_api'), lib.get('architecture'), lib.get('num_threads')
    except ImportError:
        pass
    lib = _openblas()
    if lib is None:
        return 'unknown', 'unknown', None
    core = getattr(lib, 'scipy_openblas_get_corename64_', None) or getattr(lib, 'openblas_get_corename')
    nthreads = getattr(lib, 'scipy_openblas_get_num_threads64_', None) or getattr(lib, 'openblas_get_num_threads')
    core.restype = ctypes.c_char_p
    return 'openblas', core().decode(), nthreads()


def set_blas_threads(n):
    try:
        import threadpoolctl
        threadpoolctl.threadpool_limits(n, user_api='blas')
        return
    except ImportError:
        pass
    lib = _openblas()
    fn = getattr(lib, 'scipy_openblas_set_num_threads64_', None) or getattr(lib, 'openblas_set_num_threads')
    fn(ctypes.c_int(n))


def _openblas():
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), '..', 'numpy.libs', '*openblas*.so*'))
    libs += glob.glob(os.path.join(os.path.dirname(np.__file__), '.libs', '*openblas*.so*'))
    return ctypes.CDLL(libs[0]) if libs else None


def emit_yaml(d, K, cov):
    weights, means, variances, _ = mixture(d, K, cov == 'full')
    out = ['# generated by numpy_langevin.py --emit-yaml %d %d %s: the target of BenchmarkTargets.java' % (d, K, cov),
           'pipeline: {name: langevin-throughput, seed: %d, particles: 100000, dimension: %d}' % (SEED, d),
           'components:', '  data:', '    type: gaussian-mixture', '    components:']
    for k in range(K):
        if cov == 'full':
            rho = 0.5 * (k + 1) / (K + 1)
            c = [variances[k] * rho ** abs(i - j) for i in range(d) for j in range(d)]
        else:
            c = [variances[k]]
        out.append('      - {weight: %r, mean: [%s], covariance: [%s]}' % (
            float(weights[k]), ', '.join(repr(float(v)) for v in means[k]), ', '.join(repr(float(v)) for v in c)))
    out += ['  path: {type: ornstein-uhlenbeck}', '  score: {type: analytic}', 'stages:',
            '  - {name: init, type: init, from: gaussian, time: %r}' % TIME,
            '  - name: langevin', '    type: corrector', '    time: %r' % TIME, '    steps: 20',
            '    corrector: {type: langevin, step: %r}' % STEP]
    print('\n'.join(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--n', type=int, default=100_000)
    ap.add_argument('--d', type=int, nargs='+', default=[2, 16, 64])
    ap.add_argument('--k', type=int, nargs='+', default=[3, 8])
    ap.add_argument('--cov', nargs='+', default=['isotropic', 'full'], choices=['isotropic', 'full'])
    ap.add_argument('--steps', type=int, default=5, help='steps per timed run')
    ap.add_argument('--repeats', type=int, default=5, help='timed runs per grid point (after one warm-up run)')
    ap.add_argument('--threads', type=int, default=None, help='BLAS threads (default: OpenBLAS default)')
    ap.add_argument('--cpu-time', action='store_true',
                    help='divide by the process CPU time (all threads) instead of wall time: steadier on a busy '
                         'machine; with --threads 1 it is the cost on one core')
    ap.add_argument('--formulation', default='both', choices=['whole', 'gemm', 'both'],
                    help='whole-array step, chunked GEMM step, or both (default) and which is faster')
    ap.add_argument('--chunk', type=int, default=2048, help='rows per chunk of the gemm formulation')
    ap.add_argument('--chunk-sweep', action='store_true', help='time the gemm formulation at chunks 1024..8192')
    ap.add_argument('--workers', type=int, default=1,
                    help='gemm: Python threads over row ranges, each with its own generator (BLAS then on 1 thread)')
    ap.add_argument('--emit-yaml', nargs=3, metavar=('D', 'K', 'COV'))
    args = ap.parse_args()
    if args.emit_yaml:
        emit_yaml(int(args.emit_yaml[0]), int(args.emit_yaml[1]), args.emit_yaml[2])
        return
    if args.workers > 1:
        if args.threads not in (None, 1):
            raise SystemExit('--workers runs BLAS on 1 thread: leave --threads out or give 1')
        args.threads = 1
    if args.threads is not None:
        set_blas_threads(args.threads)
    api, kernel, threads = blas_info()
    print(f'numpy {np.__version__}, BLAS {api} kernel {kernel}, {threads} BLAS threads '
          f'(element-wise NumPy is single-threaded); OPENBLAS_CORETYPE={os.environ.get("OPENBLAS_CORETYPE")} '
          f'OPENBLAS_L2_SIZE={os.environ.get("OPENBLAS_L2_SIZE")}; n = {args.n}, {args.steps} steps x {args.repeats} runs; '
          f'{"per CPU-second" if args.cpu_time else "per wall-clock second"}')
    print(f'{"d":>3} {"K":>2} {"cov":>9} {"formulation":>13} {"best":>14} {"median":>14}  particle-steps/s')
    if args.chunk_sweep:
        plans = [('gemm', c) for c in (1024, 2048, 4096, 8192)]
    elif args.formulation == 'both':
        plans = [('whole', None), ('gemm', args.chunk)]
    else:
        plans = [(args.formulation, args.chunk)]
    clock = time.process_time if args.cpu_time else time.perf_counter
    for cov in args.cov:
        for d in args.d:
            for K in args.k:
                full = cov == 'full'
                runs = []
                for formulation, chunk in plans:
                    check_score(min(d, 16), K, full, formulation, chunk or 4096)
                    if formulation == 'gemm':
                        check_score(min(d, 16), K, full, formulation, 2)   # several chunks, a partial one
                        check_step(d, K, full, chunk)
                    score = make_score(d, K, full, formulation, chunk or 4096)
                    step = langevin_chunked if formulation == 'gemm' else langevin
                    rng = np.random.default_rng(SEED)
                    x = rng.standard_normal((args.n, d))
                    label = formulation if chunk is None else f'{formulation}/{chunk}'
                    if formulation == 'gemm' and args.workers > 1:
                        check_workers(min(d, 16), K, full, chunk, args.workers)
                        workers = Workers(args.workers, args.n, d, K, full, chunk)
                        step = lambda x, score, rng, steps, w=workers: w.step(x, steps)  # noqa: E731
                        label += f'x{args.workers}'
                    step(x, score, rng, 1)                # warm-up
                    runs.append((label, step, score, rng, x, []))
                # the formulations' timed runs alternate, so that a loaded machine slows them alike
                for _ in range(args.repeats):
                    for label, step, score, rng, x, rates in runs:
                        start = clock()
                        step(x, score, rng, args.steps)
                        rates.append(args.n * args.steps / (clock() - start))
                medians = []
                for label, step, score, rng, x, rates in runs:
                    if not np.isfinite(x).all():
                        raise SystemExit('diverged')
                    medians.append((statistics.median(rates), label))
                    print(f'{d:>3} {K:>2} {cov:>9} {label:>13} {max(rates):>14.4g} {statistics.median(rates):>14.4g}',
                          flush=True)
                if len(medians) > 1:
                    medians.sort(reverse=True)
                    print(f'{d:>3} {K:>2} {cov:>9}   faster: {medians[0][1]} '
                          f'({medians[0][0] / medians[1][0]:.2f}x {medians[1][1]}, by the median)', flush=True)


def check_step(d, K, full, chunk):
    """One gemm step (chunked score, noise, update) against one whole step from the same x and seed:
    the chunks draw the same normals in the same order, so only the rounding of the score differs."""
    x0 = np.random.default_rng(3).standard_normal((3 * chunk // 2 + 5, d))
    a = langevin(x0.copy(), make_score(d, K, full), np.random.default_rng(11), 1)
    b = langevin_chunked(x0.copy(), make_score(d, K, full, 'gemm', chunk), np.random.default_rng(11), 1)
    if not np.allclose(a, b, rtol=1e-10, atol=1e-12):
        raise SystemExit(f'gemm step differs from the whole step at d={d} K={K} full={full}: '
                         f'max |diff| {np.abs(a - b).max():.3g}')


if __name__ == '__main__':
    sys.exit(main())
