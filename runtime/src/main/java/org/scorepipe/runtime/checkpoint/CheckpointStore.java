package org.scorepipe.runtime.checkpoint;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.run.AtomicFiles;

/**
 * A run's {@code checkpoints/} folder: files named by position
 * ({@code ckpt-s002-k0000000500.spck}: stage 2, step 500), each written atomically, the newest
 * {@code keep} kept. Reading falls back from a damaged newest checkpoint to the newest valid one.
 */
public final class CheckpointStore {
    private static final Logger LOG = LogManager.getLogger(CheckpointStore.class);
    private static final Pattern NAME = Pattern.compile("ckpt-s(\\d{3,})-k(\\d{10,})\\.spck");

    private final Path dir;
    private final int keep;

    /**
     * @param dir the folder (created on the first write)
     * @param keep how many checkpoints to keep, newest first (at least 1)
     */
    public CheckpointStore(Path dir, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, got " + keep);
        }
        this.dir = dir;
        this.keep = keep;
    }

    public Path dir() {
        return dir;
    }

    /** The file name of the checkpoint at a position. */
    static String fileName(int stage, long step) {
        return String.format("ckpt-s%03d-k%010d.spck", stage, step);
    }

    /** Writes the checkpoint atomically, then deletes all but the newest {@code keep}. Returns its path. */
    public Path write(Checkpoint checkpoint) {
        Path target = dir.resolve(fileName(checkpoint.stage(), checkpoint.step()));
        try {
            Files.createDirectories(dir);
            AtomicFiles.write(target, tmp -> {
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                    CheckpointFormat.write(checkpoint, out);
                }
            });
        } catch (IOException | RuntimeException e) {
            String previous = newestFile().map(p -> "; the previous checkpoint " + p + " is intact").orElse("");
            throw new ScorepipeException("could not write the checkpoint at " + checkpoint.position() + " to " + target
                    + ": " + describe(e) + previous + ". Free space or fix the folder's permissions, then resume.", e);
        }
        prune();
        return target;
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
            message = fs.getReason() + " (" + fs.getFile() + ")";
        }
        return e.getClass().getSimpleName().replace("Exception", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase()
                + (message == null ? "" : ": " + message);
    }

    private void prune() {
        List<Path> files = files();
        for (int i = 0; i < files.size() - keep; i++) {
            try {
                Files.deleteIfExists(files.get(i));
            } catch (IOException e) {
                LOG.warn("could not delete the old checkpoint {}: {}", files.get(i), e.getMessage());
            }
        }
    }

    /** The checkpoint files, oldest first. */
    public List<Path> files() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new ScorepipeException("cannot list " + dir + ": " + e.getMessage());
        }
    }

    private Optional<Path> newestFile() {
        List<Path> files = files();
        return files.isEmpty() ? Optional.empty() : Optional.of(files.get(files.size() - 1));
    }

    /** A checkpoint with where it came from, and what was skipped to reach it. */
    public record Found(Path file, Checkpoint checkpoint, List<String> skipped) {
    }

    /** The newest checkpoint that reads back intact; damaged newer ones are skipped and named. */
    public Optional<Found> newestValid() {
        List<Path> files = new ArrayList<>(files());
        List<String> skipped = new ArrayList<>();
        for (int i = files.size() - 1; i >= 0; i--) {
            try {
                return Optional.of(new Found(files.get(i), read(files.get(i)), List.copyOf(skipped)));
            } catch (CheckpointException e) {
                skipped.add(e.getMessage());
            }
        }
        if (!skipped.isEmpty()) {
            throw new CheckpointException("no usable checkpoint in " + dir + ": " + String.join("; ", skipped));
        }
        return Optional.empty();
    }

    /** Reads one checkpoint file. */
    public static Checkpoint read(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return CheckpointFormat.read(in, file.toString(), Files.size(file));
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": no such checkpoint file");
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read it: " + e.getMessage());
        }
    }
}
