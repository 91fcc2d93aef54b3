package org.scorepipe.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sharded checkpoints: the shards hold exactly what a single file would (particles and rows, bit
 * for bit, whatever the cut points), a manifest is valid only when every shard it names is, and
 * shards no manifest names are ignored and swept.
 */
class ShardedCheckpointTest {
    private static final String RUN = CheckpointFormatTest.RUN;

    /** The single-file checkpoint {@code c}, written as shards cut at {@code cuts} (particle counts) and a manifest. */
    static Checkpoint writeSharded(CheckpointStore store, Checkpoint c, int... cuts) throws IOException {
        List<CheckpointShard> shards = writeShards(store.folder(), c, "t1", cuts);
        Checkpoint manifest = new Checkpoint(c.runId(), c.pipeline(), c.seed(), c.noiseGenerator(), c.config(), c.stageNames(),
                c.stageHashes(), c.stage(), c.step(), c.stageStartTime(), c.stageStartMaxAbs(), c.time(), c.n(), c.dimension(),
                c.firstIndex(), new double[0], c.states(), Map.of(), c.metrics(), shards);
        store.save(manifest);
        return manifest;
    }

    /** The shards of {@code c} cut at {@code cuts}, written as a runner writes them, with no manifest. */
    static List<CheckpointShard> writeShards(CheckpointFolder folder, Checkpoint c, String token, int... cuts) throws IOException {
        List<CheckpointShard> shards = new ArrayList<>();
        CheckpointShards.Position at = CheckpointShards.Position.of(c);
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : c.n();
            long first = c.firstIndex() + from;
            String file = CheckpointShards.fileName(c.stage(), c.step(), first, token);
            CheckpointShard[] written = new CheckpointShard[1];
            int offset = from;
            int count = to - from;
            folder.writeAtomically(file, out -> written[0] = CheckpointShards.write(out, file, at, first, offset, count,
                    c.dimension(), c.particles(), c.rows(), c.n()));
            shards.add(written[0]);
            from = to;
        }
        return shards;
    }

    /** 11 particles in d = 3 with a multistep solver's rows (width 6) and a counter's state. */
    static Checkpoint sample(int stage, long step) {
        Checkpoint base = CheckpointFormatTest.sample(11, 3);
        double[] rows = new double[11 * 6];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i % 5 == 0 ? Double.NaN : Math.cos(i) * 1e-200;
        }
        return new Checkpoint(RUN, base.pipeline(), base.seed(), base.noiseGenerator(), base.config(), base.stageNames(),
                base.stageHashes(), stage, step, base.stageStartTime(), base.stageStartMaxAbs(), base.time(), base.n(),
                base.dimension(), base.firstIndex(), base.particles(), base.states(), Map.of("stages.sample.predictor", rows),
                base.metrics());
    }

    @Test
    void shardsHoldTheSingleFilesParticlesAndRowsBitForBitWhateverTheCuts(@TempDir Path dir) throws IOException {
        Checkpoint c = sample(1, 40);
        int[][] cuts = {{}, {1}, {5, 6}, {1, 2, 3, 10}};
        for (int[] cut : cuts) {
            Path folder = dir.resolve("cut" + cut.length);
            CheckpointStore store = new CheckpointStore(folder, 3, RUN);
            Checkpoint manifest = writeSharded(store, c, cut);
            assertEquals(cut.length + 1, manifest.shards().size());

            CheckpointStore.Found found = store.newestValid().orElseThrow();
            assertTrue(found.checkpoint().sharded(), "the store finds the manifest");
            assertEquals(manifest.shards(), found.checkpoint().shards());
            Checkpoint whole = CheckpointStore.read(folder.resolve("ckpt-s001-k0000000040.spck"));
            assertFalse(whole.sharded());
            assertArrayEquals(c.particles(), whole.particles(), "the particles, cut at " + java.util.Arrays.toString(cut));
            assertEquals(c.rows().keySet(), whole.rows().keySet());
            assertArrayEquals(c.rows().get("stages.sample.predictor"), whole.rows().get("stages.sample.predictor"),
                    "the rows, NaN included, cut at " + java.util.Arrays.toString(cut));
            assertEquals(c.firstIndex(), whole.firstIndex());
            assertArrayEquals(c.states().get("stages.sample.corrector"), whole.states().get("stages.sample.corrector"));

            // A window across shard boundaries reads the same rows as the whole.
            CheckpointShards.Slice window = CheckpointShards.readRange(store.folder(), CheckpointShards.Position.of(c), 3,
                    manifest.shards(), c.firstIndex() + 4, 5);
            assertArrayEquals(java.util.Arrays.copyOfRange(c.particles(), 4 * 3, 9 * 3), window.data());
            assertArrayEquals(java.util.Arrays.copyOfRange(c.rows().get("stages.sample.predictor"), 4 * 6, 9 * 6),
                    window.rows().get("stages.sample.predictor"));
        }
    }

    /**
     * Each kind of damage to one shard makes its checkpoint invalid with a message naming the
     * shard, and the store falls back to the previous checkpoint.
     */
    @Test
    void aMissingTruncatedOrFlippedShardInvalidatesItsCheckpointNamingTheShard(@TempDir Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir, 5, RUN);
        writeSharded(store, sample(1, 10), 4);
        Checkpoint newest = writeSharded(store, sample(1, 20), 4, 7);
        Path shard = dir.resolve(newest.shards().get(1).file());
        byte[] intact = Files.readAllBytes(shard);

        List<String> damages = new ArrayList<>();
        Files.delete(shard);
        damages.add(fallBack(store, shard, "missing"));
        Files.write(shard, java.util.Arrays.copyOf(intact, intact.length - 1));
        damages.add(fallBack(store, shard, "truncated"));
        // Every byte flipped in turn: header, particles, rows and checksum alike.
        for (int i = 0; i < intact.length; i++) {
            byte[] flipped = intact.clone();
            flipped[i] ^= (byte) 0x10;
            Files.write(shard, flipped);
            damages.add(fallBack(store, shard, null));
        }
        Files.write(shard, intact);
        assertEquals(20, store.newestValid().orElseThrow().checkpoint().step(), "the repaired shard makes it valid again");
        assertEquals(intact.length + 2, damages.size());
    }

    /**
     * Without reading the shards, the store checks that each is there with its length: a missing or
     * truncated one is caught, a flipped byte is left to whoever reads the particles (whose read
     * fails naming the shard), and a checkpoint so refused is skipped with its reason.
     */
    @Test
    void aLightCheckFindsMissingAndTruncatedShardsAndRefusedCheckpointsAreSkipped(@TempDir Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir, 5, RUN);
        writeSharded(store, sample(1, 10), 4);
        Checkpoint newest = writeSharded(store, sample(1, 20), 4, 7);
        Path shard = dir.resolve(newest.shards().get(2).file());
        byte[] intact = Files.readAllBytes(shard);

        byte[] flipped = intact.clone();
        flipped[flipped.length / 2] ^= 0x08;
        Files.write(shard, flipped);
        CheckpointStore.Found light = store.newestValid(false, List.of()).orElseThrow();
        assertEquals(20, light.checkpoint().step(), "a flipped byte keeps its length: left to the reader");
        CheckpointException read = assertThrows(CheckpointException.class, () -> store.whole(light.checkpoint()));
        assertTrue(read.getMessage().contains(shard.toString()) && read.getMessage().contains("checksum"), read.getMessage());
        CheckpointStore.Found past = store.newestValid(false, List.of(new CheckpointStore.Refused(light.name(), "bad shard"))).orElseThrow();
        assertEquals(10, past.checkpoint().step());
        assertEquals(List.of("bad shard"), past.skipped());

        Files.write(shard, java.util.Arrays.copyOf(intact, intact.length - 8));
        CheckpointStore.Found truncated = store.newestValid(false, List.of()).orElseThrow();
        assertEquals(10, truncated.checkpoint().step());
        assertTrue(truncated.skipped().get(0).contains(shard.toString()) && truncated.skipped().get(0).contains("truncated"),
                truncated.skipped().toString());
        Files.delete(shard);
        assertTrue(store.newestValid(false, List.of()).orElseThrow().skipped().get(0).contains("missing"));
    }

    /** The checkpoint at step 20 is refused naming {@code shard} (and {@code why}); the one at step 10 is found. */
    private static String fallBack(CheckpointStore store, Path shard, String why) {
        CheckpointStore.Found found = store.newestValid().orElseThrow();
        assertEquals(10, found.checkpoint().step(), "fell back past the damaged shard " + shard);
        assertEquals(1, found.skipped().size());
        String message = found.skipped().get(0);
        assertTrue(message.contains(shard.toString()) && (why == null || message.contains(why)), message);
        return message;
    }

    /** A shard of another checkpoint renamed into place: its checksum is its own, its header says whose it is. */
    @Test
    void aShardOfAnotherCheckpointIsRefusedByItsHeader(@TempDir Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir, 5, RUN);
        Checkpoint older = writeSharded(store, sample(1, 10), 4);
        Checkpoint newer = writeSharded(store, sample(1, 20), 4);
        CheckpointShard wanted = newer.shards().get(0);
        byte[] other = Files.readAllBytes(dir.resolve(older.shards().get(0).file()));
        Files.write(dir.resolve(wanted.file()), other);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> CheckpointStore.read(dir.resolve("ckpt-s001-k0000000020.spck")));
        assertTrue(e.getMessage().contains(wanted.file()) && e.getMessage().contains("not the one its manifest names")
                && e.getMessage().contains("step 10"), e.getMessage());
    }

    /**
     * A writer killed between its shards and its manifest leaves shards no manifest names: the
     * previous checkpoint is the newest, nothing carries the new checkpoint's name, and the next
     * save deletes the orphans (but never another run's shards, nor those a manifest names).
     */
    @Test
    void shardsWithoutTheirManifestAreIgnoredAndSweptAtTheNextSave(@TempDir Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir, 5, RUN);
        Checkpoint committed = writeSharded(store, sample(1, 10), 5);
        List<CheckpointShard> orphans = writeShards(store.folder(), sample(1, 20), "killed", 3, 8);
        String other = "20261202T080000Z-ffff0000";
        Checkpoint foreign = sample(1, 30);
        List<CheckpointShard> othersShards = writeShards(store.folder(), new Checkpoint(other, foreign.pipeline(), foreign.seed(),
                foreign.noiseGenerator(), foreign.config(), foreign.stageNames(), foreign.stageHashes(), 1, 30, 0, 1, 0, 11, 3,
                foreign.firstIndex(), foreign.particles(), Map.of(), foreign.rows(), "{}"), "theirs");

        CheckpointStore.Found found = store.newestValid().orElseThrow();
        assertEquals(10, found.checkpoint().step(), "the half-written checkpoint is ignored");
        assertTrue(found.skipped().isEmpty(), found.skipped().toString());
        assertFalse(Files.exists(dir.resolve("ckpt-s001-k0000000020.spck")), "nothing under the unfinished checkpoint's name");

        writeSharded(store, sample(1, 40), 6);
        for (CheckpointShard orphan : orphans) {
            assertFalse(Files.exists(dir.resolve(orphan.file())), orphan.file() + " was swept");
        }
        for (CheckpointShard kept : committed.shards()) {
            assertTrue(Files.exists(dir.resolve(kept.file())), kept.file() + " is named by a manifest and kept");
        }
        assertTrue(Files.exists(dir.resolve(othersShards.get(0).file())), "another run's shard is never deleted");
    }

    /**
     * Deciding which shards a folder's checkpoints name reads their metadata only, not a single
     * file's particles: orphans beside a large (here: damaged in its particles) single-file
     * checkpoint are swept all the same.
     */
    @Test
    void sweepingReadsOnlyTheMetadataOfSingleFileCheckpoints(@TempDir Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir, 5, RUN);
        Path single = store.write(sample(1, 0));
        byte[] bytes = Files.readAllBytes(single);
        bytes[bytes.length - 100] ^= 0x01; // inside the particles: its checksum fails, its metadata reads
        Files.write(single, bytes);
        List<CheckpointShard> orphans = writeShards(store.folder(), sample(1, 5), "killed", 6);
        writeSharded(store, sample(1, 10), 4);
        for (CheckpointShard orphan : orphans) {
            assertFalse(Files.exists(dir.resolve(orphan.file())), orphan.file() + " was swept");
        }
    }

    /** Pruning a rolling checkpoint deletes its shards; those of every stage boundary stay. */
    @Test
    void pruningDeletesTheShardsOfWhatItPrunes(@TempDir Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir, 1, RUN);
        Checkpoint boundary = writeSharded(store, sample(1, 0), 5);
        Checkpoint first = writeSharded(store, sample(1, 10), 5);
        Checkpoint second = writeSharded(store, sample(1, 20), 5);
        assertEquals(List.of("ckpt-s001-k0000000000.spck", "ckpt-s001-k0000000020.spck"), store.names());
        List<String> left;
        try (Stream<Path> files = Files.list(dir)) {
            left = files.map(p -> p.getFileName().toString()).filter(CheckpointShards::isShard).sorted().toList();
        }
        List<String> expected = new ArrayList<>(CheckpointShards.files(boundary.shards()));
        expected.addAll(CheckpointShards.files(second.shards()));
        assertEquals(expected.stream().sorted().toList(), left, "the shards of step 10 went with it: " + first.shards());
    }

    @Test
    void aManifestMustCoverItsParticlesInOrder() {
        Checkpoint c = sample(1, 10);
        List<CheckpointShard> gap = List.of(new CheckpointShard("a.spshard", c.firstIndex(), 4, 100, 0),
                new CheckpointShard("b.spshard", c.firstIndex() + 5, 6, 100, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Checkpoint(RUN, c.pipeline(), c.seed(),
                c.noiseGenerator(), c.config(), c.stageNames(), c.stageHashes(), 1, 10, 0, 1, 0, 11, 3, c.firstIndex(), new double[0],
                Map.of(), new TreeMap<>(), "{}", gap));
        assertTrue(e.getMessage().contains("b.spshard starts at " + (c.firstIndex() + 5)), e.getMessage());
    }

    /** A non-finite particle in a shard makes the checkpoint invalid, as in a single file. */
    @Test
    void aShardOfDivergedParticlesIsRefused(@TempDir Path dir) throws IOException {
        Checkpoint c = sample(1, 10);
        double[] x = c.particles().clone();
        x[x.length - 1] = Double.NaN;
        Checkpoint diverged = new Checkpoint(RUN, c.pipeline(), c.seed(), c.noiseGenerator(), c.config(), c.stageNames(),
                c.stageHashes(), 1, 10, 0, c.stageStartMaxAbs(), 0, 11, 3, c.firstIndex(), x, Map.of(), c.rows(), "{}");
        CheckpointStore store = new CheckpointStore(dir, 3, RUN);
        Checkpoint manifest = writeSharded(store, diverged, 5);
        CheckpointException e = assertThrows(CheckpointException.class, () -> store.newestValid());
        assertTrue(e.getMessage().contains(manifest.shards().get(1).file()) && e.getMessage().contains("not finite"), e.getMessage());
    }
}
