package org.scorepipe.it.faults;

import jakarta.inject.Inject;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.ScoreProvider;

/**
 * A test double for a buggy plugin: every score call fails the way careless code does, with an
 * exception a component never throws on purpose (not an IllegalArgumentException or
 * IllegalStateException, which are a component's way of explaining a mistake).
 */
@Component(kind = ComponentKind.SCORE_PROVIDER, name = "throwing", doc = "Test double: a score whose every call fails with a bug.")
public final class ThrowingScore implements ScoreProvider {
    /** The bugs it can have. */
    public enum Fault {
        /** An integer division by zero: {@link ArithmeticException}. */
        ARITHMETIC,
        /** A field that was never set: {@link NullPointerException}. */
        NULL_POINTER,
        /** An index one past the end: {@link ArrayIndexOutOfBoundsException}. */
        INDEX,
        /** Recursion without a base case: {@link StackOverflowError}. */
        STACK_OVERFLOW
    }

    /** Parameters. */
    public record Params(@Doc("how it fails") @Default("arithmetic") Fault fault) {
    }

    private final Fault fault;
    private int[] never;

    @Inject
    public ThrowingScore(Params params) {
        this.fault = params.fault();
    }

    @Override
    public void score(double[] x, int offset, int rows, double t, double[] out) {
        switch (fault) {
            case ARITHMETIC -> out[0] = rows / (rows - rows);
            case NULL_POINTER -> out[0] = never[0];
            case INDEX -> out[0] = x[x.length + rows];
            case STACK_OVERFLOW -> out[0] = depth(rows);
        }
    }

    private static int depth(int n) {
        return depth(n + 1) + 1;
    }
}
