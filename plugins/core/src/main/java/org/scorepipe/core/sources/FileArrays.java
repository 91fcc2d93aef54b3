package org.scorepipe.core.sources;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.scorepipe.api.NumpyArray;

/** What the file data sources share around {@link NumpyArray}: opening a file with a clear message, shapes. */
final class FileArrays {
    private FileArrays() {
    }

    /** How a relative path reached the component, for messages about a missing file. */
    static final String RELATIVE = "a relative path is resolved against the pipeline file's folder, or against the working"
            + " directory when given with --set";

    /**
     * Reads {@code file} ({@code .npz} by {@code key}, else a {@code .npy}); a missing file is one
     * message saying how the path was resolved.
     */
    static NumpyArray read(Path file, String key) {
        if (!Files.exists(file)) {
            String kind = file.toString().toLowerCase().endsWith(".npz") ? ".npz" : ".npy";
            throw new IllegalArgumentException("the " + kind + " file " + file + " does not exist; check path (" + RELATIVE + ")");
        }
        return NumpyArray.read(file, key);
    }

    /** The shape of one row: the dimensions after the first. */
    static List<Integer> sampleShape(int[] shape) {
        List<Integer> s = new ArrayList<>();
        for (int i = 1; i < shape.length; i++) {
            s.add(shape[i]);
        }
        return List.copyOf(s);
    }

    static long product(List<Integer> shape) {
        long p = 1;
        for (int s : shape) {
            p *= s;
        }
        return p;
    }

    /** A shape as NumPy prints it. */
    static String shape(int[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        return "(" + String.join(", ", Arrays.stream(shape).mapToObj(Integer::toString).toList()) + ")";
    }
}
