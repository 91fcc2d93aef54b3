package org.scorepipe.core.sources;

import org.hipparchus.distribution.continuous.ChiSquaredDistribution;
import org.scorepipe.api.Noise;

/**
 * Draws of the standard multivariate Student-t with {@code nu} degrees of freedom as a Gaussian
 * scale mixture (the representation of Kotz &amp; Nadarajah, "Multivariate t distributions", 2004):
 * <pre>
 *   Z = G / sqrt(W / nu),   G ~ N(0, I_d),   W ~ chi^2_nu = 2 Gamma(nu / 2)
 * </pre>
 * {@code W} comes from a fixed number of draws, so a particle's variate is a pure function of its
 * own streams: Marsaglia &amp; Tsang's squeeze method ("A simple method for generating gamma
 * variables", ACM TOMS 2000) for {@code Gamma(a)}, {@code a >= 1}, tries {@link #ATTEMPTS}
 * (normal, uniform) pairs in order and takes the first accepted one; each attempt is accepted
 * with probability above 0.95, so all fail with probability below {@code 0.05^8 = 4e-11}, and
 * then {@code W} is the inverse chi-square CDF of a separate uniform, which keeps the law exact.
 * For {@code a < 1}, {@code Gamma(a) = Gamma(a + 1) U^{1/a}} (Marsaglia &amp; Tsang, section 6)
 * with one more uniform.
 *
 * <p>Draws per variate: {@code d + ATTEMPTS} normals from one stream (the first {@code d} are
 * {@code G}) and {@link #UNIFORMS} uniforms from another. Immutable and thread-safe.
 */
public final class StudentT {
    /** Marsaglia-Tsang attempts made before falling back to the inverse CDF. */
    public static final int ATTEMPTS = 8;
    /** Uniforms per variate: one per attempt, one for the {@code a < 1} boost, one for the fallback. */
    public static final int UNIFORMS = ATTEMPTS + 2;

    private final double degreesOfFreedom;
    /** {@code a' = max(a, a + 1)}, the shape Marsaglia-Tsang runs with; {@code a = nu / 2}. */
    private final double shape;
    private final boolean boosted;
    private final double squeezeD;
    private final double squeezeC;
    private final ChiSquaredDistribution fallback;

    /** The standard Student-t with {@code degreesOfFreedom > 0}. */
    public StudentT(double degreesOfFreedom) {
        if (!(degreesOfFreedom > 0) || Double.isInfinite(degreesOfFreedom)) {
            throw new IllegalArgumentException("degrees of freedom must be a finite number > 0, got " + degreesOfFreedom);
        }
        this.degreesOfFreedom = degreesOfFreedom;
        double a = 0.5 * degreesOfFreedom;
        this.boosted = a < 1.0;
        this.shape = boosted ? a + 1.0 : a;
        this.squeezeD = shape - 1.0 / 3.0;
        this.squeezeC = 1.0 / Math.sqrt(9.0 * squeezeD);
        this.fallback = new ChiSquaredDistribution(degreesOfFreedom);
    }

    public double degreesOfFreedom() {
        return degreesOfFreedom;
    }

    /**
     * {@code sqrt(nu / W)}, the factor that turns {@code G} into {@code Z}, from
     * {@code normals[no .. no + ATTEMPTS)} and {@code uniforms[uo .. uo + UNIFORMS)}.
     */
    public double mixingScale(double[] normals, int no, double[] uniforms, int uo) {
        double gamma = Double.NaN;
        for (int i = 0; i < ATTEMPTS; i++) {
            double x = normals[no + i];
            double v = 1.0 + squeezeC * x;
            if (v <= 0.0) {
                continue;
            }
            v = v * v * v;
            double u = uniforms[uo + i];
            double x2 = x * x;
            // The squeeze accepts most draws without a logarithm; log(0) = -inf accepts too.
            if (u < 1.0 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + squeezeD * (1.0 - v + Math.log(v))) {
                gamma = squeezeD * v;
                break;
            }
        }
        double w;
        if (Double.isNaN(gamma)) {
            // 1 - u lies in (0, 1]; the clamp keeps the inverse CDF finite.
            double p = Math.min(1.0 - uniforms[uo + ATTEMPTS + 1], 1.0 - 0x1.0p-53);
            w = fallback.inverseCumulativeProbability(p);
        } else {
            if (boosted) {
                // 1 - u in (0, 1], so the power is never 0.
                gamma *= Math.pow(1.0 - uniforms[uo + ATTEMPTS], 1.0 / (shape - 1.0));
            }
            w = 2.0 * gamma;
        }
        return Math.sqrt(degreesOfFreedom / w);
    }

    /**
     * Writes one standard multivariate Student-t variate of particle {@code particle} into
     * {@code out[offset .. offset + d)}: {@code d + ATTEMPTS} normals from {@code normalStream},
     * {@code UNIFORMS} uniforms from {@code uniformStream}, through {@code scratch} (at least
     * {@code d + ATTEMPTS + UNIFORMS} long).
     */
    public void sample(Noise noise, long particle, int normalStream, int uniformStream, double[] scratch,
            double[] out, int offset, int d) {
        noise.normals(particle, normalStream, scratch, 0, d + ATTEMPTS);
        noise.uniforms(particle, uniformStream, scratch, d + ATTEMPTS, UNIFORMS);
        double scale = mixingScale(scratch, d, scratch, d + ATTEMPTS);
        for (int j = 0; j < d; j++) {
            out[offset + j] = scale * scratch[j];
        }
    }

    /** Scratch length {@link #sample} needs in {@code d} dimensions. */
    public static int scratchLength(int d) {
        return d + ATTEMPTS + UNIFORMS;
    }
}
