/*
 * langevin_step.c: a hand-tuned C kernel of scorepipe's benchmark step (issue 23), to compare the
 * Java LangevinCorrector with the hardware's pace.
 *
 * One Langevin step moves every particle by
 *
 *     x <- x + h s(x) + sqrt(2h) xi,    xi ~ N(0, I),  h = 0.05,
 *
 * where s is the exact score of the benchmark mixture (BenchmarkTargets.java, numpy_langevin.py)
 * pushed along the Ornstein-Uhlenbeck path to t = 0.5:
 *
 *     p_t = sum_k w_k N(m_k, C_k),  w_k = 1/K,  m_k = a mu_k,  C_k = a^2 Sigma_k + s^2 I,
 *     a = e^-t, s^2 = 1 - e^-2t,  mu_k[i] = 3 sin(1.7 (k+1) + 0.9 i),  v_k = 0.5 + 0.25 k,
 *     Sigma_k = v_k I (iso)  or  v_k rho_k^|i-j|, rho_k = 0.5 (k+1)/(K+1) (full);
 *     s(x) = -sum_k r_k(x) P_k (x - m_k) = sum_k r_k b_k - sum_k r_k P_k x,  P_k = C_k^-1, b_k = P_k m_k,
 *     r = softmax_k(l_k),  l_k = c_k - x.P_k x / 2 + x.b_k,  c_k = log w_k - log det C_k / 2 - m_k.b_k / 2
 *
 * (the softmax in log-sum-exp form: exp(l_k - max_k l) / sum). P_k, log det C_k, b_k and c_k are
 * computed once (Cholesky), outside the timing. For isotropic covariances C_k = c_k I and the
 * score needs only x.m_k and |x|^2.
 *
 * Layout. The particles are stored in tiles of TP = 16 particles, coordinate-major inside a tile
 * (x[tile][i][p], "AoSoA"), so every per-particle quantity (logits, softmax, exp, the noise) runs
 * in the lanes of two 8-double AVX-512 vectors with no transposes and no horizontal sums. The full
 * score's product Y_k = P_k X (K d^2 multiply-adds per particle, the dominant cost) is a register
 * tile of 8 outputs x 16 particles (16 accumulators), broadcasting P_k from panels packed once.
 * OpenMP splits the tiles, in blocks of 64 tiles (1024 particles), over OMP_NUM_THREADS threads,
 * dynamically (on a shared machine a descheduled thread would hold a static share back; the
 * numbers do not depend on which thread runs a block).
 *
 * Noise, two variants (--noise):
 *   block   one xoshiro256++ stream (Blackman & Vigna 2018) per block of 128 particles (8 tiles),
 *           its state seeded by splitmix64 from (seed, block index), kept across steps; the block's
 *           words fill its tiles' normals in storage order, tile after tile. The 8 blocks of a
 *           thread's group of 1024 particles run in the 8 lanes of one vector generator, 8 words
 *           each, then an 8 x 8 transpose to the tiles (checked bit for bit against the scalar
 *           streams).
 *   philox  a pure function of (seed, stage, step, particle): one Philox4x64-10 call (Salmon et al.,
 *           SC 2011) per (particle, step) with key (seed, 0) and counter (0, particle, step,
 *           (stage << 32) | stream) -- the counter itself, Random123's convention (Commons RNG's
 *           Philox4x64, which the Java runtime follows, increments it once first) -- whose four
 *           64-bit output words are the state s0..s3 of a xoshiro256++ that then produces that
 *           particle's d words for the step. Eight particles per vector: the 64x64->128-bit
 *           products as four 32x32->64 vpmuludq, xoshiro with vprolq.
 * Normals (--normals), two exact methods:
 *   box-muller (the default)  words (w1, w2) -> u1 = ((w1 >> 11) + 1) 2^-53 in (0, 1], u2 = (w2 >> 11) 2^-53,
 *           z = sqrt(-2 log u1) (cos, sin)(2 pi u2), vectorised: log from glibc's libmvec
 *           (_ZGVeN8v_log, within 4 ulp), cos and sin of 2 pi u2 by an exact reduction to
 *           [-pi/4, pi/4] and Cephes' polynomials (sincos2pi, checked against libm). Coordinates 2m and 2m+1 of a particle take its words 2m and
 *           2m+1; an odd d wastes the last sine. Branch-free, a fixed d words per particle.
 *   ziggurat   256 layers (Marsaglia & Tsang 2000, in Doornik's exact ZIGNOR form), one word per
 *           normal on the fast path (two AVX-512 gathers per 8 words), 1.5% of words to a scalar
 *           slow path (wedge, tail) that draws further words from the same stream after the row's
 *           d words. Slower than box-muller on this machine (AMD EPYC, AVX-512): its gathers and the
 *           slow path's branches cost more than Box-Muller's log and polynomials; kept to show it.
 * Self-checks before any timing (the program exits with status 1 if one fails):
 *   Philox4x64-10 against Random123's known-answer vectors; xoshiro256++ from {1, 2, 3, 4}
 *   against the reference output; sincos2pi against libm (2^20 points, 2e-15); the block
 *   variant's lanes against its scalar streams (bit for bit); the philox->xoshiro chain against reference.py; the score of
 *   every grid point against central finite differences of log p_t (3 particles, |fd - s| <=
 *   1e-6 + 1e-5 |fd|, the NumPy twin's tolerance); for each noise variant and normal method, mean,
 *   variance, E z^4 and the CDF at 8 points of 2^23 normals within 5 standard errors, and (philox)
 *   the same bits for the same (particle, step) twice.
 *
 * Build and run (benchmarks/c/build.sh):
 *   gcc -O3 -march=native -fopenmp -o target/langevin_step langevin_step.c -lmvec -lm
 *   OMP_NUM_THREADS=2 target/langevin_step --noise philox [--normals box-muller|ziggurat] [--steps 3 --runs 5
 *       --min-time 0.05 --d 2,16,64 --k 3,8 --cov iso,full --no-parts]
 * It prints, per grid point, particle-steps/s of the fused step (best and median of --runs timed runs
 * of at least --steps steps and --min-time seconds each), and the medians of each part alone over
 * whole arrays (noise into an n x d array; score into another; the update x += h s + sqrt(2h) xi
 * from both), and 1 / (sum of the parts' 1/rate). --cpu-time divides by the process CPU time of
 * all threads instead of wall time (with OMP_NUM_THREADS=1, the cost on one core), as
 * numpy_langevin.py --cpu-time does; OpenMP's spin-waiting at the ends of loops counts in it.
 */
#include <immintrin.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TP 16              /* particles per tile: two vectors of 8 doubles */
#define GROUP_TILES 64     /* a thread's unit: 64 tiles, 1024 particles */
#define STREAM_TILES 8     /* `block` variant: one stream per 8 tiles (128 particles); a group's 8 streams run in 8 lanes */
#define MAXK 16

typedef __m512d v8d;
typedef __m512i v8u;

/* glibc libmvec, AVX-512 variants */
v8d _ZGVeN8v_exp(v8d);
v8d _ZGVeN8v_log(v8d);
v8d _ZGVeN8v_sin(v8d);
v8d _ZGVeN8v_cos(v8d);

static const double TIME = 0.5, STEP = 0.05;
static const uint64_t SEED = 7;

/* ------------------------------------------------------------------ the mixture */

typedef struct {
    int d, K, full;
    double c[MAXK];        /* c_k = log w_k - log det C_k / 2 - m_k.b_k / 2 (iso: with b_k = m_k / c) */
    double *m;             /* K x d, m_k */
    double *b;             /* K x d, b_k = P_k m_k */
    double *P;             /* K x d x d (full) */
    double inv[MAXK];      /* iso: 1 / (a^2 v_k + s^2) */
    /* full: P_k packed in panels of width w (8, 4, 2, 1) over outputs j: pk[off + i * w + jj] = P_k[j0 + jj][i] */
    int nblk, blk_j0[64], blk_w[64];
    double *pk;            /* K x (d x d) panels */
} Mixture;

