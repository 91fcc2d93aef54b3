package org.scorepipe.spark;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.scorepipe.runtime.run.NpyShards;

/**
 * Writes each range of particles where it lives as one {@code .npy} shard in a temporary folder,
 * and returns what it wrote (the shard's temporary name, first particle, rows, length, SHA-256):
 * the driver then renames the shards into place and writes their index ({@link NpyShards}). Each
 * task attempt writes under names of its own, so a retried or speculative attempt never
 * overwrites another's file, and only the attempts Spark keeps are renamed.
 */
final class NpyShardTask implements FlatMapFunction<Iterator<RangeState>, NpyShards.Shard> {
    private static final long serialVersionUID = 1L;

    private final String temporaryFolder;

    NpyShardTask(String temporaryFolder) {
        this.temporaryFolder = requireNonNull(temporaryFolder, "temporaryFolder is null");
    }

    @Override
    public Iterator<NpyShards.Shard> call(Iterator<RangeState> ranges) throws IOException {
        TaskContext task = TaskContext.get();
        String attempt = task == null ? "0-0" : task.stageAttemptNumber() + "-" + task.attemptNumber();
        FileSystem fs = FileSystem.get(URI.create(temporaryFolder), SparkHadoopUtil.get().newConfiguration(SparkEnv.get().conf()));
        List<NpyShards.Shard> written = new ArrayList<>();
        while (ranges.hasNext()) {
            RangeState r = ranges.next();
            if (r.n() == 0) {
                continue;
            }
            String name = r.firstIndex() + "-" + attempt + ".npy";
            written.add(NpyShards.write(fs.create(new Path(temporaryFolder, name), true), name, r.firstIndex(), r.n(),
                    r.dimension(), r.data(), 0));
        }
        return written.iterator();
    }
}
