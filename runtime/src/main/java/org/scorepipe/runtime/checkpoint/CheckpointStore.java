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
 * <p>A checkpoint is one file, or, sharded, a manifest under that name and the shard files it
 * names ({@link CheckpointShards}), which the runner writes first where the particles live; the
 * manifest, written last and atomically, commits them. A sharded checkpoint is valid only when
 * its manifest and every shard it names verify; shards no manifest names (those of a writer
 * killed before its manifest, or of a pruned checkpoint) are deleted at the next save.
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

    /** The folder itself: where a runner writes the shards of a sharded checkpoint before {@link #save}. */
    public CheckpointFolder folder() {
        return folder;
    }

    private LocalCheckpointFolder local() {
        if (folder instanceof LocalCheckpointFolder l) {
            return l;
        }
        throw new IllegalStateException("the checkpoint folder " + folder.location() + " is not a local directory");
    }

    /** The file name of the checkpoint at a position. */
    public static String fileName(int stage, long step) {
        return String.format("ckpt-s%03d-k%010d.spck", stage, step);
    }

    /** Writes the checkpoint to a local folder (see {@link #save}); returns its path. */
    public Path write(Checkpoint checkpoint) {
        local();
        return Path.of(save(checkpoint));
    }

    /**
     * Writes the checkpoint atomically, then deletes this run's checkpoints within stages but the
     * newest {@code keep}, and the shards no checkpoint names. Returns its location. A sharded
     * checkpoint's shards must be in the folder already: this writes its manifest, which commits them.
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
            delete(rolling.get(i), "old checkpoint");
        }
        sweepShards();
    }

    /**
     * Deletes this run's shards that no checkpoint in the folder names: those of a checkpoint just
     * pruned, and those a writer left when it was killed before committing their manifest. A shard
     * named by any manifest, readable or not, or written by another run, is left alone.
     */
    private void sweepShards() {
        List<String> all;
        try {
            all = folder.names();
        } catch (IOException e) {
            return;
        }
        List<String> shards = all.stream().filter(CheckpointShards::isShard).toList();
        if (shards.isEmpty()) {
            return;
        }
        java.util.Set<String> named = new java.util.HashSet<>();
        for (String manifest : names()) {
            java.util.Optional<List<String>> listed = shardsNamedBy(manifest);
            if (listed.isEmpty()) {
                return; // a manifest that cannot be read may name any shard: delete none
            }
            named.addAll(listed.get());
        }
        for (String shard : shards) {
            if (!named.contains(shard) && shardIsOurs(shard)) {
                delete(shard, "unnamed shard");
            }
        }
    }

    /**
     * The shards a manifest names (none for a single-file checkpoint), read from its metadata alone
     * (a single file's particles are not read), or empty if it cannot be read.
     */
    private java.util.Optional<List<String>> shardsNamedBy(String manifest) {
        try (InputStream in = new BufferedInputStream(folder.open(manifest), 1 << 16)) {
            return java.util.Optional.of(CheckpointShards.files(CheckpointFormat.peekShards(in)));
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    private boolean shardIsOurs(String shard) {
        try (InputStream in = folder.open(shard)) {
            byte[] head = in.readNBytes(8 + 4 + 8 + 4 + 4 + 1024);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(head);
            if (head.length < 28) {
                return false;
            }
            int length = b.getInt(24);
            return length >= 0 && length <= head.length - 28
                    && new String(head, 28, length, java.nio.charset.StandardCharsets.UTF_8).equals(runId);
        } catch (IOException e) {
            return false;
        }
    }

    private void delete(String name, String what) {
        try {
            folder.delete(name);
        } catch (IOException e) {
            LOG.warn("could not delete the {} {}: {}", what, folder.locate(name), e.getMessage());
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

    /** A checkpoint with where it came from (a path or a URI) and its file name, and what was skipped to reach it. */
    public record Found(String location, String name, Checkpoint checkpoint, List<String> skipped) {
    }

    /** A checkpoint found damaged after it was chosen (a shard that failed its checksum as it was read), and why. */
    public record Refused(String name, String why) {
    }

    /**
     * The newest checkpoint of this run that reads back intact; damaged newer ones, and those of
     * other runs, are skipped and named.
     */
    public Optional<Found> newestValid() {
        return newestValid(true, List.of());
    }

    /**
     * The newest checkpoint of this run that reads back intact, past those named in
     * {@code refused} (each with why: a checkpoint found damaged after it was chosen), which are
     * skipped and named with the damaged and foreign ones.
     *
     * @param readShards whether a sharded checkpoint's shards are read through here to check them;
     *     if not, only that each is there with its length is checked, and whoever reads its
     *     particles checks their checksums as it reads them (a distributed runner, on its executors)
     */
    public Optional<Found> newestValid(boolean readShards, List<Refused> refused) {
        List<String> names = new ArrayList<>(names());
        List<String> skipped = new ArrayList<>();
        for (int i = names.size() - 1; i >= 0; i--) {
            String name = names.get(i);
            Optional<Refused> refusal = refused.stream().filter(r -> r.name().equals(name)).findFirst();
            if (refusal.isPresent()) {
                skipped.add(refusal.get().why());
                continue;
            }
            try {
                Checkpoint c = read(folder, name, folder.locate(name), readShards);
                if (!c.runId().equals(runId)) {
                    throw new CheckpointException(folder.locate(names.get(i)) + " belongs to run " + describeRun(c.runId())
                            + ", not to this run (" + describeRun(runId) + "); it was refused and left as it is");
                }
                return Optional.of(new Found(folder.locate(names.get(i)), names.get(i), c, List.copyOf(skipped)));
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
     * kept (every stage-boundary checkpoint is kept): a single file, or a sharded checkpoint's
     * manifest, its shards verified ({@link #whole} reads its particles).
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

    /**
     * Reads one checkpoint file, with its particles: those of a sharded checkpoint are read from
     * the shards beside it, in index order, into this JVM's memory.
     */
    public static Checkpoint read(Path file) {
        CheckpointFolder folder = CheckpointFolder.local(file.toAbsolutePath().getParent());
        return whole(folder, read(folder, file.getFileName().toString(), file.toString()));
    }

    /**
     * Reads one checkpoint file as it is: a single file with its particles, or a sharded
     * checkpoint's manifest, whose every shard has been verified but none is kept in memory.
     */
    public static Checkpoint readManifest(Path file) {
        return read(CheckpointFolder.local(file.toAbsolutePath().getParent()), file.getFileName().toString(), file.toString());
    }

    /**
     * The largest |x| of a checkpoint's particles (NaN if one is not finite), read a shard at a
     * time for a sharded one.
     */
    public static double maxAbs(Path file, Checkpoint c) {
        if (!c.sharded()) {
            return Health.maxAbs(c.particles());
        }
        CheckpointFolder folder = CheckpointFolder.local(file.toAbsolutePath().getParent());
        double max = 0;
        for (CheckpointShard shard : c.shards()) {
            max = Math.max(max, CheckpointShards.open(folder, shard, CheckpointShards.Position.of(c), c.dimension(), 0, 0).maxAbs());
        }
        return max;
    }

    /**
     * {@code c} with its particles and rows: itself if it is a single file, else a single-file
     * checkpoint of what its shards in this store's folder hold.
     */
    public Checkpoint whole(Checkpoint c) {
        return whole(folder, c);
    }

    private static Checkpoint whole(CheckpointFolder folder, Checkpoint c) {
        if (!c.sharded()) {
            return c;
        }
        CheckpointShards.Slice all = CheckpointShards.readRange(folder, CheckpointShards.Position.of(c), c.dimension(), c.shards(),
                c.firstIndex(), c.n());
        return c.withParticles(all.data(), all.rows());
    }

    private static Checkpoint read(CheckpointFolder folder, String name) {
        return read(folder, name, folder.locate(name));
    }

    private static Checkpoint read(CheckpointFolder folder, String name, String shown) {
        return read(folder, name, shown, true);
    }

    private static Checkpoint read(CheckpointFolder folder, String name, String shown, boolean readShards) {
        Checkpoint c;
        try (InputStream in = new BufferedInputStream(folder.open(name), 1 << 16)) {
            c = CheckpointFormat.read(in, shown, folder.size(name));
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new CheckpointException(shown + ": no such checkpoint file");
        } catch (IOException e) {
            throw new CheckpointException(shown + ": cannot read it: " + e.getMessage());
        } catch (OutOfMemoryError e) {
            throw new CheckpointException(shown + ": too large to read in this JVM's memory (" + Runtime.getRuntime().maxMemory()
                    / (1 << 20) + " MB of heap); give Java more with -Xmx (SCOREPIPE_JAVA_OPTS=-Xmx8g for ./scorepipe)");
        }
        if (c.sharded() && readShards) {
            verifyShards(folder, c, shown);
        } else if (c.sharded()) {
            checkShardsPresent(folder, c, shown);
        }
        return c;
    }

    /** Each shard of a sharded checkpoint is in the folder with the length its manifest records: one listing. */
    private static void checkShardsPresent(CheckpointFolder folder, Checkpoint c, String shown) {
        java.util.Set<String> present;
        try {
            present = new java.util.HashSet<>(folder.names());
        } catch (IOException e) {
            throw new CheckpointException(shown + ": cannot list its shards: " + e.getMessage());
        }
        for (CheckpointShard shard : c.shards()) {
            String where = folder.locate(shard.file());
            if (!present.contains(shard.file())) {
                throw new CheckpointException(shown + ": the shard " + where + " is missing");
            }
            try {
                long size = folder.size(shard.file());
                if (size != shard.bytes()) {
                    throw new CheckpointException(shown + ": the shard " + where + " is truncated or corrupt: it has " + size
                            + " bytes, its manifest records " + shard.bytes());
                }
            } catch (IOException e) {
                throw new CheckpointException(shown + ": the shard " + where + " cannot be read: " + e.getMessage());
            }
        }
    }

    /**
     * Reads every shard of a sharded checkpoint through, checking its length, checksum, header
     * and health, and keeping none of it: a megabyte at a time, whatever the shards' size.
     */
    private static void verifyShards(CheckpointFolder folder, Checkpoint c, String shown) {
        CheckpointShards.Position at = CheckpointShards.Position.of(c);
        double maxAbs = 0;
        for (CheckpointShard shard : c.shards()) {
            try {
                maxAbs = Math.max(maxAbs, CheckpointShards.open(folder, shard, at, c.dimension(), 0, 0).maxAbs());
            } catch (CheckpointException e) {
                throw new CheckpointException(shown + ": " + e.getMessage());
            }
            if (!Health.healthy(maxAbs, c.stageStartMaxAbs())) {
                throw new CheckpointException(shown + " is corrupt: the particles of its shard " + folder.locate(shard.file())
                        + " are not finite, or far beyond their scale at the stage start");
            }
        }
    }
}