/* Cholesky of the SPD n x n matrix a (in place, lower), then its inverse into inv; returns log det. */
static double spd_inverse(const double *a0, double *inv, int n) {
    double *L = calloc((size_t) n * n, sizeof *L);
    double logdet = 0;
    for (int j = 0; j < n; j++) {
        for (int i = j; i < n; i++) {
            double s = a0[i * n + j];
            for (int q = 0; q < j; q++) s -= L[i * n + q] * L[j * n + q];
            if (i == j) {
                if (s <= 0) { fprintf(stderr, "covariance not positive definite\n"); exit(1); }
                L[j * n + j] = sqrt(s);
                logdet += 2 * log(L[j * n + j]);
            } else {
                L[i * n + j] = s / L[j * n + j];
            }
        }
    }
    /* inv = L^-T L^-1, column by column: solve L y = e_c, L^T z = y */
    double *y = malloc(n * sizeof *y);
    for (int c = 0; c < n; c++) {
        for (int i = 0; i < n; i++) {
            double s = (i == c);
            for (int q = 0; q < i; q++) s -= L[i * n + q] * y[q];
            y[i] = s / L[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--) {
            double s = y[i];
            for (int q = i + 1; q < n; q++) s -= L[q * n + i] * inv[q * n + c];
            inv[i * n + c] = s / L[i * n + i];
        }
    }
    for (int i = 0; i < n; i++)          /* symmetrise */
        for (int j = 0; j < i; j++) {
            double v = 0.5 * (inv[i * n + j] + inv[j * n + i]);
            inv[i * n + j] = inv[j * n + i] = v;
        }
    free(y);
    free(L);
    return logdet;
}

/* the Ornstein-Uhlenbeck covariance C_k (d x d) of component k */
static void covariance(int d, int K, int full, int k, double *C) {
    double a = exp(-TIME), s2 = -expm1(-2 * TIME), v = 0.5 + 0.25 * k, rho = 0.5 * (k + 1) / (K + 1);
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++)
            C[i * d + j] = a * a * (full ? v * pow(rho, abs(i - j)) : (i == j ? v : 0.0)) + (i == j ? s2 : 0.0);
}

static void mixture_init(Mixture *mx, int d, int K, int full) {
    memset(mx, 0, sizeof *mx);
    mx->d = d; mx->K = K; mx->full = full;
    double a = exp(-TIME);
    mx->m = malloc(sizeof(double) * K * d);
    mx->b = malloc(sizeof(double) * K * d);
    mx->P = malloc(sizeof(double) * K * d * d);
    double *C = malloc(sizeof(double) * d * d);
    for (int k = 0; k < K; k++) {
        for (int i = 0; i < d; i++) mx->m[k * d + i] = a * 3.0 * sin(1.7 * (k + 1) + 0.9 * i);
        covariance(d, K, full, k, C);
        double logdet = spd_inverse(C, mx->P + (size_t) k * d * d, d);
        double mb = 0;
        for (int i = 0; i < d; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) s += mx->P[(size_t) k * d * d + i * d + j] * mx->m[k * d + j];
            mx->b[k * d + i] = s;
            mb += s * mx->m[k * d + i];
        }
        mx->c[k] = log(1.0 / K) - 0.5 * logdet - 0.5 * mb;
        mx->inv[k] = 1.0 / C[0];
    }
    free(C);
    /* panels of the full product */
    int j0 = 0;
    while (j0 < d) {
        int w = d - j0 >= 8 ? 8 : d - j0 >= 4 ? 4 : d - j0 >= 2 ? 2 : 1;
        mx->blk_j0[mx->nblk] = j0;
        mx->blk_w[mx->nblk++] = w;
        j0 += w;
    }
    mx->pk = aligned_alloc(64, sizeof(double) * ((size_t) K * d * d + 8));
    for (int k = 0; k < K; k++) {
        double *out = mx->pk + (size_t) k * d * d;
        for (int bl = 0; bl < mx->nblk; bl++) {
            int jb = mx->blk_j0[bl], w = mx->blk_w[bl];
            for (int i = 0; i < d; i++)
                for (int jj = 0; jj < w; jj++) *out++ = mx->P[(size_t) k * d * d + (jb + jj) * d + i];
        }
    }
}

static void mixture_free(Mixture *mx) {
    free(mx->m); free(mx->b); free(mx->P); free(mx->pk);
}

/* log p_t(x) of one particle (row-major x), plain scalar code, for the finite-difference check */
static double log_density(const Mixture *mx, const double *x) {
    int d = mx->d, K = mx->K;
    double l[MAXK], mx_l = -INFINITY;
    double *z = malloc(d * sizeof *z);
    for (int k = 0; k < K; k++) {
        for (int i = 0; i < d; i++) z[i] = x[i] - mx->m[k * d + i];
        double q = 0;
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) q += z[i] * mx->P[(size_t) k * d * d + i * d + j] * z[j];
        double mb = 0;
        for (int i = 0; i < d; i++) mb += mx->m[k * d + i] * mx->b[k * d + i];
        /* c_k includes -m.b/2; log N(x; m, C) up to the common constant = c_k + m.b/2 - q/2 */
        l[k] = mx->c[k] + 0.5 * mb - 0.5 * q;
        if (l[k] > mx_l) mx_l = l[k];
    }
    double s = 0;
    for (int k = 0; k < K; k++) s += exp(l[k] - mx_l);
    free(z);
    return mx_l + log(s);
}

/* ------------------------------------------------------------------ the score of one tile */

static inline v8d bcast(double v) { return _mm512_set1_pd(v); }

/* softmax over k in the lanes: l[k][v] -> r[k][v] */
static inline void softmax(int K, v8d l[][2]) {
    for (int v = 0; v < 2; v++) {
        v8d mx = l[0][v];
        for (int k = 1; k < K; k++) mx = _mm512_max_pd(mx, l[k][v]);
        v8d sum = bcast(0);
        for (int k = 0; k < K; k++) {
            l[k][v] = _ZGVeN8v_exp(l[k][v] - mx);
            sum += l[k][v];
        }
        v8d rs = bcast(1.0) / sum;
        for (int k = 0; k < K; k++) l[k][v] *= rs;
    }
}

static void score_iso(const Mixture *mx, const double *restrict x, double *restrict s) {
    int d = mx->d, K = mx->K;
    v8d xx[2] = {bcast(0), bcast(0)}, l[MAXK][2];
    for (int k = 0; k < K; k++) l[k][0] = l[k][1] = bcast(0);
    for (int i = 0; i < d; i++) {
        v8d x0 = _mm512_load_pd(x + i * TP), x1 = _mm512_load_pd(x + i * TP + 8);
        xx[0] += x0 * x0;
        xx[1] += x1 * x1;
        for (int k = 0; k < K; k++) {
            v8d mk = bcast(mx->m[k * d + i]);
            l[k][0] += mk * x0;
            l[k][1] += mk * x1;
        }
    }
    for (int k = 0; k < K; k++)
        for (int v = 0; v < 2; v++)   /* c_k - |x|^2 / (2 c) + x.m_k / c */
            l[k][v] = bcast(mx->c[k]) + bcast(mx->inv[k]) * (l[k][v] - 0.5 * xx[v]);
    softmax(K, l);
    v8d Q[2] = {bcast(0), bcast(0)};
    for (int k = 0; k < K; k++)
        for (int v = 0; v < 2; v++) {
            l[k][v] *= bcast(mx->inv[k]);  /* q_k = r_k / c */
            Q[v] += l[k][v];
        }
    for (int i = 0; i < d; i++)
        for (int v = 0; v < 2; v++) {
            v8d acc = -Q[v] * _mm512_load_pd(x + i * TP + 8 * v);
            for (int k = 0; k < K; k++) acc += l[k][v] * bcast(mx->m[k * d + i]);
            _mm512_store_pd(s + i * TP + 8 * v, acc);
        }
}

