package org.scorepipe.runtime.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scorepipe.api.Particles;

class NpyShardsTest {

    /** 10 particles in 3 dimensions, every coordinate distinct. */
    private static Particles ensemble() {
        double[] x = new double[30];
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.sin(i + 1) * Math.pow(10, i % 7 - 3);
        }
        return new Particles(10, 3, 0, x, 0.5);
    }

    @Test
    void theShardsHoldConsecutiveParticlesAndReadBackToTheEnsemble(@TempDir Path dir) throws IOException {
        Particles all = ensemble();
        Path index = NpyShards.writeLocal(dir, "samples.npy", all, 4);

        assertEquals(dir.resolve("samples-index.json"), index);
        assertEquals(List.of("samples-00000.npy", "samples-00001.npy", "samples-00002.npy", "samples-index.json"),
                names(dir));
        // Each shard is the .npy of its rows, as NpyFile writes a whole ensemble: rows 4..7 for shard 1.
        Path expected = dir.resolve("expected.npy");
        NpyFile.write(expected, new Particles(4, 3, 4, Arrays.copyOfRange(all.data(), 12, 24), 0));
        assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(dir.resolve("samples-00001.npy")));
        Files.delete(expected);

        Particles read = NpyShards.read(index);
        assertEquals(10, read.size());
        assertEquals(3, read.dimension());
        assertArrayEquals(all.data(), read.data());
    }

    @Test
    void aSecondWriteWithFewerShardsLeavesNoneOfTheFirst(@TempDir Path dir) throws IOException {
        NpyShards.writeLocal(dir, "samples.npy", ensemble(), 3);
        assertEquals(5, names(dir).size(), "4 shards and the index");
        Path index = NpyShards.writeLocal(dir, "samples.npy", ensemble(), 100);
        assertEquals(List.of("samples-00000.npy", "samples-index.json"), names(dir));
        assertArrayEquals(ensemble().data(), NpyShards.read(index).data());
    }

    @Test
    void aMissingOrDamagedShardIsNamed(@TempDir Path dir) throws IOException {
        Path index = NpyShards.writeLocal(dir, "samples.npy", ensemble(), 4);
        Path shard = dir.resolve("samples-00001.npy");
        byte[] good = Files.readAllBytes(shard);

        byte[] flipped = good.clone();
        flipped[flipped.length - 3] ^= 1;
        Files.write(shard, flipped);
        IOException e = assertThrows(IOException.class, () -> NpyShards.read(index));
        assertTrue(e.getMessage().startsWith("the shard " + shard + " is damaged"), e.getMessage());

        Files.write(shard, Arrays.copyOf(good, good.length - 8));
        e = assertThrows(IOException.class, () -> NpyShards.read(index));
        assertTrue(e.getMessage().contains(good.length - 8 + " bytes"), e.getMessage());

        Files.delete(shard);
        e = assertThrows(IOException.class, () -> NpyShards.read(index));
        assertEquals(index + " lists the shard samples-00001.npy, which is missing", e.getMessage());
    }

    @Test
    void theIndexRefusesShardsThatDoNotCoverTheParticlesInOrder() {
        NpyShards.Shard a = new NpyShards.Shard("s-00000.npy", 0, 4, 0, "");
        NpyShards.Shard b = new NpyShards.Shard("s-00001.npy", 5, 4, 0, "");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> NpyShards.index(8, 3, List.of(a, b)));
        assertTrue(e.getMessage().contains("s-00001.npy starts at particle 5, expected 4"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> NpyShards.index(9, 3, List.of(a)));
        assertEquals("the shards hold 4 particles, not 9", e.getMessage());
    }

    @Test
    void aShardsLengthAndChecksumAreThoseOfItsBytes() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        double[] x = ensemble().data();
        NpyShards.Shard shard = NpyShards.write(out, "x.npy", 7, 2, 3, x, 6);
        byte[] bytes = out.toByteArray();
        assertEquals(bytes.length, shard.bytes());
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes)),
                shard.sha256());
        assertEquals(7, shard.first());
        assertEquals(2, shard.rows());
    }

    @Test
    void shardNamesFollowTheFileName() {
        assertEquals("out-00012.npy", NpyShards.shardName("out.npy", 12));
        assertEquals("out-index.json", NpyShards.indexName("out.npy"));
        assertTrue(NpyShards.isShard("out.npy", "out-00012.npy"));
        assertFalse(NpyShards.isShard("out.npy", "out-12.npy"));
        assertFalse(NpyShards.isShard("out.npy", "outer-00012.npy"));
        assertThrows(IllegalArgumentException.class, () -> NpyShards.stem("samples.parquet"));
    }

    private static List<String> names(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
