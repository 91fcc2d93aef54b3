package org.scorepipe.core.sources;

import jakarta.inject.Inject;
import java.util.List;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.GaussianMixture.Form;
import org.scorepipe.api.Noise;
import org.scorepipe.api.PipelineSpec;

/**
 * The multivariate Student-t {@code t_nu(mu, Sigma)} in the pipeline's dimension {@code d}: the law
 * of {@code mu + L Z} with {@code L L^T = Sigma} and {@code Z} a standard multivariate Student-t
 * (see {@link StudentT}), density proportional to
 * {@code (1 + (x - mu)^T Sigma^{-1} (x - mu) / nu)^{-(nu + d)/2}}. Its covariance is
 * {@code nu / (nu - 2) Sigma} for {@code nu > 2}; any {@code nu > 0} may be sampled (heavy-tailed
 * targets, {@code nu = 1} is the Cauchy).
 *
 * <p>Row {@code r} (particle {@code i}): {@code d + StudentT.ATTEMPTS} normals from stream 1 and
 * {@code StudentT.UNIFORMS} uniforms from stream 0 of {@code i}. {@code Sigma} is given like a
 * mixture component's covariance: 1 value (a variance, {@code Sigma = v I}), {@code d} values (a
 * diagonal) or {@code d*d} values (a full matrix, row-major). Not a Gaussian mixture, so
 * {@link #gaussianMixture()} is empty; but it is a Gaussian scale mixture,
 * {@code t_nu(mu, Sigma) = N(mu, (nu / V) Sigma)} given {@code V ~ chi^2_nu}
 * ({@link #degreesOfFreedom}, {@link #scaleMixture}), which is how the analytic score
 * ({@link org.scorepipe.core.scores.HeavyTailedMixture}) treats it.
 */
@Component(kind = ComponentKind.DATA_SOURCE, name = "student-t",
        doc = "Multivariate Student-t with df degrees of freedom, a location and a scale matrix (one variance, a diagonal"
                + " or a full row-major matrix).")
public final class StudentTSource implements DataSource {

    /** Parameters, bound from the component's config section. */
    public record Params(
            @Doc("degrees of freedom nu > 0") double df,
            @Doc("the location mu, d values (default: 0)") @Default("") double[] location,
            @Doc("the scale matrix Sigma: 1 value (a variance), d values (a diagonal) or d*d values (a full matrix,"
                    + " row-major)") @Default("1.0") double[] scale) {
        public Params {
            if (!(df > 0) || Double.isInfinite(df)) {
                throw new IllegalArgumentException("df must be a finite number > 0, got " + df);
            }
            location = location == null ? new double[0] : location.clone();
            if (scale == null || scale.length == 0) {
                throw new IllegalArgumentException("scale is empty; give a variance, a diagonal or a full matrix");
            }
            scale = scale.clone();
        }

        @Override
        public double[] location() {
            return location.clone();
        }

        @Override
        public double[] scale() {
            return scale.clone();
        }
    }

    private final int dimension;
    private final StudentT studentT;
    private final double[] location;
    /** SCALAR and DIAGONAL: square roots of the variances; FULL: the lower Cholesky factor, row-major. */
    private final double[] factor;
    private final boolean full;
    /** {@code N(mu, Sigma)}, the Gaussian this Student-t scales. */
    private final GaussianMixture scaleMixture;

    @Inject
    public StudentTSource(Params params, PipelineSpec pipeline) {
        int d = pipeline.dimension();
        this.dimension = d;
        this.studentT = new StudentT(params.df());
        double[] mu = params.location();
        if (mu.length == 0) {
            mu = new double[d];
        } else if (mu.length != d) {
            throw new IllegalArgumentException("dimension mismatch: location has " + mu.length
                    + " values but the pipeline's dimension is " + d);
        }
        this.location = mu;
        double[] scale = params.scale();
        Form form = CovarianceFactor.form("scale", scale.length, d);
        this.full = form == Form.FULL;
        this.scaleMixture = new GaussianMixture(new double[] {1.0},
                List.of(new GaussianMixture.Gaussian(mu, form, scale)));
        if (full) {
            this.factor = CovarianceFactor.lower("scale", scale, d);
        } else {
            // One root per coordinate, so sampling needs no case for a scalar scale.
            double[] roots = CovarianceFactor.roots("scale", scale);
            this.factor = new double[d];
            for (int j = 0; j < d; j++) {
                factor[j] = roots[roots.length == 1 ? 0 : j];
            }
        }
    }

    @Override
    public int dimension() {
        return dimension;
    }

    /** The degrees of freedom {@code nu}. */
    public double degreesOfFreedom() {
        return studentT.degreesOfFreedom();
    }

    /**
     * The one-component mixture {@code N(mu, Sigma)} this Student-t scales: the target is its law
     * with the covariance multiplied by {@code nu / V}, {@code V ~ chi^2_nu}.
     */
    public GaussianMixture scaleMixture() {
        return scaleMixture;
    }

    @Override
    public void sample(Block block, Noise noise) {
        int d = dimension;
        double[] x = block.data();
        int offset = block.offset();
        int z = StudentT.scratchLength(d);
        double[] scratch = block.workspace(this, z + d);
        for (int r = 0; r < block.size(); r++) {
            studentT.sample(noise, block.particleIndex(r), 1, 0, scratch, scratch, z, d);
            int o = offset + r * d;
            if (full) {
                for (int i = 0; i < d; i++) {
                    double v = location[i];
                    int row = i * d;
                    for (int j = 0; j <= i; j++) {
                        v += factor[row + j] * scratch[z + j];
                    }
                    x[o + i] = v;
                }
            } else {
                for (int j = 0; j < d; j++) {
                    x[o + j] = location[j] + factor[j] * scratch[z + j];
                }
            }
        }
    }
}
