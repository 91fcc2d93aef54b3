package org.scorepipe.runtime.checkpoint;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.scorepipe.runtime.ScorepipeException;

/**
 * A run's checkpoint folder: files named by position
 * ({@code ckpt-s002-k0000000500.spck}: stage 2, step 500), each written atomically. Every
 * checkpoint at a stage boundary (step 0: the end of one stage, the start of the next) is kept,
 * so any stage can be branched from; of the others the newest {@code keep} are kept. Reading
 * falls back from a damaged newest checkpoint to the newest valid one.
 *
 * <p>A store belongs to one run ({@code runId}): it refuses, and never deletes, a checkpoint
 * another run wrote, even one copied into its folder.
 *
 * <p>The folder is a local directory ({@link #CheckpointStore(Path, int)}) or any
 * {@link CheckpointFolder}, such as a Hadoop file system's the Spark runner provides. The
 * methods that speak of {@link Path}s are for local folders only; the others work everywhere
 * and name files by their location (a path or a URI).
 */
public final class CheckpointStore {
    private static final Logger LOG = LogManager.getLogger(CheckpointStore.class);
    private static final Pattern NAME = Pattern.compile("ckpt-s(\\d{3,})-k(\\d{10,})\\.spck");

    private final CheckpointFolder folder;
    private final int keep;
    private final String runId;

    /**
     * @param dir the local folder (created on the first write)
     * @param keep how many checkpoints within stages to keep, newest first (at least 1)
     * @param runId the run whose checkpoints these are
     */
    public CheckpointStore(Path dir, int keep, String runId) {
        this(CheckpointFolder.local(dir), keep, runId);
    }

