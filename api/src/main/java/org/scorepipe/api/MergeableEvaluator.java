package org.scorepipe.api;

/**
 * An evaluator whose metrics follow from additive statistics of the particles (sums, counts),
 * so a distributed runner can compute them range by range where the particles live and combine
 * them on the driver instead of bringing every particle to one machine.
 *
 * <p>The statistics are taken over fixed chunks of {@link #CHUNK} particles aligned to the
 * global particle index and summed chunk by chunk in index order, whoever computes them: the
 * result is the same floating-point number for any threads, blocks or partitions.
 */
public interface MergeableEvaluator extends Evaluator {
    /** Particles per chunk; a distributed runner aligns its ranges to multiples of it. */
    int CHUNK = 256;

    /**
     * Additive statistics of the block's rows: a vector whose length depends only on the
     * dimension and the evaluator's parameters, so that vectors of different chunks add up.
     */
    double[] partial(Block block, EvalContext context);

    /** The metrics from statistics summed over every chunk of the ensemble, {@code n} particles in all. */
    Metrics combine(double[] statistics, long n, EvalContext context);

    /** Sums {@link #partial} over the chunks of the particles in index order, then combines. */
    @Override
    default Metrics evaluate(Particles particles, EvalContext context) {
        return combine(sumOfChunks(this, particles.all(), context), particles.size(), context);
    }

    /** The block's rows cut into chunks of {@link #CHUNK} aligned to the global particle index, in order. */
    static java.util.List<Block> chunks(Block block) {
        java.util.List<Block> chunks = new java.util.ArrayList<>();
        Particles particles = block.particles();
        int row = block.from();
        while (row < block.to()) {
            long global = particles.firstIndex() + row;
            int end = (int) Math.min(block.to(), row + (CHUNK - global % CHUNK));
            chunks.add(particles.block(row, end));
            row = end;
        }
        return chunks;
    }

    /** The chunk-by-chunk sum of {@code evaluator}'s statistics over the block's rows, chunks aligned to the global index. */
    static double[] sumOfChunks(MergeableEvaluator evaluator, Block block, EvalContext context) {
        double[] sum = null;
        for (Block chunk : chunks(block)) {
            double[] part = evaluator.partial(chunk, context);
            if (sum == null) {
                sum = part.clone();
            } else {
                if (part.length != sum.length) {
                    throw new IllegalStateException(evaluator.getClass().getSimpleName() + " gave statistics of lengths "
                            + sum.length + " and " + part.length);
                }
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += part[i];
                }
            }
        }
        return sum;
    }
}
