package org.scorepipe.runtime.checkpoint;

import org.scorepipe.runtime.ScorepipeException;

/** A checkpoint that cannot be used: truncated, corrupt, of another format or version. */
public final class CheckpointException extends ScorepipeException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }
}
