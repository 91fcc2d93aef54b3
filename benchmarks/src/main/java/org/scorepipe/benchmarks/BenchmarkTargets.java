package org.scorepipe.benchmarks;

import java.util.ArrayList;
import java.util.List;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.core.paths.OrnsteinUhlenbeckPath;
import org.scorepipe.core.scores.AnalyticScore;
import org.scorepipe.core.sources.GaussianMixtureSource;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * The benchmark's target, the same in the JMH benchmarks, {@code numpy_langevin.py} and the
 * end-to-end pipelines: {@code K} components with equal weights {@code 1/K}, means
 * {@code mu_k[i] = 3 sin(1.7 (k + 1) + 0.9 i)}, variances {@code v_k = 0.5 + 0.25 k}, and either
 * isotropic covariances {@code v_k I} or full ones {@code Sigma_k[i][j] = v_k rho_k^|i-j|} with
 * {@code rho_k = 0.5 (k + 1) / (K + 1)} (an AR(1) correlation, positive definite); pushed along the
 * Ornstein-Uhlenbeck path to {@code t = 0.5}, with Langevin step {@code h = 0.05}.
 */
final class BenchmarkTargets {
    static final long SEED = 7;
    static final double TIME = 0.5;
    static final double STEP = 0.05;
    static final int PARTICLES = 100_000;

    private BenchmarkTargets() {
    }

    static double mean(int k, int i) {
        return 3.0 * Math.sin(1.7 * (k + 1) + 0.9 * i);
    }

    static double variance(int k) {
        return 0.5 + 0.25 * k;
    }

    static double correlation(int k, int components) {
        return 0.5 * (k + 1) / (components + 1);
    }

    static GaussianMixtureSource source(int d, int components, boolean full) {
        List<GaussianMixtureSource.Part> parts = new ArrayList<>();
        for (int k = 0; k < components; k++) {
            double[] mean = new double[d];
            for (int i = 0; i < d; i++) {
                mean[i] = mean(k, i);
            }
            double[] covariance;
            if (full) {
                covariance = new double[d * d];
                double rho = correlation(k, components);
                for (int i = 0; i < d; i++) {
                    for (int j = 0; j < d; j++) {
                        covariance[i * d + j] = variance(k) * Math.pow(rho, Math.abs(i - j));
                    }
                }
            } else {
                covariance = new double[] {variance(k)};
            }
            parts.add(new GaussianMixtureSource.Part(1.0 / components, mean, covariance));
        }
        return new GaussianMixtureSource(new GaussianMixtureSource.Params(parts), spec(d));
    }

    static PipelineSpec spec(int d) {
        return new PipelineSpec("langevin-throughput", SEED, PARTICLES, d);
    }

    static AnalyticScore score(int d, int components, boolean full) {
        return new AnalyticScore(new AnalyticScore.Params(), source(d, components, full),
                new OrnsteinUhlenbeckPath(new OrnsteinUhlenbeckPath.Params()));
    }

    /** {@code n} particles drawn from N(0, I), as the {@code init} stage's {@code from: gaussian}. */
    static Particles gaussianParticles(int n, int d) {
        Particles particles = new Particles(n, d);
        PhiloxNoise noise = PhiloxNoise.of(SEED, 0, 0);
        double[] x = particles.data();
        for (int r = 0; r < n; r++) {
            noise.normals(r, 0, x, r * d, d);
        }
        particles.setTime(TIME);
        return particles;
    }
}
