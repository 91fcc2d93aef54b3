package org.scorepipe.djl;

import static java.util.Objects.requireNonNull;

/**
 * The exact noise prediction for Gaussian data, the base a network with {@code skip: gaussian}
 * learns the residual of. For data {@code X_0 ~ N(mu, Sigma)} and {@code X_t = alpha_t X_0 + sigma_t Z},
 * {@code X_t ~ N(alpha_t mu, Sigma_t)} with {@code Sigma_t = alpha_t^2 Sigma + sigma_t^2 I}, and
 * <pre>
 *   E[Z | X_t = x] = sigma_t Sigma_t^{-1} (x - alpha_t mu) = sigma_t V diag(1 / (alpha_t^2 lambda_i + sigma_t^2)) V^T (x - alpha_t mu)
 * </pre>
 * with {@code Sigma = V diag(lambda) V^T}. With {@code mu, Sigma} the data's mean and covariance
 * this is the score of the best Gaussian fit of the data (Wang &amp; Vastola 2024, "The unreasonable
 * effectiveness of Gaussian score approximation for diffusion models", arXiv 2311.10892); it is the
 * full-covariance form of the skip connection of Karras et al. 2022 (EDM, {@code c_skip}), which
 * holds one scalar {@code sigma_data}. A network predicting {@code eps = eps_G(x, t) + F(x, t)} need
 * only learn the departure of the data from that Gaussian: in high dimension the near-linear bulk of
 * {@code eps} (all of it along directions where the data are Gaussian) is then exact, not fitted.
 *
 * <p>The eigen-decomposition is computed once, by the cyclic Jacobi method (Golub &amp; Van Loan,
 * "Matrix computations", 4th ed., Alg. 8.5.3) with a fixed order of rotations, so the same
 * covariance gives the same bits on every JVM.
 */
public final class GaussianSkip {
    private final int d;
    private final double[] mean;
    private final double[] covariance;
    private final double[] lambda;
    /** Eigenvectors as rows: {@code vt[i*d + j] = V_ji}. */
    private final double[] vt;
    /** The same, one array per eigenvector: {@code vtRows[i][j] = V_ji}. */
    private final double[][] vtRows;
    /** The rows of V: {@code vRows[j][i] = V_ji}. */
    private final double[][] vRows;