/* Y[j][0..16) = sum_i P_k[j][i] x[i][0..16) for j in [j0, j0 + W), from panel p; then the logit
 * contribution x_j (b_kj - y_j / 2). Inlined with W constant: 2W accumulators in registers. */
static inline __attribute__((always_inline)) void panel(const double *restrict p, const double *restrict x,
        int d, int W, int j0, const double *restrict bk, double *restrict y, v8d *l0, v8d *l1) {
    v8d a0[8], a1[8];
    for (int jj = 0; jj < W; jj++) a0[jj] = a1[jj] = bcast(0);
    for (int i = 0; i < d; i++) {
        v8d x0 = _mm512_load_pd(x + i * TP), x1 = _mm512_load_pd(x + i * TP + 8);
        for (int jj = 0; jj < W; jj++) {
            v8d pv = bcast(p[i * W + jj]);
            a0[jj] = _mm512_fmadd_pd(pv, x0, a0[jj]);
            a1[jj] = _mm512_fmadd_pd(pv, x1, a1[jj]);
        }
    }
    for (int jj = 0; jj < W; jj++) {
        int j = j0 + jj;
        _mm512_store_pd(y + j * TP, a0[jj]);
        _mm512_store_pd(y + j * TP + 8, a1[jj]);
        v8d bj = bcast(bk[j]);
        *l0 = _mm512_fmadd_pd(_mm512_load_pd(x + j * TP), bj - 0.5 * a0[jj], *l0);
        *l1 = _mm512_fmadd_pd(_mm512_load_pd(x + j * TP + 8), bj - 0.5 * a1[jj], *l1);
    }
}

/* y: scratch of K x d x TP doubles */
static void score_full(const Mixture *mx, const double *restrict x, double *restrict s, double *restrict y) {
    int d = mx->d, K = mx->K;
    v8d l[MAXK][2];
    for (int k = 0; k < K; k++) {
        const double *p = mx->pk + (size_t) k * d * d;
        const double *bk = mx->b + k * d;
        double *yk = y + (size_t) k * d * TP;
        v8d l0 = bcast(mx->c[k]), l1 = l0;
        for (int bl = 0; bl < mx->nblk; bl++) {
            int w = mx->blk_w[bl], j0 = mx->blk_j0[bl];
            switch (w) {
            case 8: panel(p, x, d, 8, j0, bk, yk, &l0, &l1); break;
            case 4: panel(p, x, d, 4, j0, bk, yk, &l0, &l1); break;
            case 2: panel(p, x, d, 2, j0, bk, yk, &l0, &l1); break;
            default: panel(p, x, d, 1, j0, bk, yk, &l0, &l1); break;
            }
            p += (size_t) d * w;
        }
        l[k][0] = l0;
        l[k][1] = l1;
    }
    softmax(K, l);
    for (int j = 0; j < d; j++)
        for (int v = 0; v < 2; v++) {
            v8d acc = bcast(0);
            for (int k = 0; k < K; k++)
                acc = _mm512_fmadd_pd(l[k][v], bcast(mx->b[k * d + j]) - _mm512_load_pd(y + ((size_t) k * d + j) * TP + 8 * v), acc);
            _mm512_store_pd(s + j * TP + 8 * v, acc);
        }
}

static inline void score_tile(const Mixture *mx, const double *x, double *s, double *y) {
    if (mx->full) score_full(mx, x, s, y);
    else score_iso(mx, x, s);
}

/* ------------------------------------------------------------------ random words and normals */

static inline v8u add(v8u a, v8u b) { return _mm512_add_epi64(a, b); }
static inline v8u xor(v8u a, v8u b) { return _mm512_xor_si512(a, b); }

/* (hi, lo) of a * m, unsigned 64 x 64 -> 128, from four 32 x 32 -> 64 products */
static inline void mulhilo(v8u a, uint64_t m, v8u *hi, v8u *lo) {
    const v8u ml = _mm512_set1_epi64((long long) (m & 0xffffffffu)), mh = _mm512_set1_epi64((long long) (m >> 32));
    const v8u low = _mm512_set1_epi64(0xffffffffLL);
    v8u ah = _mm512_srli_epi64(a, 32);
    v8u ll = _mm512_mul_epu32(a, ml), lh = _mm512_mul_epu32(a, mh);
    v8u hl = _mm512_mul_epu32(ah, ml), hh = _mm512_mul_epu32(ah, mh);
    v8u mid = add(add(_mm512_srli_epi64(ll, 32), _mm512_and_si512(lh, low)), _mm512_and_si512(hl, low));
    *hi = add(add(hh, _mm512_srli_epi64(lh, 32)), add(_mm512_srli_epi64(hl, 32), _mm512_srli_epi64(mid, 32)));
    *lo = _mm512_or_si512(_mm512_slli_epi64(mid, 32), _mm512_and_si512(ll, low));
}

/* Philox4x64-10 of the counter c in eight lanes, key (k0, k1) */
static inline void philox(v8u c[4], uint64_t k0, uint64_t k1) {
    const uint64_t M0 = 0xD2E7470EE14C6C93ULL, M1 = 0xCA5A826395121157ULL;
    const uint64_t W0 = 0x9E3779B97F4A7C15ULL, W1 = 0xBB67AE8584CAA73BULL;
    for (int r = 0; r < 10; r++) {
        v8u hi0, lo0, hi1, lo1;
        mulhilo(c[0], M0, &hi0, &lo0);
        mulhilo(c[2], M1, &hi1, &lo1);
        v8u n0 = xor(xor(hi1, c[1]), _mm512_set1_epi64((long long) k0));
        v8u n2 = xor(xor(hi0, c[3]), _mm512_set1_epi64((long long) k1));
        c[0] = n0; c[1] = lo1; c[2] = n2; c[3] = lo0;
        k0 += W0;
        k1 += W1;
    }
}

/* xoshiro256++ in eight lanes: next word */
static inline v8u xoshiro_next(v8u s[4]) {
    v8u res = add(_mm512_rol_epi64(add(s[0], s[3]), 23), s[0]);
    v8u t = _mm512_slli_epi64(s[1], 17);
    s[2] = xor(s[2], s[0]);
    s[3] = xor(s[3], s[1]);
    s[1] = xor(s[1], s[2]);
    s[0] = xor(s[0], s[3]);
    s[2] = xor(s[2], t);
    s[3] = _mm512_rol_epi64(s[3], 45);
    return res;
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t xoshiro_scalar(uint64_t s[4]) {
    uint64_t res = rotl(s[0] + s[3], 23) + s[0], t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45);
    return res;
}

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* (cos, sin)(2 pi u) for u in [0, 1): u = q / 4 + r exactly (q = nearest integer to 4u), theta =
 * 2 pi r in [-pi/4, pi/4], Cephes' minimax polynomials for sin and cos there (within about 1 ulp),
 * then the quadrant q's swap and signs. Checked against libm in check_generators. */