    /**
     * @param folder where the files live (created on the first write)
     * @param keep how many checkpoints within stages to keep, newest first (at least 1)
     * @param runId the run whose checkpoints these are
     */
    public CheckpointStore(CheckpointFolder folder, int keep, String runId) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, got " + keep);
        }
        this.folder = java.util.Objects.requireNonNull(folder, "folder is null");
        this.keep = keep;
        this.runId = java.util.Objects.requireNonNull(runId, "runId is null");
    }

    /**
     * This store, keeping the newest {@code keep} checkpoints within stages: how a resume writes
     * to the store it found its checkpoint in, once the pipeline it resumes says how many to keep.
     */
    public CheckpointStore keeping(int keep) {
        return keep == this.keep ? this : new CheckpointStore(folder, keep, runId);
    }

    /** The run whose checkpoints these are. */
    public String runId() {
        return runId;
    }

    /** The local folder; for a store elsewhere, see {@link #location()}. */
    public Path dir() {
        return local().dir();
    }

    /** The folder, as a path or a URI. */
    public String location() {
        return folder.location();
    }

    private LocalCheckpointFolder local() {
        if (folder instanceof LocalCheckpointFolder l) {
            return l;
        }
        throw new IllegalStateException("the checkpoint folder " + folder.location() + " is not a local directory");
    }

    /** The file name of the checkpoint at a position. */
    static String fileName(int stage, long step) {
        return String.format("ckpt-s%03d-k%010d.spck", stage, step);
    }

    /** Writes the checkpoint to a local folder (see {@link #save}); returns its path. */
    public Path write(Checkpoint checkpoint) {
        local();
        return Path.of(save(checkpoint));
    }

    /**
     * Writes the checkpoint atomically, then deletes this run's checkpoints within stages but the
     * newest {@code keep}. Returns its location.
     */
    public String save(Checkpoint checkpoint) {
        if (!checkpoint.runId().equals(runId)) {
            throw new IllegalArgumentException("a checkpoint of run " + checkpoint.runId() + " given to the store of run " + runId);
        }
        String name = fileName(checkpoint.stage(), checkpoint.step());
        try {
            folder.writeAtomically(name, out -> CheckpointFormat.write(checkpoint, out));
        } catch (IOException | RuntimeException e) {
            String previous = newestName().map(p -> "; the previous checkpoint " + folder.locate(p) + " is intact").orElse("");
            throw new ScorepipeException("could not write the checkpoint at " + checkpoint.position() + " to " + folder.locate(name)
                    + ": " + describe(e) + previous + ". Free space or fix the folder's permissions, then resume.", e);
        }
        prune();
        return folder.locate(name);
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
        List<String> rolling = names().stream().filter(n -> !atBoundary(n)).filter(this::ours).toList();
        for (int i = 0; i < rolling.size() - keep; i++) {
            try {
                folder.delete(rolling.get(i));
            } catch (IOException e) {
                LOG.warn("could not delete the old checkpoint {}: {}", folder.locate(rolling.get(i)), e.getMessage());
            }
        }
    }

    /** Whether a checkpoint's name says it is at the start of a stage (step 0): one kept per boundary. */
    static boolean atBoundary(String name) {
        java.util.regex.Matcher m = NAME.matcher(name);
        return m.matches() && Long.parseLong(m.group(2)) == 0;
    }

    /** Whether file {@code name} is a checkpoint this run wrote (unreadable files are not: they are left alone). */
    private boolean ours(String name) {
        try (InputStream in = folder.open(name)) {
            return CheckpointFormat.peekRunId(in).map(runId::equals).orElse(false);
        } catch (IOException e) {
            return false;
        }
    }

    /** The checkpoint file names, oldest first. */
    public List<String> names() {
        try {
            return folder.names().stream().filter(n -> NAME.matcher(n).matches()).sorted().toList();
        } catch (IOException e) {
            throw new ScorepipeException("cannot list " + folder.location() + ": " + e.getMessage());
        }
    }

    /** The checkpoint files of a local folder, oldest first. */
    public List<Path> files() {
        Path dir = dir();
        return names().stream().map(dir::resolve).toList();
    }

    private Optional<String> newestName() {
        List<String> names = names();
        return names.isEmpty() ? Optional.empty() : Optional.of(names.get(names.size() - 1));
    }

    /** Where the newest checkpoint file is, if there is one. */
    public Optional<String> newest() {
        return newestName().map(folder::locate);
    }

    /** A checkpoint with where it came from (a path or a URI), and what was skipped to reach it. */
    public record Found(String location, Checkpoint checkpoint, List<String> skipped) {
    }

    /**
     * The newest checkpoint of this run that reads back intact; damaged newer ones, and those of
     * other runs, are skipped and named.
     */
    public Optional<Found> newestValid() {
        List<String> names = new ArrayList<>(names());
        List<String> skipped = new ArrayList<>();
        for (int i = names.size() - 1; i >= 0; i--) {
            try {
                Checkpoint c = read(folder, names.get(i));
                if (!c.runId().equals(runId)) {
                    throw new CheckpointException(folder.locate(names.get(i)) + " belongs to run " + describeRun(c.runId())
                            + ", not to this run (" + describeRun(runId) + "); it was refused and left as it is");
                }
                return Optional.of(new Found(folder.locate(names.get(i)), c, List.copyOf(skipped)));
            } catch (CheckpointException e) {
                skipped.add(e.getMessage());
            }
        }
        if (!skipped.isEmpty()) {
            throw new CheckpointException("no usable checkpoint in " + folder.location() + ": " + String.join("; ", skipped));
        }
        return Optional.empty();
    }

    private static String describeRun(String id) {
        return id.isEmpty() ? "(none recorded)" : id;
    }

    /**
     * This run's checkpoint at the start of stage {@code stage} (step 0), if it was written and
     * kept (every stage-boundary checkpoint is kept).
     *
     * @throws CheckpointException if it is damaged or another run's
     */
    public Optional<Checkpoint> atStageStart(int stage) {
        String name = fileName(stage, 0);
        if (!names().contains(name)) {
            return Optional.empty();
        }
        Checkpoint c = read(folder, name);
        if (!c.runId().equals(runId)) {
            throw new CheckpointException(folder.locate(name) + " belongs to run " + describeRun(c.runId()) + ", not to this run ("
                    + describeRun(runId) + ")");
        }
        return Optional.of(c);
    }

    /** Reads one checkpoint file. */
    public static Checkpoint read(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        return read(CheckpointFolder.local(parent), file.getFileName().toString(), file.toString());
    }

    private static Checkpoint read(CheckpointFolder folder, String name) {
        return read(folder, name, folder.locate(name));
    }

    private static Checkpoint read(CheckpointFolder folder, String name, String shown) {
        try (InputStream in = new BufferedInputStream(folder.open(name), 1 << 16)) {
            return CheckpointFormat.read(in, shown, folder.size(name));
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new CheckpointException(shown + ": no such checkpoint file");
        } catch (IOException e) {
            throw new CheckpointException(shown + ": cannot read it: " + e.getMessage());
        } catch (OutOfMemoryError e) {
            throw new CheckpointException(shown + ": too large to read in this JVM's memory (" + Runtime.getRuntime().maxMemory()
                    / (1 << 20) + " MB of heap); give Java more with -Xmx (SCOREPIPE_JAVA_OPTS=-Xmx8g for ./scorepipe)");
        }
    }
}