    /**
     * @param mean mu, d numbers
     * @param covariance Sigma, d x d row-major, symmetric positive semi-definite
     */
    public GaussianSkip(double[] mean, double[] covariance) {
        requireNonNull(mean, "mean is null");
        requireNonNull(covariance, "covariance is null");
        this.d = mean.length;
        if (d < 1 || covariance.length != d * d) {
            throw new IllegalArgumentException("a Gaussian skip of dimension " + d + " needs a " + d + " x " + d
                    + " covariance, got " + covariance.length + " numbers");
        }
        this.mean = mean.clone();
        this.covariance = covariance.clone();
        this.lambda = new double[d];
        this.vt = new double[d * d];
        jacobi(this.covariance, d, lambda, vt);
        for (int i = 0; i < d; i++) {
            // A sampled covariance can come out a hair indefinite; Sigma_t stays positive as long as sigma_t > 0.
            lambda[i] = Math.max(lambda[i], 0.0);
        }
        this.vtRows = new double[d][d];
        this.vRows = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                vtRows[i][j] = vt[i * d + j];
                vRows[j][i] = vt[i * d + j];
            }
        }
    }

    /** The mean and covariance of {@code n} samples {@code x[r*d ..]} (the covariance divides by {@code n - 1}). */
    public static GaussianSkip estimate(double[] x, int n, int d) {
        if (n < 2) {
            throw new IllegalArgumentException("need at least two samples to estimate a covariance, got " + n);
        }
        double[] mu = new double[d];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < d; j++) {
                mu[j] += x[r * d + j];
            }
        }
        for (int j = 0; j < d; j++) {
            mu[j] /= n;
        }
        double[] c = new double[d * d];
        double[] y = new double[d];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < d; j++) {
                y[j] = x[r * d + j] - mu[j];
            }
            for (int i = 0; i < d; i++) {
                double yi = y[i];
                for (int j = i; j < d; j++) {
                    c[i * d + j] += yi * y[j];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                double v = c[i * d + j] / (n - 1);
                c[i * d + j] = v;
                c[j * d + i] = v;
            }
        }
        return new GaussianSkip(mu, c);
    }

    public int dimension() {
        return d;
    }

    /** mu (a copy). */
    public double[] mean() {
        return mean.clone();
    }

    /** Sigma, row-major (a copy). */
    public double[] covariance() {
        return covariance.clone();
    }

    /** Sigma's eigenvalues (a copy), clipped at 0. */
    public double[] eigenvalues() {
        return lambda.clone();
    }

    /**
     * {@code out[outOffset + r*d ..] = sigma Sigma_t^{-1} (x_r - alpha mu)} for {@code rows} points
     * {@code x[offset + r*d ..]} at one time; {@code sigma > 0}.
     */
    public void epsilon(double[] x, int offset, int rows, double alpha, double sigma, double[] out, int outOffset) {
        double[] scale = new double[d];
        for (int i = 0; i < d; i++) {
            scale[i] = sigma / (alpha * alpha * lambda[i] + sigma * sigma);
        }
        double[] p = new double[d];
        double[] o = new double[d];
        // Both products as sums of scaled rows (axpy), each array indexed by the loop variable alone, the form
        // C2 vectorises (DESIGN.md, "Vectorisation on JDK 17").
        for (int r = 0; r < rows; r++) {
            int xo = offset + r * d;
            // p = diag(scale) V^T y = diag(scale) sum_j y_j (row j of V), y = x - alpha mu
            java.util.Arrays.fill(p, 0.0);
            for (int j = 0; j < d; j++) {
                double yj = x[xo + j] - alpha * mean[j];
                double[] row = vRows[j];
                for (int i = 0; i < d; i++) {
                    p[i] += yj * row[i];
                }
            }
            // out = V p = sum_i p_i v_i
            java.util.Arrays.fill(o, 0.0);
            for (int i = 0; i < d; i++) {
                double pi = p[i] * scale[i];
                double[] v = vtRows[i];
                for (int j = 0; j < d; j++) {
                    o[j] += pi * v[j];
                }
            }
            System.arraycopy(o, 0, out, outOffset + r * d, d);
        }
    }

    /**
     * Cyclic Jacobi: rotates {@code a} (copied) to diagonal, {@code a = V diag(lambda) V^T}; writes
     * the eigenvalues into {@code lambda} and the eigenvectors as the rows of {@code vt}.
     */
    static void jacobi(double[] matrix, int n, double[] lambda, double[] vt) {
        double[] a = matrix.clone();
        java.util.Arrays.fill(vt, 0.0);
        for (int i = 0; i < n; i++) {
            vt[i * n + i] = 1.0;
        }
        double total = 0;
        for (double v : a) {
            total += v * v;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += a[p * n + q] * a[p * n + q];
                }
            }
            if (off <= 1e-30 * total) {
                break;
            }
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = a[p * n + q];
                    if (apq == 0.0) {
                        continue;
                    }
                    // Golub & Van Loan's symmetric Schur 2x2: c, s with the rotation zeroing a_pq.
                    double tau = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                    double t = Math.signum(tau) == 0 ? 1.0 : Math.signum(tau) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
                    double c = 1 / Math.sqrt(1 + t * t);
                    double s = t * c;
                    for (int k = 0; k < n; k++) {
                        double akp = a[k * n + p];
                        double akq = a[k * n + q];
                        a[k * n + p] = c * akp - s * akq;
                        a[k * n + q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        double apk = a[p * n + k];
                        double aqk = a[q * n + k];
                        a[p * n + k] = c * apk - s * aqk;
                        a[q * n + k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++) {
                        double vp = vt[p * n + k];
                        double vq = vt[q * n + k];
                        vt[p * n + k] = c * vp - s * vq;
                        vt[q * n + k] = s * vp + c * vq;
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            lambda[i] = a[i * n + i];
        }
    }
}
