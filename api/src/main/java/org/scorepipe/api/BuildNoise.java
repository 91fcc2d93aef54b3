package org.scorepipe.api;

/**
 * The run's noise for what a component fixes once, when it is built, where no step's
 * {@link Noise} exists: a data source's random transforms of its dataset (the image source's
 * flips), drawn per data row. Injectable into any component.
 *
 * <p>{@code forDomain(domain)} is a {@link Noise} whose numbers for "particle" {@code i} (a data
 * row, not a particle of the ensemble) and stream {@code j} are a pure function of
 * {@code (seed, domain, i, j)}: the run's Philox4x64 keyed by the pipeline's seed, at a counter
 * no stage step ever uses. So a dataset built from it is the same in every run with that seed,
 * on every thread and Spark executor, and independent of the stages' noise. The {@code domain}
 * keeps uses apart; pick a constant of your own (e.g. eight ASCII letters as a {@code long}).
 */
public interface BuildNoise {
    /** The noise of {@code domain}; one thread at a time, as every {@link Noise}. */
    Noise forDomain(long domain);
}
