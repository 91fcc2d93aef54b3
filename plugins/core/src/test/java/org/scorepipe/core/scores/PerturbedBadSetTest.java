package org.scorepipe.core.scores;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.core.paths.OrnsteinUhlenbeckPath;
import org.scorepipe.core.sources.GaussianMixtureSource;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * The bad-set perturbation on a 3-D, two-component mixture (one full covariance) under the OU
 * path: its error lives on a set of p_t-mass delta and has L2(p_t) norm epsilon exactly.
 */
class PerturbedBadSetTest {
    static final int D = 3;
    static final PipelineSpec SPEC = new PipelineSpec("t", 8, 1, D);
    final GaussianMixtureSource data = new GaussianMixtureSource(new GaussianMixtureSource.Params(List.of(
            new GaussianMixtureSource.Part(0.3, new double[] {2.0, 0.0, -1.0}, new double[] {0.5}),
            new GaussianMixtureSource.Part(0.7, new double[] {-1.0, 1.0, 0.0},
                    new double[] {1.0, 0.3, 0.0, 0.3, 0.6, 0.1, 0.0, 0.1, 0.4}))), SPEC);
    final NoisingPath path = new OrnsteinUhlenbeckPath(new OrnsteinUhlenbeckPath.Params());
    /** The zero score: what the wrapper adds is all there is. */
    final ScoreProvider zero = (x, offset, rows, t, out) -> java.util.Arrays.fill(out, 0, rows * D, 0.0);

    PerturbedScore badSet(double epsilon, double mass) {
        return new PerturbedScore(new PerturbedScore.Params(epsilon, PerturbedScore.Mode.BAD_SET, new double[] {1.0, 2.0, -1.0},
                mass), zero, SPEC, Optional.of(data), Optional.of(path));
    }

    /** n exact draws of p_t: X_0 from the mixture, then alpha_t X_0 + sigma_t Z. */
    Particles drawsAt(double t, int n) {
        Particles p = new Particles(n, D);
        data.sample(p.all(), PhiloxNoise.of(3, 0, 0));
        double[] z = new double[n * D];
        PhiloxNoise.of(3, 1, 0).normals(0, 0, z, 0, n * D);
        for (int i = 0; i < n * D; i++) {
            p.data()[i] = path.meanScale(t) * p.data()[i] + path.noiseScale(t) * z[i];
        }
        return p;
    }

    /**
     * Over 400 000 exact draws at three times, the share of points the error touches is delta to
     * within 5 binomial standard errors sqrt(delta (1 - delta) / n) (2.2e-4 at delta = 0.01),
     * and the mean squared error is epsilon^2 times that share / delta, hence within 5 of its own
     * standard errors of epsilon^2; the error's size there is epsilon / sqrt(delta).
     */
    @Test
    void theErrorHasL2NormEpsilonOnASetOfMassDelta() {
        int n = 400_000;
        double epsilon = 0.7;
        for (double mass : new double[] {0.2, 0.01}) {
            PerturbedScore score = badSet(epsilon, mass);
            for (double t : new double[] {0.01, 0.5, 2.0}) {
                Particles x = drawsAt(t, n);
                double[] out = new double[n * D];
                score.score(x.data(), 0, n, t, out);
                long hit = 0;
                double squares = 0.0;
                for (int r = 0; r < n; r++) {
                    double norm2 = 0.0;
                    for (int i = 0; i < D; i++) {
                        norm2 += out[r * D + i] * out[r * D + i];
                    }
                    if (norm2 > 0) {
                        hit++;
                        assertEquals(epsilon * epsilon / mass, norm2, 1e-12 * norm2, "the error's size on the bad set");
                    }
                    squares += norm2;
                }
                double share = (double) hit / n;
                double se = Math.sqrt(mass * (1 - mass) / n);
                assertEquals(mass, share, 5 * se, "mass " + mass + " at t = " + t);
                assertEquals(epsilon * epsilon, squares / n, 5 * se * epsilon * epsilon / mass, "L2 norm^2 at t = " + t);
            }
        }
    }

    @Test
    void massOneIsTheBiasMode() {
        PerturbedScore bias = new PerturbedScore(new PerturbedScore.Params(0.7, PerturbedScore.Mode.BIAS,
                new double[] {1.0, 2.0, -1.0}), zero, SPEC);
        Particles x = drawsAt(0.5, 100);
        double[] a = new double[100 * D];
        double[] b = new double[100 * D];
        bias.score(x.data(), 0, 100, 0.5, a);
        badSet(0.7, 1.0).score(x.data(), 0, 100, 0.5, b);
        assertArrayEquals(a, b);
    }

    @Test
    void itNeedsTheExactLawAndAMassOnlyWhereItMeansSomething() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PerturbedScore(
                new PerturbedScore.Params(0.5, PerturbedScore.Mode.BAD_SET, new double[0], 0.1), zero, SPEC, Optional.empty(),
                Optional.of(path)));
        assertTrue(e.getMessage().contains("data: data, path: path"), e.getMessage());
        DataSource points = new DataSource() {
            @Override
            public int dimension() {
                return D;
            }

            @Override
            public void sample(org.scorepipe.api.Block block, org.scorepipe.api.Noise noise) {
            }
        };
        e = assertThrows(IllegalArgumentException.class, () -> new PerturbedScore(new PerturbedScore.Params(0.5,
                PerturbedScore.Mode.BAD_SET, new double[0], 0.1), zero, SPEC, Optional.of(points), Optional.of(path)));
        assertTrue(e.getMessage().contains("Gaussian-mixture data"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PerturbedScore(new PerturbedScore.Params(0.5,
                PerturbedScore.Mode.BIAS, new double[0], 0.1), zero, SPEC));
        assertTrue(e.getMessage().contains("mass is the bad-set mode's"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PerturbedScore.Params(0.5, PerturbedScore.Mode.BAD_SET,
                new double[0], 0.0));
    }
}