static inline void sincos2pi(v8d u, v8d *c, v8d *s) {
    static const double S[6] = {1.58962301576546568060E-10, -2.50507477628578072866E-8, 2.75573136213857245213E-6,
                                -1.98412698295895385996E-4, 8.33333333332211858878E-3, -1.66666666666666307295E-1};
    static const double C[6] = {-1.13585365213876817300E-11, 2.08757008419747316778E-9, -2.75573141792967388112E-7,
                                2.48015872888517045348E-5, -1.38888888888730564116E-3, 4.16666666666665929218E-2};
    v8d q = _mm512_roundscale_pd(u * 4.0, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    v8d th = (u - q * 0.25) * 6.283185307179586, z = th * th;
    v8d ps = bcast(S[0]), pc = bcast(C[0]);
    for (int i = 1; i < 6; i++) {
        ps = _mm512_fmadd_pd(ps, z, bcast(S[i]));
        pc = _mm512_fmadd_pd(pc, z, bcast(C[i]));
    }
    v8d sn = _mm512_fmadd_pd(th * z, ps, th);
    v8d cs = _mm512_fmadd_pd(z * z, pc, _mm512_fnmadd_pd(bcast(0.5), z, bcast(1.0)));
    v8u qi = _mm512_and_si512(_mm512_cvtpd_epi64(q), _mm512_set1_epi64(3));
    __mmask8 swap = _mm512_test_epi64_mask(qi, _mm512_set1_epi64(1));
    __mmask8 negc = _mm512_test_epi64_mask(add(qi, _mm512_set1_epi64(1)), _mm512_set1_epi64(2));
    __mmask8 negs = _mm512_test_epi64_mask(qi, _mm512_set1_epi64(2));
    v8d cv = _mm512_mask_blend_pd(swap, cs, sn), sv = _mm512_mask_blend_pd(swap, sn, cs);
    const v8d zero = bcast(0.0);
    *c = _mm512_mask_sub_pd(cv, negc, zero, cv);
    *s = _mm512_mask_sub_pd(sv, negs, zero, sv);
}

/* Box-Muller over a tile's words w[j][p] (j < dw, dw even) into normals z[i][p], i < d */
static inline void box_muller(const uint64_t *restrict w, double *restrict z, int d) {
    const v8d scale = bcast(0x1.0p-53);
    for (int j = 0; j < d; j += 2)
        for (int v = 0; v < 2; v++) {
            v8u w1 = _mm512_load_si512(w + j * TP + 8 * v), w2 = _mm512_load_si512(w + (j + 1) * TP + 8 * v);
            v8d u1 = _mm512_cvtepu64_pd(add(_mm512_srli_epi64(w1, 11), _mm512_set1_epi64(1))) * scale;
            v8d u2 = _mm512_cvtepu64_pd(_mm512_srli_epi64(w2, 11)) * scale;
            v8d r = _mm512_sqrt_pd(bcast(-2.0) * _ZGVeN8v_log(u1)), c, s;
            sincos2pi(u2, &c, &s);
            _mm512_store_pd(z + j * TP + 8 * v, r * c);
            if (j + 1 < d) _mm512_store_pd(z + (j + 1) * TP + 8 * v, r * s);
        }
}

enum { NOISE_BLOCK, NOISE_PHILOX };
enum { NORMALS_ZIGGURAT, NORMALS_BOXMULLER };

typedef struct {
    int kind, normals, d, dw; /* dw: words per particle and step on the fast path (Box-Muller: d rounded up to even) */
    uint64_t seed;
    int stage;
    uint64_t (*block_state)[4]; /* per block, `block` variant */
} Noise;

/* Words of tile t (global tile index) at step `step` into w[dw][TP]; for the philox variant the
 * particles' xoshiro states after those words into lanes[p] (where the ziggurat's slow path goes on). */
static inline void tile_words(Noise *nz, long t, uint64_t step, uint64_t *restrict w, uint64_t lanes[][4]) {
    int dw = nz->dw;
    if (nz->kind == NOISE_PHILOX) {
        for (int v = 0; v < 2; v++) {
            v8u c[4];
            c[0] = _mm512_setzero_si512();
            c[1] = add(_mm512_set1_epi64(t * TP + 8 * v), _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0));
            c[2] = _mm512_set1_epi64((long long) step);
            c[3] = _mm512_set1_epi64((long long) ((uint64_t) nz->stage << 32)); /* stream 0 */
            philox(c, nz->seed, 0);
            for (int j = 0; j < dw; j++) _mm512_store_si512(w + j * TP + 8 * v, xoshiro_next(c));
            if (lanes) {
                uint64_t out[8] __attribute__((aligned(64)));
                for (int q = 0; q < 4; q++) {
                    _mm512_store_si512(out, c[q]);
                    for (int lane = 0; lane < 8; lane++) lanes[8 * v + lane][q] = out[lane];
                }
            }
        }
    } else {
        uint64_t *s = nz->block_state[t / STREAM_TILES];
        uint64_t s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
        for (int q = 0; q < dw * TP; q++) {
            w[q] = rotl(s0 + s3, 23) + s0;
            uint64_t tt = s1 << 17;
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= tt; s3 = rotl(s3, 45);
        }
        s[0] = s0; s[1] = s1; s[2] = s2; s[3] = s3;
    }
}

/* Ziggurat, 256 layers (Marsaglia & Tsang, J. Stat. Softw. 5(8), 2000), in Doornik's exact
 * formulation (ZIGNOR, 2005) with 64-bit words: the layer i is the word's low 8 bits, u in [-1, 1)
 * its top 53 bits (disjoint bits); the normal is u X[i] when |u| < X[i+1] / X[i] (the fast path,
 * about 99% of words, eight lanes with two gathers), else the slow path below: the base layer's
 * tail beyond R (Marsaglia's exponential method), or the wedge test, or a new word. */
#define ZIG_LAYERS 256
static const double ZIG_R = 3.6541528853610088, ZIG_V = 0.00492867323399;
static double ZX[ZIG_LAYERS + 1], ZRATIO[ZIG_LAYERS];

static void ziggurat_tables(void) {
    double f = exp(-0.5 * ZIG_R * ZIG_R);
    ZX[0] = ZIG_V / f;
    ZX[1] = ZIG_R;
    ZX[ZIG_LAYERS] = 0;
    for (int i = 2; i < ZIG_LAYERS; i++) {
        ZX[i] = sqrt(-2 * log(ZIG_V / ZX[i - 1] + f));
        f = exp(-0.5 * ZX[i] * ZX[i]);
    }
    for (int i = 0; i < ZIG_LAYERS; i++) ZRATIO[i] = ZX[i + 1] / ZX[i];
}

static inline double unit_open(uint64_t w) { return ((w >> 11) + 1) * 0x1.0p-53; }  /* (0, 1] */

/* the slow path of a word whose fast path failed; further words from the xoshiro state s */
static double ziggurat_slow(uint64_t w, uint64_t s[4]) {
    for (;;) {
        int i = (int) (w & 0xff);
        double u = (double) (w >> 11) * 0x1.0p-52 - 1.0;
        if (fabs(u) < ZRATIO[i]) return u * ZX[i];
        if (i == 0) {
            double a, b;
            do {
                a = -log(unit_open(xoshiro_scalar(s))) / ZIG_R;
                b = -log(unit_open(xoshiro_scalar(s)));
            } while (b + b < a * a);
            return u < 0 ? -(ZIG_R + a) : ZIG_R + a;
        }
        double x = u * ZX[i];
        double f0 = exp(-0.5 * (ZX[i] * ZX[i] - x * x)), f1 = exp(-0.5 * (ZX[i + 1] * ZX[i + 1] - x * x));
        if (f1 + unit_open(xoshiro_scalar(s)) * (f0 - f1) < 1.0) return x;
        w = xoshiro_scalar(s);
    }
}

static inline void ziggurat(Noise *nz, long t, const uint64_t *restrict w, double *restrict z, uint64_t lanes[][4]) {
    const v8u low8 = _mm512_set1_epi64(0xff);
    const v8d scale = bcast(0x1.0p-52), one = bcast(1.0);
    for (int j = 0; j < nz->d; j++)
        for (int v = 0; v < 2; v++) {
            v8u wv = _mm512_load_si512(w + j * TP + 8 * v);
            v8u layer = _mm512_and_si512(wv, low8);
            v8d u = _mm512_cvtepu64_pd(_mm512_srli_epi64(wv, 11)) * scale - one;
            v8d xl = _mm512_i64gather_pd(layer, ZX, 8), ratio = _mm512_i64gather_pd(layer, ZRATIO, 8);
            __mmask8 fast = _mm512_cmp_pd_mask(_mm512_abs_pd(u), ratio, _CMP_LT_OQ);
            _mm512_store_pd(z + j * TP + 8 * v, u * xl);
            if (fast != 0xff)
                for (int lane = 0; lane < 8; lane++)
                    if (!(fast >> lane & 1)) {
                        int p = 8 * v + lane;
                        uint64_t *s = nz->kind == NOISE_PHILOX ? lanes[p] : nz->block_state[t / STREAM_TILES];
                        z[j * TP + p] = ziggurat_slow(w[j * TP + p], s);
                    }
        }
}

