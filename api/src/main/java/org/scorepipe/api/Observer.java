package org.scorepipe.api;

/**
 * Reads the ensemble at a point of a run's schedule and reports what it sees, through the
 * {@link Observation}'s outputs. An observer never moves a particle and draws no noise that a
 * particle receives, so adding, removing or moving one never changes a byte of the samples.
 *
 * <p>Observers are attached to points of the schedule: an {@code evaluate} or {@code save}
 * entry in a pipeline's {@code stages:} list observes the ensemble between the stages around it,
 * and a stage's {@code every: N} curve observes it every N steps of that stage. The runner
 * decides how an observer is fed: the particles gathered on one machine ({@link #observe}),
 * additive statistics computed where the particles live ({@link MergeableObserver}), or nothing
 * but the right to have the runner write them where they live ({@link #readsParticles()}).
 */
public interface Observer {
    /**
     * Observes the ensemble. The particles may be the runner's own working copy: read them, never
     * write them. If {@link #readsParticles()} is false they are an empty ensemble of the right
     * dimension and time.
     */
    void observe(Particles particles, Observation at);

    /**
     * Whether {@link #observe} reads the particles' coordinates. An observer that only asks the
     * outputs to write the ensemble where it lives ({@link RunOutputs#saveDataset}) says false, so
     * that a distributed runner never brings the particles to one machine for it.
     */
    default boolean readsParticles() {
        return true;
    }

    /**
     * The cap {@code c} if this observer reads only the evenly spaced subsample of the ensemble,
     * rows {@code floor(i n / m)} for {@code m = min(n, c)}, as {@link Evaluator#subsample} says:
     * a runner may feed it those rows alone. Empty (the default): it reads every particle.
     */
    default java.util.OptionalInt subsample() {
        return java.util.OptionalInt.empty();
    }

    /**
     * The dataset format this observer asks the outputs to write ({@link RunOutputs#saveDataset}),
     * if it does: how a pipeline is refused before it runs on a runner that writes no such dataset.
     */
    default java.util.Optional<String> datasetFormat() {
        return java.util.Optional.empty();
    }
}
