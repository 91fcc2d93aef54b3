package org.scorepipe.api;

/**
 * A component that remembers something per particle from one step to the next, such as a
 * multistep solver's last denoised estimate of each particle. The memory is not the component's:
 * it is a row of {@link #rowWidth} doubles per particle that lives with the particles
 * ({@link Particles#rowState}, reached through {@link Block#rowState}), split with their
 * coordinates wherever they go. So the component stays an immutable value built from its config,
 * and the runner owns the memory as it owns the coordinates: the local runner keeps it in memory,
 * the Spark runner keeps each range's rows next to the range's coordinates on its executor, and
 * a checkpoint stores the rows of the whole ensemble under the component's key path (gathered
 * range by range, in particle order), so a resume on either runner, with any partitioning,
 * continues bit for bit. As {@link Counting} does for counts: the component declares what it
 * needs, and the runtime keeps it.
 *
 * <p>Row {@code r} of an ensemble is at {@code [r * w, r * w + w)} of the array, {@code w} the
 * width. A fresh row is all NaN, which a component reads as "nothing remembered yet". A step
 * reads and writes only the rows of its block, so a particle's memory, like its coordinates,
 * depends on its own index alone.
 */
public interface RowMemory {
    /** Doubles remembered per particle in {@code dimension} dimensions; at least 1, fixed for the component's life. */
    int rowWidth(int dimension);
}
