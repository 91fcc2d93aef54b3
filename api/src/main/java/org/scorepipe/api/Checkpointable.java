package org.scorepipe.api;

/**
 * A component with state of its own that a checkpoint must carry for an exact resume: an
 * adaptive step size, a patch cursor, acceptance counters. Most components have none: their
 * behaviour at step {@code k} is a function of {@code k}, the particles and the noise.
 *
 * <p>State travels as plain bytes, as Commons RNG's restorable generators do: the runtime never
 * serialises a component's objects, and the component chooses a format it can read back in a
 * later version. The runtime calls both methods between steps, never during one.
 */
public interface Checkpointable {
    /** The state, as bytes that {@link #restoreState} accepts. */
    byte[] saveState();

    /** Restores the state {@link #saveState} returned; throws {@link IllegalArgumentException} if it is not one. */
    void restoreState(byte[] state);
}
