package org.scorepipe.core.scores;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.Block;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;
import org.scorepipe.runtime.noise.PhiloxNoise;

class AnalyticScoreTest {
    static final int D = NoisedMixtureTest.D;

    static DataSource source(GaussianMixture mixture) {
        return new DataSource() {
            @Override
            public int dimension() {
                return mixture.dimension();
            }

            @Override
            public void sample(Block block, Noise noise) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Optional<GaussianMixture> gaussianMixture() {
                return Optional.of(mixture);
            }
        };
    }

    @Test
    void refusesADataSourceWithoutAClosedForm() {
        DataSource opaque = new DataSource() {
            @Override
            public int dimension() {
                return 2;
            }

            @Override
            public void sample(Block block, Noise noise) {
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AnalyticScore(new AnalyticScore.Params(), opaque, NoisedMixtureTest.ou()));
        assertTrue(e.getMessage().contains("needs a data source with a closed form"), e.getMessage());
        assertTrue(e.getMessage().contains("use a learned or empirical score instead"), e.getMessage());
    }

    @Test
    void scoreAndLogDensityAreTheNoisedMixtures() {
        GaussianMixture mixture = NoisedMixtureTest.fullMixture();
        NoisingPath path = NoisedMixtureTest.vp();
        AnalyticScore score = new AnalyticScore(new AnalyticScore.Params(), source(mixture), path);
        assertTrue(score.hasLogDensity());
        double[] x = new double[20 * D];
        PhiloxNoise.of(5, 0, 0).normals(0, 0, x, 0, x.length);
        // Alternate times so the cache is replaced and reused, and check every answer against a fresh mixture.
        for (double t : new double[] {0.3, 0.3, 0.7, 0.3, 0.7, 0.7}) {
            NoisedMixture fresh = NoisedMixture.of(mixture, path.meanScale(t), path.noiseScale(t));
            double[] expected = new double[x.length];
            fresh.score(x, D, 19, expected);
            double[] actual = new double[x.length];
            score.score(x, D, 19, t, actual);
            assertArrayEquals(expected, actual);
            double[] expectedLog = new double[19];
            fresh.logDensity(x, D, 19, expectedLog);
            double[] actualLog = new double[19];
            score.logDensity(x, D, 19, t, actualLog);
            assertArrayEquals(expectedLog, actualLog);
        }
        assertSame(score.at(0.7), score.at(0.7), "the same time reuses the cached mixture");
    }

    /** Threads asking for different times at once each get their own time's score. */
    @Test
    void concurrentCallsAtDifferentTimesAreConsistent() throws Exception {
        GaussianMixture mixture = NoisedMixtureTest.diagonalMixture();
        NoisingPath path = NoisedMixtureTest.ou();
        AnalyticScore score = new AnalyticScore(new AnalyticScore.Params(), source(mixture), path);
        double[] x = new double[8 * D];
        PhiloxNoise.of(6, 0, 0).normals(0, 0, x, 0, x.length);
        double[] times = {0.1, 0.2, 0.4, 0.8};
        double[][] expected = new double[times.length][x.length];
        for (int i = 0; i < times.length; i++) {
            NoisedMixture.of(mixture, path.meanScale(times[i]), path.noiseScale(times[i])).score(x, 0, 8, expected[i]);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < times.length; i++) {
                int which = i;
                futures.add(pool.submit(() -> {
                    double[] out = new double[x.length];
                    for (int rep = 0; rep < 2000; rep++) {
                        score.score(x, 0, 8, times[which], out);
                        assertArrayEquals(expected[which], out);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void blockScoresDoNotDependOnTheBlocking() {
        AnalyticScore score = new AnalyticScore(new AnalyticScore.Params(),
                source(NoisedMixtureTest.fullMixture()), NoisedMixtureTest.ve());
        Particles particles = new Particles(100, D);
        PhiloxNoise.of(8, 0, 0).normals(0, 0, particles.data(), 0, 100 * D);
        double[] whole = new double[100 * D];
        score.score(particles.all(), 0.4, whole);
        double[] first = new double[37 * D];
        score.score(particles.block(0, 37), 0.4, first);
        double[] second = new double[63 * D];
        score.score(particles.block(37, 100), 0.4, second);
        double[] split = new double[100 * D];
        System.arraycopy(first, 0, split, 0, first.length);
        System.arraycopy(second, 0, split, first.length, second.length);
        assertArrayEquals(whole, split);
    }
}
