package org.scorepipe.runtime;

/**
 * A problem the user can fix: a wrong config, a missing file, a diverging step size. Its
 * message is complete on its own (what, where, what to do) and is printed without a stack trace.
 */
public class ScorepipeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ScorepipeException(String message) {
        super(message);
    }

    public ScorepipeException(String message, Throwable cause) {
        super(message, cause);
    }
}
