package org.scorepipe.core.correctors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.scorepipe.api.Particles;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.core.stages.CorrectorStage;
import org.scorepipe.runtime.noise.PhiloxNoise;

/** Song et al.'s ensemble signal-to-noise rule on N(0, s^2 I), whose score is -x / s^2. */
class LangevinEnsembleRuleTest {
    static final double S2 = 0.7;
    static final ScoreProvider SCORE = (x, offset, rows, t, out) -> {
        int d = 10;
        for (int c = 0; c < rows * d; c++) {
            out[c] = -x[offset + c] / S2;
        }
    };

    static Particles exact(int n, int d, long seed) {
        Particles p = new Particles(n, d);
        PhiloxNoise.of(seed, 0, 0).normals(0, 0, p.data(), 0, n * d);
        for (int i = 0; i < n * d; i++) {
            p.data()[i] *= Math.sqrt(S2);
        }
        return p;
    }

    /**
     * One inner step against the rule computed here from its definition: every particle's score
     * and noise (row by row, the noise's own numbers), the means of their norms, one h, every move.
     */
    @Test
    void oneStepIsTheRuleWithTheEnsembleMeans() {
        int n = 300;
        int d = 10;
        double snr = 0.16;
        Particles p = exact(n, d, 3);
        double[] x0 = p.data().clone();
        new LangevinCorrector(LangevinCorrector.Params.ensembleSignalToNoise(snr, 1), SCORE).correct(p.all(), 0.0,
                PhiloxNoise.of(9, 1, 4));
        double[] xi = new double[n * d];
        PhiloxNoise noise = PhiloxNoise.of(9, 1, 4);
        double scoreNorms = 0;
        double noiseNorms = 0;
        for (int r = 0; r < n; r++) {
            noise.normals(r, 0, xi, r * d, d);
            double s2 = 0;
            double z2 = 0;
            for (int i = 0; i < d; i++) {
                double s = -x0[r * d + i] / S2;
                s2 += s * s;
                z2 += xi[r * d + i] * xi[r * d + i];
            }
            scoreNorms += Math.sqrt(s2) / n;
            noiseNorms += Math.sqrt(z2) / n;
        }
        double h = 2 * Math.pow(snr * noiseNorms / scoreNorms, 2);
        for (int c = 0; c < n * d; c++) {
            double expected = x0[c] + h * (-x0[c] / S2) + Math.sqrt(2 * h) * xi[c];
            assertEquals(expected, p.data()[c], 1e-13, "coordinate " + c);
        }
    }

    /**
     * From exact draws, 40 inner steps of the rule keep N(0, s^2 I) up to ULA's bias: with the step
     * h = 2 r^2 (E|xi| / E|s|)^2 = 2 r^2 s^2 (h = 0.036 here, varying by well under 1% between steps at
     * n d = 40 000) the AR(1) chain's stationary variance is s^2 / (1 - h / (2 s^2)) = s^2 / (1 - r^2).
     * The sample variance of 40 000 coordinates has a standard error of sqrt(2 / 40 000) = 0.7% of it:
     * within 4 of those of the biased value.
     */
    @Test
    void keepsTheGaussianUpToTheDiscretisationBias() {
        int n = 4000;
        int d = 10;
        double snr = 0.16;
        Particles p = exact(n, d, 5);
        LangevinCorrector corrector = new LangevinCorrector(LangevinCorrector.Params.ensembleSignalToNoise(snr, 40), SCORE);
        corrector.correct(p.all(), 0.0, PhiloxNoise.of(11, 1, 0));
        double sum2 = 0;
        for (double v : p.data()) {
            sum2 += v * v;
        }
        double variance = sum2 / (n * d);
        double biased = S2 / (1 - snr * snr);
        assertEquals(biased, variance, 4 * Math.sqrt(2.0 / (n * d)) * biased, "variance after 40 steps");
    }

    @Test
    void itAsksForTheWholeEnsembleAndRefusesAPart() {
        LangevinCorrector ensemble = new LangevinCorrector(LangevinCorrector.Params.ensembleSignalToNoise(0.1, 1), SCORE);
        LangevinCorrector particle = new LangevinCorrector(LangevinCorrector.Params.signalToNoise(0.1, 1), SCORE);
        assertTrue(ensemble.wholeEnsemble());
        assertFalse(particle.wholeEnsemble());
        assertTrue(new CorrectorStage(new CorrectorStage.Params(0.0, 3), ensemble).wholeEnsemble());
        assertFalse(new CorrectorStage(new CorrectorStage.Params(0.0, 3), particle).wholeEnsemble());
        Particles p = exact(20, 10, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ensemble.correct(p.block(0, 10), 0.0, PhiloxNoise.of(1, 1, 0)));
        assertTrue(e.getMessage().contains("whole ensemble in one block"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LangevinCorrector.Params(0.0, 1, 0.0,
                LangevinCorrector.SnrRule.ENSEMBLE));
    }
}
