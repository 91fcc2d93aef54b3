package org.scorepipe.onnx;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where a learned score's model is, with the messages a wrong path deserves. */
public final class ModelFiles {
    private ModelFiles() {
    }

    /**
     * The model path, absolute; throws {@link IllegalArgumentException} naming the absolute path
     * when nothing is there or it cannot be read.
     *
     * @param model the configured path (the runtime hands it over absolute; a relative one is taken against the
     *     working directory)
     * @param what what is expected there, e.g. "an ONNX model file (.onnx)"
     * @param directory whether the model is a directory rather than a file
     */
    public static Path require(String model, String what, boolean directory) {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model is empty; give the path of " + what);
        }
        Path path = Path.of(model).toAbsolutePath().normalize();
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("model: " + path + " does not exist; give the path of " + what
                    + " (a relative path is resolved against the pipeline file's folder, or against the working directory"
                    + " when given with --set)");
        }
        if (directory != Files.isDirectory(path)) {
            throw new IllegalArgumentException("model: " + path + " is a " + (directory ? "file" : "directory")
                    + ", expected " + what);
        }
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException("model: " + path + " cannot be read (permissions)");
        }
        return path;
    }
}