static inline void tile_normals(Noise *nz, long t, uint64_t step, uint64_t *w, double *z) {
    if (nz->normals == NORMALS_BOXMULLER) {
        tile_words(nz, t, step, w, NULL);
        box_muller(w, z, nz->d);
    } else {
        uint64_t lanes[TP][4];
        tile_words(nz, t, step, w, lanes);
        ziggurat(nz, t, w, z, lanes);
    }
}

/* the 8 x 8 transpose of 64-bit words r[row][col]: three rounds swapping one bit of the row index
 * with the same bit of the column index (rows i, i + k for the bit k) */
static inline __attribute__((always_inline)) void transpose_round(v8u *a, v8u *b, v8u ia, v8u ib) {
    v8u x = *a, y = *b;
    *a = _mm512_permutex2var_epi64(x, ia, y);
    *b = _mm512_permutex2var_epi64(x, ib, y);
}

static inline __attribute__((always_inline)) void transpose8(v8u r[8]) {
    /* bit 1: new a[c] = c odd ? b[c-1] : a[c]; new b[c] = c odd ? b[c] : a[c+1]; likewise bits 2, 4 */
    const v8u a1 = _mm512_set_epi64(14, 6, 12, 4, 10, 2, 8, 0), b1 = _mm512_set_epi64(15, 7, 13, 5, 11, 3, 9, 1);
    const v8u a2 = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0), b2 = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
    const v8u a4 = _mm512_set_epi64(11, 10, 9, 8, 3, 2, 1, 0), b4 = _mm512_set_epi64(15, 14, 13, 12, 7, 6, 5, 4);
    transpose_round(&r[0], &r[1], a1, b1); transpose_round(&r[2], &r[3], a1, b1);
    transpose_round(&r[4], &r[5], a1, b1); transpose_round(&r[6], &r[7], a1, b1);
    transpose_round(&r[0], &r[2], a2, b2); transpose_round(&r[1], &r[3], a2, b2);
    transpose_round(&r[4], &r[6], a2, b2); transpose_round(&r[5], &r[7], a2, b2);
    transpose_round(&r[0], &r[4], a4, b4); transpose_round(&r[1], &r[5], a4, b4);
    transpose_round(&r[2], &r[6], a4, b4); transpose_round(&r[3], &r[7], a4, b4);
}

/* Normals of the 8 tiles t = g GROUP_TILES + j STREAM_TILES + q (j = 0..7) into z[j] (NULL: a tile
 * past the ensemble, skipped). philox: tile by tile. block: the 8 tiles belong to the group's 8
 * streams, which run in the 8 lanes of one xoshiro256++ vector (8 words of each, then an 8 x 8
 * transpose to the tiles' storage order); each stream's words are exactly its scalar sequence
 * (check_generators), and a stream's tile q takes its words after tile q - 1's, slow-path words of
 * the ziggurat included. w8: 8 x dw x TP words of scratch, zs: d x TP doubles of scratch. */
static void group_normals(Noise *nz, long g, int q, uint64_t step, uint64_t *restrict w8, double *z[8], double *zs) {
    if (nz->kind == NOISE_PHILOX) {
        for (int j = 0; j < 8; j++)
            if (z[j]) tile_normals(nz, g * GROUP_TILES + j * STREAM_TILES + q, step, w8, z[j]);
        return;
    }
    uint64_t (*st)[4] = nz->block_state + g * (GROUP_TILES / STREAM_TILES);
    v8u sv[4];
    for (int k = 0; k < 4; k++)
        sv[k] = _mm512_set_epi64(st[7][k], st[6][k], st[5][k], st[4][k], st[3][k], st[2][k], st[1][k], st[0][k]);
    const int m = nz->dw * TP;   /* words per tile, a multiple of 8 */
    if (nz->normals == NORMALS_BOXMULLER) {
        /* two coordinates (2 TP words) of the 8 tiles at a time, so that words and normals stay in L1 */
        for (int jj = 0; jj < nz->dw; jj += 2) {
            for (int m0 = 0; m0 < 2 * TP; m0 += 8) {
                v8u r[8];
#pragma GCC unroll 8
                for (int i = 0; i < 8; i++) r[i] = xoshiro_next(sv);
                transpose8(r);
#pragma GCC unroll 8
                for (int j = 0; j < 8; j++) _mm512_store_si512(w8 + j * 2 * TP + m0, r[j]);
            }
            for (int j = 0; j < 8; j++)
                box_muller(w8 + j * 2 * TP, (z[j] ? z[j] : zs) + jj * TP, nz->d - jj < 2 ? nz->d - jj : 2);
        }
        uint64_t out[8] __attribute__((aligned(64)));
        for (int k = 0; k < 4; k++) {
            _mm512_store_si512(out, sv[k]);
            for (int j = 0; j < 8; j++) st[j][k] = out[j];
        }
        return;
    }
    for (int m0 = 0; m0 < m; m0 += 8) {
        v8u r[8];
        for (int i = 0; i < 8; i++) r[i] = xoshiro_next(sv);
        transpose8(r);
        for (int j = 0; j < 8; j++) _mm512_store_si512(w8 + (size_t) j * m + m0, r[j]);
    }
    uint64_t out[8] __attribute__((aligned(64)));
    for (int k = 0; k < 4; k++) {
        _mm512_store_si512(out, sv[k]);
        for (int j = 0; j < 8; j++) st[j][k] = out[j];
    }
    for (int j = 0; j < 8; j++)   /* ziggurat: the slow path draws after the tile's words, so all words first */
        ziggurat(nz, g * GROUP_TILES + j * STREAM_TILES + q, w8 + (size_t) j * m, z[j] ? z[j] : zs, NULL);
}

static int normals_method = NORMALS_BOXMULLER;

static void noise_init(Noise *nz, int kind, int d, long ntiles, int stage) {
    nz->kind = kind; nz->normals = normals_method; nz->d = d; nz->seed = SEED; nz->stage = stage;
    nz->dw = normals_method == NORMALS_BOXMULLER ? (d + 1) & ~1 : d;
    long nblocks = (ntiles + GROUP_TILES - 1) / GROUP_TILES * (GROUP_TILES / STREAM_TILES); /* whole groups */
    nz->block_state = malloc(sizeof(uint64_t[4]) * nblocks);
    for (long b = 0; b < nblocks; b++) {
        uint64_t sm = SEED * 0x100000001B3ULL + ((uint64_t) stage << 40) + (uint64_t) b;
        for (int q = 0; q < 4; q++) nz->block_state[b][q] = splitmix64(&sm);
    }
}

/* ------------------------------------------------------------------ steps and parts */

typedef struct {
    int d;
    long n, ntiles;
    double *x, *xi, *s;    /* ntiles x d x TP */
} Ensemble;

static int cpu_clock = 0;   /* --cpu-time: process CPU time of all threads instead of wall time */

