package org.scorepipe.core.scores;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.GaussianMixture.Form;
import org.scorepipe.api.Simd;

/**
 * The dense score's SIMD lanes ({@link FullScoreLanes}) give the plain path's bytes on random
 * mixtures at every shape that selects a different part of the kernel: a block of rows is scored
 * through the lanes (all but its last {@code rows mod LANES} rows), a single row always through
 * the plain loops of {@link NoisedMixture}, and the two must agree bit for bit (no tolerance: the
 * kernels run the same operations in the same order per row).
 */
class FullScoreLanesTest {

    static Stream<Arguments> shapes() {
        List<Arguments> shapes = new ArrayList<>();
        // d < 8 and d = 64 take the six-chain sum for the scores, 16, 17 and 40 the held
        // responsibilities: K = 1, 3, 5, 8, 12 reach its groups of one, two, four and eight.
        for (int d : new int[] {2, 3, 16, 17, 40, 64}) {
            for (int k : new int[] {1, 3, 5, 8, 12}) {
                shapes.add(Arguments.of(d, k));
            }
        }
        return shapes.stream();
    }

    /** A random mixture of {@code k} dense Gaussians in {@code d} dimensions: covariances {@code A A^T + 0.05 I}, {@code A} uniform on {@code [-1, 1] / sqrt d}. */
    static GaussianMixture randomMixture(int d, int k, SplittableRandom random) {
        double[] weights = new double[k];
        double total = 0.0;
        for (int c = 0; c < k; c++) {
            weights[c] = 0.2 + random.nextDouble();
            total += weights[c];
        }
        List<GaussianMixture.Gaussian> components = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            weights[c] /= total;
            double[] mean = new double[d];
            double[] a = new double[d * d];
            for (int i = 0; i < d; i++) {
                mean[i] = random.nextDouble(-2, 2);
                for (int j = 0; j < d; j++) {
                    a[i * d + j] = random.nextDouble(-1, 1) / Math.sqrt(d);
                }
            }
            double[] covariance = new double[d * d];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    double s = i == j ? 0.05 : 0.0;
                    for (int m = 0; m < d; m++) {
                        s += a[i * d + m] * a[j * d + m];
                    }
                    covariance[i * d + j] = s;
                }
            }
            components.add(new GaussianMixture.Gaussian(mean, Form.FULL, covariance));
        }
        return new GaussianMixture(weights, components);
    }

    @ParameterizedTest(name = "d {0}, K {1}")
    @MethodSource("shapes")
    void lanesEqualThePlainPathBitForBit(int d, int k) {
        assertTrue(Simd.ENABLED, "the tests run with --add-modules jdk.incubator.vector (see the parent pom)");
        SplittableRandom random = new SplittableRandom(31L * d + k);
        NoisedMixture noised = NoisedMixture.of(randomMixture(d, k, random), 0.8, 0.4);
        // Block sizes around the lane width, the three-vector tile and the 48-row chunk, none of
        // them (except 48 and 96 with eight lanes) a multiple of the vector width; offset rows first.
        int[] blocks = {1, Lanes.LANES - 1, Lanes.LANES + 1, 3 * Lanes.LANES + 5, 47, 48, 49, 96, 101, 203};
        int offsetRows = 3;
        int n = 203;
        double[] x = new double[(offsetRows + n) * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextDouble(-3, 3);
        }
        double[] plain = new double[n * d];
        double[] one = new double[d];
        for (int r = 0; r < n; r++) {
            noised.score(x, (offsetRows + r) * d, 1, one);
            System.arraycopy(one, 0, plain, r * d, d);
        }
        for (int rows : blocks) {
            double[] block = new double[rows * d];
            noised.score(x, offsetRows * d, rows, block);
            for (int e = 0; e < rows * d; e++) {
                assertEquals(Double.doubleToRawLongBits(plain[e]), Double.doubleToRawLongBits(block[e]),
                        "d " + d + ", K " + k + ", block of " + rows + ": row " + e / d + ", coordinate " + e % d);
            }
        }
    }
}
