package org.scorepipe.runtime.checkpoint;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;

/**
 * One shard of a sharded checkpoint, as its manifest names it: the file, the particles it holds
 * (the contiguous range {@code [first, first + n)} of global indices), its length in bytes and
 * the CRC32C of its payload. A shard is valid only when the file has that length and that
 * checksum, and its header names the run, position and range the manifest expects.
 *
 * @param file the file's name in the checkpoint folder
 * @param first the global index of its first particle
 * @param n how many particles it holds (at least 1)
 * @param bytes the file's length
 * @param crc32c the CRC32C of its payload, as the file's trailer stores it
 */
public record CheckpointShard(String file, long first, int n, long bytes, int crc32c) implements Serializable {
    private static final long serialVersionUID = 1L;

    public CheckpointShard {
        requireNonNull(file, "file is null");
        if (file.isEmpty() || file.contains("/") || file.contains("\\")) {
            throw new IllegalArgumentException("a shard's file is a plain name in the checkpoint folder, not '" + file + "'");
        }
        if (first < 0 || n < 1 || bytes < 1) {
            throw new IllegalArgumentException("shard " + file + ": " + n + " particles from " + first + " in " + bytes
                    + " bytes is not a shard");
        }
    }

    /** The index after its last particle. */
    public long end() {
        return first + n;
    }
}
