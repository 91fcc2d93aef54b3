package org.scorepipe.runtime.run;

import java.util.concurrent.atomic.LongAdder;

/**
 * What a running pipeline shares with the outside: a request to stop at the next common step
 * (Ctrl-C), and progress counters for a progress bar.
 *
 * <p>Stopping is exact: every block runs each step up to one common step and none beyond it.
 * A block asks {@link #mayRun} before each step; a stop request sets the limit to one past the
 * highest step any block has begun, so blocks that are behind catch up and none goes further.
 */
public final class RunControl {
    private final Object lock = new Object();
    private long limit = Long.MAX_VALUE;
    private long highest = -1;
    private volatile boolean stopRequested;
    private final LongAdder particleSteps = new LongAdder();
    private volatile String stage = "";
    private volatile long stageSteps;
    private volatile int particles;
    private volatile long stageStepsAtStart;

    /** Asks the run to stop at the next step that every block can reach; safe from any thread. */
    public void requestStop() {
        synchronized (lock) {
            stopRequested = true;
            limit = Math.min(limit, highest + 1);
        }
    }

    public boolean stopRequested() {
        return stopRequested;
    }

    /** Starts a segment of steps {@code [from, to)}. */
    public void beginSegment(long from, long to) {
        synchronized (lock) {
            highest = from - 1;
            limit = stopRequested ? from : to;
        }
    }

    /** Whether a block may run step {@code k}; false once the segment's (possibly lowered) limit is reached. */
    public boolean mayRun(long k) {
        synchronized (lock) {
            if (k >= limit) {
                return false;
            }
            if (k > highest) {
                highest = k;
            }
            return true;
        }
    }

    /** The step every block has reached when the segment {@code [from, to)} ends. */
    public long reached(long to) {
        synchronized (lock) {
            return Math.min(to, limit);
        }
    }

    /** Records that a block finished a step of {@code rows} particles. */
    public void stepDone(int rows) {
        particleSteps.add(rows);
    }

    /** Marks the start of a stage, for progress reports. */
    public void stageStarted(String name, long steps, long fromStep, int n) {
        particleSteps.reset();
        stageStepsAtStart = fromStep;
        particles = n;
        stageSteps = steps;
        stage = name;
    }

    /** A snapshot of the progress of the current stage. */
    public record Progress(String stage, long step, long steps, long particleSteps) {
    }

    public Progress progress() {
        long done = particleSteps.sum();
        int n = Math.max(1, particles);
        return new Progress(stage, Math.min(stageSteps, stageStepsAtStart + done / n), stageSteps, done);
    }
}
