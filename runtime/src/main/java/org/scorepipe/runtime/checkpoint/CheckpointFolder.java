package org.scorepipe.runtime.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The folder a {@link CheckpointStore} keeps its files in: a local directory, or a folder of a
 * Hadoop file system ({@code hdfs://}, {@code s3a://}, {@code file://}), which the Spark runner
 * provides. The store needs only these few operations, so the checkpoint format and the
 * store's rules (atomic writes, pruning, falling back to the newest valid file) are the same
 * wherever the files live.
 */
public interface CheckpointFolder {
    /** The folder, for messages: a path or a URI. */
    String location();

    /** Where file {@code name} lives: a path or a URI. */
    String locate(String name);

    /** The names of the files in the folder (an absent folder has none). */
    List<String> names() throws IOException;

    /**
     * Writes file {@code name} so that it appears complete or not at all (a temporary file,
     * then a rename), creating the folder if needed.
     */
    void writeAtomically(String name, StreamWriter writer) throws IOException;

    /** Opens file {@code name}; throws {@link java.nio.file.NoSuchFileException} if there is none. */
    InputStream open(String name) throws IOException;

    /** The length of file {@code name} in bytes. */
    long size(String name) throws IOException;

    /** Deletes file {@code name} if it exists. */
    void delete(String name) throws IOException;

    /** Fills a file through a stream (not closed by the writer). */
    @FunctionalInterface
    interface StreamWriter {
        void write(OutputStream out) throws IOException;
    }

    /** A local directory. */
    static CheckpointFolder local(Path dir) {
        return new LocalCheckpointFolder(dir);
    }
}
