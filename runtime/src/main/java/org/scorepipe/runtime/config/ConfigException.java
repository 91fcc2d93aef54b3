package org.scorepipe.runtime.config;

import org.scorepipe.runtime.ScorepipeException;

/** A mistake in a pipeline file, located by file and key path. */
public final class ConfigException extends ScorepipeException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String keyPath;
    private final String problem;

    public ConfigException(String file, String keyPath, String problem) {
        super(file + (keyPath.isEmpty() ? "" : ": " + keyPath) + ": " + problem);
        this.file = file;
        this.keyPath = keyPath;
        this.problem = problem;
    }

    public String file() {
        return file;
    }

    public String keyPath() {
        return keyPath;
    }

    public String problem() {
        return problem;
    }
}
