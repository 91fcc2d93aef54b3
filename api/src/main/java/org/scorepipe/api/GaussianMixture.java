package org.scorepipe.api;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A mixture {@code sum_k w_k N(mu_k, Sigma_k)} in {@code d} dimensions. Immutable; checked
 * for shape only (a data source checks weights and positive definiteness when it is built).
 *
 * @param weights the mixture weights {@code w_k}
 * @param components the components, one per weight
 */
public record GaussianMixture(double[] weights, List<Gaussian> components) {

    public GaussianMixture {
        weights = requireNonNull(weights, "weights is null").clone();
        components = List.copyOf(requireNonNull(components, "components is null"));
        if (weights.length != components.size() || weights.length == 0) {
            throw new IllegalArgumentException("need one weight per component, got " + weights.length
                    + " weights and " + components.size() + " components");
        }
        int d = components.get(0).dimension();
        for (Gaussian g : components) {
            if (g.dimension() != d) {
                throw new IllegalArgumentException("components differ in dimension: " + d + " and " + g.dimension());
            }
        }
    }

    @Override
    public double[] weights() {
        return weights.clone();
    }

    public int size() {
        return weights.length;
    }

    public int dimension() {
        return components.get(0).dimension();
    }

    /** How a component's covariance is written: one variance, a diagonal, or a full matrix. */
    public enum Form {
        SCALAR, DIAGONAL, FULL
    }

    /**
     * One component {@code N(mean, covariance)}.
     *
     * @param mean the mean, length {@code d}
     * @param form how {@code covariance} is to be read
     * @param covariance one variance ({@code SCALAR}), {@code d} variances ({@code DIAGONAL}),
     *     or the {@code d x d} matrix row-major ({@code FULL})
     */
    public record Gaussian(double[] mean, Form form, double[] covariance) {
        public Gaussian {
            mean = requireNonNull(mean, "mean is null").clone();
            requireNonNull(form, "form is null");
            covariance = requireNonNull(covariance, "covariance is null").clone();
            int d = mean.length;
            int expected = switch (form) {
                case SCALAR -> 1;
                case DIAGONAL -> d;
                case FULL -> d * d;
            };
            if (covariance.length != expected) {
                throw new IllegalArgumentException(form + " covariance in " + d + " dimensions needs "
                        + expected + " values, got " + covariance.length);
            }
        }

        @Override
        public double[] mean() {
            return mean.clone();
        }

        @Override
        public double[] covariance() {
            return covariance.clone();
        }

        public int dimension() {
            return mean.length;
        }

        /** Entry {@code (i, j)} of the covariance matrix, whatever its form. */
        public double covariance(int i, int j) {
            return switch (form) {
                case SCALAR -> i == j ? covariance[0] : 0.0;
                case DIAGONAL -> i == j ? covariance[i] : 0.0;
                case FULL -> covariance[i * mean.length + j];
            };
        }
    }
}
