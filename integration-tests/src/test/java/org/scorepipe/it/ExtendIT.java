package org.scorepipe.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scorepipe extend RUN_DIR --particles M} through the CLI: because a particle's noise
 * depends only on its index, a finished run grown to M particles equals a run with M particles
 * from the start, byte for byte; and a pipeline where that cannot hold is refused, saying why.
 */
class ExtendIT {
    @TempDir
    Path dir;

    private static final String[] SHORT = {"--set", "stages.corrector.steps=100", "--set", "stages.sample.grid.steps=50",
        "--quiet"};

    private Cli.Result run(String... args) throws Exception {
        return Cli.run(dir, args);
    }

    private Cli.Result quickstart(int particles, String out) throws Exception {
        String[] args = new String[5 + SHORT.length];
        args[0] = "run";
        args[1] = Cli.PIPELINES.resolve("quickstart.yaml").toString();
        args[2] = "--set";
        args[3] = "pipeline.particles=" + particles;
        args[4] = "--out=" + out;
        System.arraycopy(SHORT, 0, args, 5, SHORT.length);
        return run(args);
    }

    @Test
    void aGrownRunIsTheLargerRunByteForByte() throws Exception {
        assertEquals(0, quickstart(1000, "small").exitCode());
        assertEquals(0, quickstart(2500, "big").exitCode());
        byte[] smallBefore = Files.readAllBytes(dir.resolve("small/samples.npy"));
        Cli.Result grown = run("extend", "small", "--particles", "2500", "--out", "grown", "--quiet");
        assertEquals(0, grown.exitCode(), grown.all());
        assertArrayEquals(Files.readAllBytes(dir.resolve("big/samples.npy")), Files.readAllBytes(dir.resolve("grown/samples.npy")));
        // the evaluations of all 2500 particles, to the last digit
        assertEquals(JsonParser.parseString(Files.readString(dir.resolve("big/metrics.json"))).getAsJsonObject().get("evaluations"),
                JsonParser.parseString(Files.readString(dir.resolve("grown/metrics.json"))).getAsJsonObject().get("evaluations"));
        assertArrayEquals(smallBefore, Files.readAllBytes(dir.resolve("small/samples.npy")), "the finished run was changed");
        assertTrue(Files.readString(dir.resolve("grown/config.yaml")).contains("particles: 2500"));

        Cli.Result fewer = run("extend", "small", "--particles", "800", "--out", "fewer");
        assertEquals(2, fewer.exitCode(), fewer.all());
        assertTrue(fewer.stderr().contains("--particles 800 does not grow") && fewer.stderr().contains("has 1000 particles"),
                fewer.all());
        assertFalse(Files.exists(dir.resolve("fewer/samples.npy")));
    }

    /** A finished run whose checkpoints are sharded grows as one with single-file checkpoints does. */
    @Test
    void aRunWithShardedCheckpointsGrowsToTheLargerRunByteForByte() throws Exception {
        assertEquals(0, quickstart(2500, "big").exitCode());
        Cli.Result small = run("run", Cli.PIPELINES.resolve("quickstart.yaml").toString(), "--set", "pipeline.particles=1000",
                "--set", "checkpoint.layout=shards", "--out=sharded", SHORT[0], SHORT[1], SHORT[2], SHORT[3], "--quiet");
        assertEquals(0, small.exitCode(), small.all());
        try (java.util.stream.Stream<java.nio.file.Path> files = Files.list(dir.resolve("sharded/checkpoints"))) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().endsWith(".spshard")), "its checkpoints are sharded");
        }
        Cli.Result grown = run("extend", "sharded", "--particles", "2500", "--out", "grown", "--quiet");
        assertEquals(0, grown.exitCode(), grown.all());
        assertArrayEquals(Files.readAllBytes(dir.resolve("big/samples.npy")), Files.readAllBytes(dir.resolve("grown/samples.npy")));
    }

    /**
     * The multistep solvers' rows live with the particles, so the extension's particles make their
     * own history, exactly the larger run's: a grown dpm-solver++ or unipc run is that run byte for byte.
     */
    @Test
    void aGrownMultistepRunIsTheLargerRunByteForByte() throws Exception {
        for (String predictor : new String[] {"dpm-solver++", "unipc"}) {
            String[] set = {"--set", "stages.corrector.steps=10", "--set", "stages.sample.grid.steps=20", "--set",
                "stages.sample.predictor.type=" + predictor, "--quiet"};
            for (int particles : new int[] {300, 700}) {
                String[] args = new String[5 + set.length];
                args[0] = "run";
                args[1] = Cli.PIPELINES.resolve("quickstart.yaml").toString();
                args[2] = "--set";
                args[3] = "pipeline.particles=" + particles;
                args[4] = "--out=" + predictor + "-" + particles;
                System.arraycopy(set, 0, args, 5, set.length);
                Cli.Result r = run(args);
                assertEquals(0, r.exitCode(), r.all());
            }
            Cli.Result grown = run("extend", predictor + "-300", "--particles", "700", "--out", predictor + "-grown", "--quiet");
            assertEquals(0, grown.exitCode(), grown.all());
            assertArrayEquals(Files.readAllBytes(dir.resolve(predictor + "-700/samples.npy")),
                    Files.readAllBytes(dir.resolve(predictor + "-grown/samples.npy")), predictor);
        }
    }

    @Test
    void aPipelineWhoseParticlesDependOnEachOtherIsRefused() throws Exception {
        Cli.Result flow = run("run", Cli.PIPELINES.resolve("adaptive-flow-gmm.yaml").toString(), "--set", "pipeline.particles=500",
                "--out=flow", "--quiet");
        assertEquals(0, flow.exitCode(), flow.all());
        Cli.Result refused = run("extend", "flow", "--particles", "1000", "--out", "flow-grown");
        assertEquals(2, refused.exitCode(), refused.all());
        assertTrue(refused.stderr().contains("stage 'flow' moves particles with the whole ensemble at once")
                && refused.stderr().contains("--set pipeline.particles=1000"), refused.all());
        assertFalse(Files.exists(dir.resolve("flow-grown")) && dir.resolve("flow-grown").toFile().list().length > 0,
                "a refused extension left a run directory behind");
    }

    @Test
    void aRunWithoutCheckpointsCannotBeGrown() throws Exception {
        Cli.Result none = run("run", Cli.PIPELINES.resolve("quickstart.yaml").toString(), "--set", "pipeline.particles=300",
                "--set", "checkpoint.keep=0", "--set", "stages.corrector.steps=10", "--out=none", "--quiet");
        assertEquals(0, none.exitCode(), none.all());
        Cli.Result refused = run("extend", "none", "--particles", "600");
        assertEquals(2, refused.exitCode(), refused.all());
        assertTrue(refused.stderr().contains("no checkpoint at the end of the run"), refused.all());
    }
}
