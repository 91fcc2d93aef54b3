package org.scorepipe.runtime.run;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file so that it appears under its name complete or not at all: the content goes to
 * a temporary file in the same directory, is forced to disk, and is renamed over the target;
 * then the directory itself is forced so the rename survives a crash.
 */
public final class AtomicFiles {
    private static final java.util.concurrent.atomic.AtomicLong SEQUENCE = new java.util.concurrent.atomic.AtomicLong();

    private AtomicFiles() {
    }

    /** Writes {@code target} through {@code writer}, which receives the temporary path. */
    public static void write(Path target, Writer writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        // Not Files.createTempFile: it makes the file owner-only, and the result would keep that.
        Path tmp = dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + "."
                + SEQUENCE.incrementAndGet() + ".tmp");
        Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        try {
            writer.write(tmp);
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems cannot open a directory for syncing; the rename itself is still atomic.
        }
    }

    /** The temporary files {@link #write} makes: {@code .<name>.<pid>.<n>.tmp}. */
    private static final java.util.regex.Pattern TEMPORARY = java.util.regex.Pattern.compile("\\..+\\.(\\d+)\\.\\d+\\.tmp");

    /**
     * Deletes the temporary files another process left in {@code dir} (one killed while writing).
     * Call it only while this process owns the folder ({@link RunLock}): no other process can be
     * writing there then.
     */
    public static void removeStale(Path dir) {
        long self = ProcessHandle.current().pid();
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                java.util.regex.Matcher m = TEMPORARY.matcher(file.getFileName().toString());
                if (m.matches() && Long.parseLong(m.group(1)) != self) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // a folder that cannot be listed has nothing to clean; a leftover is harmless
        }
    }

    /** Writes UTF-8 text atomically. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
    }

    /** Fills a temporary file. */
    @FunctionalInterface
    public interface Writer {
        void write(Path tmp) throws IOException;
    }
}