static double now(void) {
    struct timespec ts;
    clock_gettime(cpu_clock ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static void *scratch_alloc(size_t doubles) {
    void *p = aligned_alloc(64, ((doubles * 8 + 63) / 64) * 64);
    if (!p) { fprintf(stderr, "out of memory\n"); exit(1); }
    return p;
}

#define FOR_GROUPS(E) _Pragma("omp for schedule(dynamic, 1)") \
    for (long g = 0; g < ((E)->ntiles + GROUP_TILES - 1) / GROUP_TILES; g++)

#define FOR_TILES(E) FOR_GROUPS(E) \
    for (long t = g * GROUP_TILES; t < (E)->ntiles && t < (g + 1) * GROUP_TILES; t++)

/* the whole step, fused per tile: noise, score, update while the tile is in L1/L2; a group's tiles
 * in the order (q, j) of group_normals */
static void step_fused(const Mixture *mx, Noise *nz, Ensemble *E, uint64_t step) {
    const int d = E->d;
    const double h = STEP, sq = sqrt(2 * STEP);
#pragma omp parallel
    {
        uint64_t *w8 = scratch_alloc((size_t) 8 * nz->dw * TP);
        double *z8 = scratch_alloc((size_t) 8 * d * TP), *s = scratch_alloc((size_t) d * TP);
        double *y = scratch_alloc((size_t) mx->K * d * TP), *zs = scratch_alloc((size_t) d * TP);
        FOR_GROUPS(E) {
            for (int q = 0; q < STREAM_TILES; q++) {
                double *z[8];
                for (int j = 0; j < 8; j++)
                    z[j] = g * GROUP_TILES + j * STREAM_TILES + q < E->ntiles ? z8 + (size_t) j * d * TP : NULL;
                group_normals(nz, g, q, step, w8, z, zs);
                for (int j = 0; j < 8; j++) {
                    if (!z[j]) continue;
                    long t = g * GROUP_TILES + j * STREAM_TILES + q;
                    double *restrict x = E->x + (size_t) t * d * TP, *restrict zj = z[j];
                    score_tile(mx, x, s, y);
#pragma omp simd aligned(x, s, zj : 64)
                    for (int c = 0; c < d * TP; c++) x[c] += h * s[c] + sq * zj[c];
                }
            }
        }
        free(w8); free(z8); free(s); free(y); free(zs);
    }
}

static void part_noise(Noise *nz, Ensemble *E, uint64_t step) {
    const int d = E->d;
#pragma omp parallel
    {
        uint64_t *w8 = scratch_alloc((size_t) 8 * nz->dw * TP);
        double *zs = scratch_alloc((size_t) d * TP);
        FOR_GROUPS(E) {
            for (int q = 0; q < STREAM_TILES; q++) {
                double *z[8];
                for (int j = 0; j < 8; j++) {
                    long t = g * GROUP_TILES + j * STREAM_TILES + q;
                    z[j] = t < E->ntiles ? E->xi + (size_t) t * d * TP : NULL;
                }
                group_normals(nz, g, q, step, w8, z, zs);
            }
        }
        free(w8); free(zs);
    }
}

static void part_score(const Mixture *mx, Ensemble *E) {
    const int d = E->d;
#pragma omp parallel
    {
        double *y = scratch_alloc((size_t) mx->K * d * TP);
        FOR_TILES(E) score_tile(mx, E->x + (size_t) t * d * TP, E->s + (size_t) t * d * TP, y);
        free(y);
    }
}

static void part_update(Ensemble *E) {
    const double h = STEP, sq = sqrt(2 * STEP);
    const long len = E->ntiles * E->d * TP;
    double *restrict x = E->x, *restrict s = E->s, *restrict z = E->xi;
#pragma omp parallel for simd schedule(dynamic, 16384) aligned(x, s, z : 64)
    for (long q = 0; q < len; q++) x[q] += h * s[q] + sq * z[q];
}

/* ------------------------------------------------------------------ self-checks */

static int failures = 0;

static void check(int ok, const char *what) {
    if (!ok) {
        fprintf(stderr, "SELF-CHECK FAILED: %s\n", what);
        failures++;
    }
}

static void check_generators(void) {
    static const uint64_t kat[3][10] = {
        {0, 0, 0, 0, 0, 0, 0x16554d9eca36314cULL, 0xdb20fe9d672d0fdcULL, 0xd7e772cee186176bULL, 0x7e68b68aec7ba23bULL},
        {~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL,
         0x87b092c3013fe90bULL, 0x438c3c67be8d0224ULL, 0x9cc7d7c69cd777b6ULL, 0xa09caebf594f0ba0ULL},
        {0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL, 0xa4093822299f31d0ULL, 0x082efa98ec4e6c89ULL,
         0x452821e638d01377ULL, 0xbe5466cf34e90c6cULL,
         0xa528f45403e61d95ULL, 0x38c72dbd566e9788ULL, 0xa5a1610e72fd18b5ULL, 0x57bd43b5e52b7fe6ULL}};
    uint64_t out[8] __attribute__((aligned(64)));
    for (int v = 0; v < 3; v++) {
        v8u c[4];
        for (int q = 0; q < 4; q++) c[q] = _mm512_set1_epi64((long long) kat[v][q]);
        philox(c, kat[v][4], kat[v][5]);
        for (int q = 0; q < 4; q++) {
            _mm512_store_si512(out, c[q]);
            for (int lane = 0; lane < 8; lane++) check(out[lane] == kat[v][6 + q], "Philox4x64-10 known-answer vector");
        }
    }
    /* xoshiro256++ from {1, 2, 3, 4} (reference.py, a transcription of Blackman & Vigna's C code) */
    static const uint64_t xo[6] = {41943041ULL, 58720359ULL, 3588806011781223ULL, 3591011842654386ULL,
                                   9228616714210784205ULL, 9973669472204895162ULL};
    uint64_t st[4] = {1, 2, 3, 4};
    v8u sv[4];
    for (int q = 0; q < 4; q++) sv[q] = _mm512_set1_epi64(q + 1);
    for (int i = 0; i < 6; i++) {
        check(xoshiro_scalar(st) == xo[i], "xoshiro256++ scalar reference output");
        _mm512_store_si512(out, xoshiro_next(sv));
        for (int lane = 0; lane < 8; lane++) check(out[lane] == xo[i], "xoshiro256++ lanes reference output");
    }
    /* sincos2pi against libm's cos and sin of 2 pi u: the quadrant edges and 2^20 pseudo-random u.
     * Tolerance 2e-15 absolute: libm's own argument 2 pi u is rounded (up to 2 pi 2^-53 = 7e-16 off)
     * and the polynomials are within about 2e-16; a wrong coefficient or quadrant is off by far more. */
    {
        double worst = 0, uu[8] __attribute__((aligned(64))), cc[8] __attribute__((aligned(64))), ss[8] __attribute__((aligned(64)));
        uint64_t gs[4] = {5, 6, 7, 8};
        for (int it = 0; it < (1 << 17) + 2; it++) {
            for (int lane = 0; lane < 8; lane++)
                uu[lane] = it < 2 ? (it * 8 + lane) / 16.0 : (xoshiro_scalar(gs) >> 11) * 0x1.0p-53;
            v8d c8, s8;
            sincos2pi(_mm512_load_pd(uu), &c8, &s8);
            _mm512_store_pd(cc, c8);
            _mm512_store_pd(ss, s8);
            for (int lane = 0; lane < 8; lane++) {
                double a = 6.283185307179586 * uu[lane];
                double e = fmax(fabs(cc[lane] - cos(a)), fabs(ss[lane] - sin(a)));
                if (e > worst) worst = e;
            }
        }
        check(worst < 2e-15, "sincos2pi against libm");
    }
    /* the philox variant's chain (reference.py): seed 7, particle 12345, step 3, stage 1, stream 2 */
    v8u c[4];
    c[0] = _mm512_setzero_si512();
    c[1] = _mm512_set1_epi64(12345);
    c[2] = _mm512_set1_epi64(3);
    c[3] = _mm512_set1_epi64((1LL << 32) | 2);
    philox(c, 7, 0);
    static const uint64_t chain[3] = {0x4595ed5e515899f0ULL, 0x6eb928c97bda11ccULL, 0x266fdc0f30fd44e7ULL};
    for (int i = 0; i < 3; i++) {
        _mm512_store_si512(out, xoshiro_next(c));
        check(out[3] == chain[i], "philox -> xoshiro chain (reference.py)");
    }
}

/* Moments and CDF of many normals of a variant: mean, variance, E z^4, and the fractions below
 * -3, -2, -1, 0, 1, 2, 3 and beyond |z| > 3.7 (the ziggurat's tail, R = 3.654), each within 5 standard
 * errors of N(0, 1)'s (a wrong table, layer, wedge or tail shows up as a several-sigma miss at 2^23
 * draws). The philox variant must also give the same bits for the same (tile, step) twice. */
static void check_normals(int kind, int method) {
    const int d = 16;
    const long ntiles = 1 << 15;       /* 2^15 tiles x 16 particles x 16 coordinates = 2^23 normals */
    static const double cut[7] = {-3, -2, -1, 0, 1, 2, 3};
    int saved = normals_method;
    normals_method = method;
    Noise nz;
    noise_init(&nz, kind, d, ntiles, 3);
    normals_method = saved;
    uint64_t *w = scratch_alloc((size_t) d * TP);
    double *z = scratch_alloc((size_t) d * TP), *z2 = scratch_alloc((size_t) d * TP);
    double s1 = 0, s2 = 0, s4 = 0, below[7] = {0}, tail = 0;
    for (long t = 0; t < ntiles; t++) {
        tile_normals(&nz, t, 5, w, z);
        for (int q = 0; q < d * TP; q++) {
            double v = z[q];
            s1 += v; s2 += v * v; s4 += v * v * v * v;
            for (int c = 0; c < 7; c++) below[c] += v < cut[c];
            tail += fabs(v) > 3.7;
        }
        if (kind == NOISE_PHILOX && t % 1024 == 7) {
            tile_normals(&nz, t, 5, w, z2);
            check(!memcmp(z, z2, sizeof(double) * d * TP), "philox normals are a pure function of (particle, step)");
        }
    }
    double N = (double) ntiles * d * TP, mean = s1 / N, var = s2 / N - mean * mean, m4 = s4 / N;
    /* standard errors: of the mean 1/sqrt(N), of the variance sqrt(2/N), of E z^4 sqrt(96/N), of a fraction sqrt(p(1-p)/N) */
    int ok = fabs(mean) < 5 / sqrt(N) && fabs(var - 1) < 5 * sqrt(2 / N) && fabs(m4 - 3) < 5 * sqrt(96 / N);
    double worst = 0;
    for (int c = 0; c < 8; c++) {
        double pr = c < 7 ? 0.5 * erfc(-cut[c] / sqrt(2)) : erfc(3.7 / sqrt(2)), got = (c < 7 ? below[c] : tail) / N;
        double sigmas = fabs(got - pr) / sqrt(pr * (1 - pr) / N);
        if (sigmas > worst) worst = sigmas;
    }
    ok = ok && worst < 5;
    printf("normals (%s, %s, %.0f draws): mean %+.2e, variance %.5f, E z^4 %.4f, CDF at 8 points within %.2f s.e.  %s\n",
           kind == NOISE_PHILOX ? "philox" : "block", method == NORMALS_BOXMULLER ? "box-muller" : "ziggurat", N,
           mean, var, m4, worst, ok ? "ok" : "FAILED");
    check(ok, "normals' moments and CDF");
    free(w); free(z); free(z2); free(nz.block_state);
}

/* The block variant's lanes (group_normals: 8 streams in one vector, transposed) against each
 * stream's scalar sequence (tile_normals, tiles in order): the same bits, for both normal methods
 * and an odd and an even d (2 groups of 64 tiles). */
static void check_block_lanes(void) {
    for (int method = 0; method < 2; method++)
        for (int d = 5; d <= 6; d++) {
            const long ntiles = 2 * GROUP_TILES;
            int saved = normals_method;
            normals_method = method;
            Noise a, b;
            noise_init(&a, NOISE_BLOCK, d, ntiles, 2);
            noise_init(&b, NOISE_BLOCK, d, ntiles, 2);
            normals_method = saved;
            uint64_t *w = scratch_alloc((size_t) 8 * a.dw * TP);
            double *za = scratch_alloc((size_t) ntiles * d * TP), *zb = scratch_alloc((size_t) ntiles * d * TP);
            double *zs = scratch_alloc((size_t) d * TP);
            for (int step = 0; step < 2; step++) {
                for (long t = 0; t < ntiles; t++) tile_normals(&a, t, step, w, za + (size_t) t * d * TP);
                for (long g = 0; g < 2; g++)
                    for (int q = 0; q < STREAM_TILES; q++) {
                        double *z[8];
                        for (int j = 0; j < 8; j++) z[j] = zb + (size_t) (g * GROUP_TILES + j * STREAM_TILES + q) * d * TP;
                        group_normals(&b, g, q, step, w, z, zs);
                    }
                check(!memcmp(za, zb, sizeof(double) * ntiles * d * TP), "block variant: lanes against the scalar streams");
            }
            free(w); free(za); free(zb); free(zs); free(a.block_state); free(b.block_state);
        }
}

/* the tile score of 3 particles against central finite differences of log p_t */
static void check_score(const Mixture *mx) {
    int d = mx->d;
    double *x = scratch_alloc((size_t) d * TP), *s = scratch_alloc((size_t) d * TP);
    double *y = scratch_alloc((size_t) mx->K * d * TP), *row = malloc(d * sizeof *row);
    uint64_t st[4] = {11, 22, 33, 44};
    for (int q = 0; q < d * TP; q++) x[q] = 2.0 * ((xoshiro_scalar(st) >> 11) * 0x1.0p-53) - 1.0 + 0.5 * (q % 3);
    score_tile(mx, x, s, y);
    const double eps = 1e-5;
    double worst = 0;
    for (int p = 0; p < 3; p++) {
        for (int i = 0; i < d; i++) row[i] = x[i * TP + p];
        for (int i = 0; i < d; i++) {
            double keep = row[i];
            row[i] = keep + eps;
            double up = log_density(mx, row);
            row[i] = keep - eps;
            double down = log_density(mx, row);
            row[i] = keep;
            double fd = (up - down) / (2 * eps), err = fabs(fd - s[i * TP + p]) / (1e-6 + 1e-5 * fabs(fd));
            if (err > worst) worst = err;
        }
    }
    /* the NumPy twin's tolerance: |fd - s| <= 1e-6 + 1e-5 |fd| (worst < 1) */
    char what[96];
    snprintf(what, sizeof what, "score against finite differences, d=%d K=%d %s (worst %.3g)", d, mx->K,
             mx->full ? "full" : "iso", worst);
    check(worst < 1, what);
    free(x); free(s); free(y); free(row);
}

/* --print-score D K iso|full: the score at 3 fixed points x[p][i] = sin(0.3 i + p) + 0.5 p, one
 * row each, for check_against_numpy.py (the same target as numpy_langevin.py's, not only a
 * self-consistent one: finite differences cannot tell a wrong mean or covariance). */
static int print_score(int d, int K, int full) {
    Mixture mx;
    mixture_init(&mx, d, K, full);
    double *x = scratch_alloc((size_t) d * TP), *s = scratch_alloc((size_t) d * TP);
    double *y = scratch_alloc((size_t) K * d * TP);
    for (int p = 0; p < TP; p++)
        for (int i = 0; i < d; i++) x[i * TP + p] = sin(0.3 * i + p) + 0.5 * p;
    score_tile(&mx, x, s, y);
    for (int p = 0; p < 3; p++)
        for (int i = 0; i < d; i++) printf("%.17g%c", s[i * TP + p], i + 1 < d ? ' ' : '\n');
    free(x); free(s); free(y);
    mixture_free(&mx);
    return 0;
}

/* ------------------------------------------------------------------ timing */

static int cmp(const void *a, const void *b) {
    double u = *(const double *) a, v = *(const double *) b;
    return (u > v) - (u < v);
}

typedef struct { double best, median; } Rate;

static Rate summarise(double *r, int runs) {
    qsort(r, runs, sizeof *r, cmp);
    Rate out = {r[runs - 1], runs % 2 ? r[runs / 2] : 0.5 * (r[runs / 2 - 1] + r[runs / 2])};
    return out;
}

static void parse_list(const char *s, int *out, int *count) {
    *count = 0;
    while (*s) {
        out[(*count)++] = atoi(s);
        while (*s && *s != ',') s++;
        if (*s == ',') s++;
    }
}

int main(int argc, char **argv) {
    int kind = NOISE_PHILOX, steps = 3, runs = 5, dims[8] = {2, 16, 64}, nd = 3, ks[8] = {3, 8}, nk = 2;
    int covs[2] = {0, 1}, ncov = 2, parts = 1;
    double min_time = 0.05;   /* a timed run lasts at least this long: more steps for the cheap points */
    long n = 100000;
    for (int a = 1; a < argc; a++) {
        const char *o = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;
        if (!strcmp(o, "--noise") && v) {
            if (!strcmp(v, "philox")) kind = NOISE_PHILOX;
            else if (!strcmp(v, "block")) kind = NOISE_BLOCK;
            else { fprintf(stderr, "--noise: block or philox, not %s\n", v); return 2; }
            a++;
        } else if (!strcmp(o, "--normals") && v) {
            if (!strcmp(v, "ziggurat")) normals_method = NORMALS_ZIGGURAT;
            else if (!strcmp(v, "box-muller")) normals_method = NORMALS_BOXMULLER;
            else { fprintf(stderr, "--normals: ziggurat or box-muller, not %s\n", v); return 2; }
            a++;
        } else if (!strcmp(o, "--n") && v) { n = atol(v); a++; }
        else if (!strcmp(o, "--steps") && v) { steps = atoi(v); a++; }
        else if (!strcmp(o, "--runs") && v) { runs = atoi(v); a++; }
        else if (!strcmp(o, "--d") && v) { parse_list(v, dims, &nd); a++; }
        else if (!strcmp(o, "--k") && v) { parse_list(v, ks, &nk); a++; }
        else if (!strcmp(o, "--min-time") && v) { min_time = atof(v); a++; }
        else if (!strcmp(o, "--no-parts")) parts = 0;
        else if (!strcmp(o, "--cpu-time")) cpu_clock = 1;
        else if (!strcmp(o, "--print-score") && a + 3 < argc) {
            int pd = atoi(argv[a + 1]), pk = atoi(argv[a + 2]);
            if (pd < 1 || pd > 512 || pk < 1 || pk > MAXK) { fprintf(stderr, "--print-score D K iso|full\n"); return 2; }
            return print_score(pd, pk, !strcmp(argv[a + 3], "full"));
        }
        else if (!strcmp(o, "--cov") && v) {
            ncov = 0;
            if (strstr(v, "iso")) covs[ncov++] = 0;
            if (strstr(v, "full")) covs[ncov++] = 1;
            a++;
        } else {
            fprintf(stderr, "usage: %s [--noise block|philox] [--normals ziggurat|box-muller] [--n N] [--steps S] [--runs R] [--d 2,16,64] "
                            "[--k 3,8] [--cov iso,full] [--min-time SECONDS] [--no-parts] [--cpu-time] | --print-score D K iso|full\n", argv[0]);
            return 2;
        }
    }
    for (int i = 0; i < nk; i++)
        if (ks[i] < 1 || ks[i] > MAXK) { fprintf(stderr, "--k: 1..%d\n", MAXK); return 2; }
    for (int i = 0; i < nd; i++)
        if (dims[i] < 1 || dims[i] > 512) { fprintf(stderr, "--d: 1..512\n"); return 2; }
    if (n < 1 || steps < 1 || runs < 1) { fprintf(stderr, "--n, --steps, --runs: positive\n"); return 2; }

    check_generators();
    ziggurat_tables();
    check_block_lanes();
    for (int kd = 0; kd < 2; kd++)
        for (int me = 0; me < 2; me++) check_normals(kd, me);
    for (int c = 0; c < ncov; c++)
        for (int i = 0; i < nd; i++)
            for (int j = 0; j < nk; j++) {
                Mixture mx;
                mixture_init(&mx, dims[i], ks[j], covs[c]);
                check_score(&mx);
                mixture_free(&mx);
            }
    if (failures) { fprintf(stderr, "%d self-check(s) failed: no timing\n", failures); return 1; }
    printf("self-checks passed (Philox KAT, xoshiro256++ reference, score vs finite differences, normals)\n");
    printf("noise %s, normals %s, %d OpenMP threads, n = %ld, %d runs of at least %d steps and %g s each (steps column),"
           " particle-steps per %s (parts: particles; medians)\n",
           kind == NOISE_PHILOX ? "philox" : "block", normals_method == NORMALS_BOXMULLER ? "box-muller" : "ziggurat",
           omp_get_max_threads(), n, runs, steps, min_time,
           cpu_clock ? "CPU-second of all threads (the cost per core: steadier on a busy machine)" : "wall-clock second");
    printf("%-4s %3s %2s %5s %11s %11s %11s %11s %11s %11s\n", "cov", "d", "K", "steps", "step best", "step median",
           "noise", "score", "update", "1/sum parts");
    double *r = malloc(runs * sizeof *r);
    const int steps_asked = steps;
    for (int c = 0; c < ncov; c++)
        for (int i = 0; i < nd; i++)
            for (int j = 0; j < nk; j++) {
                int d = dims[i];
                steps = steps_asked;
                Mixture mx;
                mixture_init(&mx, d, ks[j], covs[c]);
                Ensemble E = {d, n, (n + TP - 1) / TP, NULL, NULL, NULL};
                size_t len = (size_t) E.ntiles * d * TP;
                E.x = scratch_alloc(len);
                E.xi = scratch_alloc(len);
                E.s = scratch_alloc(len);
                Noise init, nz;
                noise_init(&init, NOISE_PHILOX, d, E.ntiles, 0);
                noise_init(&nz, kind, d, E.ntiles, 1);
                part_noise(&init, &E, 0);          /* x ~ N(0, I) */
                memcpy(E.x, E.xi, len * sizeof(double));
                memset(E.s, 0, len * sizeof(double));
                uint64_t k = 0;
                step_fused(&mx, &nz, &E, k++);     /* warm-up (first touch of the scratch) */
                double w0 = now();
                step_fused(&mx, &nz, &E, k++);     /* and the run length */
                int steps_run = steps;
                double one = now() - w0;
                if (one * steps < min_time) steps_run = (int) (min_time / one) + 1;
                steps = steps_run;
                for (int rr = 0; rr < runs; rr++) {
                    double t0 = now();
                    for (int q = 0; q < steps; q++) step_fused(&mx, &nz, &E, k++);
                    r[rr] = (double) n * steps / (now() - t0);
                }
                Rate st = summarise(r, runs), pn = {0, 0}, ps = {0, 0}, pu = {0, 0};
                if (parts) {
                    for (int rr = 0; rr < runs; rr++) {
                        double t0 = now();
                        for (int q = 0; q < steps; q++) part_noise(&nz, &E, k++);
                        r[rr] = (double) n * steps / (now() - t0);
                    }
                    pn = summarise(r, runs);
                    for (int rr = 0; rr < runs; rr++) {
                        double t0 = now();
                        for (int q = 0; q < steps; q++) part_score(&mx, &E);
                        r[rr] = (double) n * steps / (now() - t0);
                    }
                    ps = summarise(r, runs);
                    for (int rr = 0; rr < runs; rr++) {
                        double t0 = now();
                        for (int q = 0; q < steps; q++) part_update(&E);
                        r[rr] = (double) n * steps / (now() - t0);
                    }
                    pu = summarise(r, runs);
                }
                for (size_t q = 0; q < len; q++)
                    if (!isfinite(E.x[q])) { fprintf(stderr, "diverged at d=%d K=%d\n", d, ks[j]); return 1; }
                printf("%-4s %3d %2d %5d %11.4g %11.4g %11.4g %11.4g %11.4g %11.4g\n", covs[c] ? "full" : "iso", d, ks[j], steps,
                       st.best, st.median, pn.median, ps.median, pu.median,
                       parts ? 1.0 / (1.0 / pn.median + 1.0 / ps.median + 1.0 / pu.median) : 0.0);
                fflush(stdout);
                free(E.x); free(E.xi); free(E.s); free(init.block_state); free(nz.block_state);
                mixture_free(&mx);
            }
    free(r);
    return 0;
}
