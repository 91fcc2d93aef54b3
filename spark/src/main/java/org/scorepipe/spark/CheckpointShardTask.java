package org.scorepipe.spark;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.scorepipe.runtime.checkpoint.CheckpointShard;
import org.scorepipe.runtime.checkpoint.CheckpointShards;

/**
 * Writes each range of particles where it lives as one shard of a checkpoint, atomically, into
 * the checkpoint folder, and returns the shards it wrote for the manifest the driver then writes.
 * The shard's name carries the task attempt, so a retried or speculative attempt never writes
 * another's file; shards of attempts Spark drops are named by no manifest, and the checkpoint
 * store deletes them at its next save.
 */
final class CheckpointShardTask implements FlatMapFunction<Iterator<RangeState>, CheckpointShard> {
    private static final long serialVersionUID = 1L;

    private final String folder;
    private final CheckpointShards.Position at;
    private final Set<String> rowKeys;

    CheckpointShardTask(String folder, CheckpointShards.Position at, Set<String> rowKeys) {
        this.folder = requireNonNull(folder, "folder is null");
        this.at = requireNonNull(at, "at is null");
        this.rowKeys = Set.copyOf(rowKeys);
    }

    @Override
    public Iterator<CheckpointShard> call(Iterator<RangeState> ranges) throws IOException {
        String token = token();
        List<CheckpointShard> written = new ArrayList<>();
        HadoopCheckpointFolder target = HadoopCheckpointFolder.onExecutor(folder);
        while (ranges.hasNext()) {
            RangeState r = ranges.next();
            if (r.n() > 0) {
                written.add(write(target, r, at, rowKeys, token));
            }
        }
        return written.iterator();
    }

    /** A name part of this task attempt's own: a retried or speculative attempt writes other files. */
    static String token() {
        TaskContext task = TaskContext.get();
        return (task == null ? "0-0-0" : task.stageId() + "-" + task.stageAttemptNumber() + "-" + task.attemptNumber())
                + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }

    /** Writes range {@code r} as its shard of the checkpoint at {@code at}, atomically, with the rows of {@code rowKeys}. */
    static CheckpointShard write(HadoopCheckpointFolder target, RangeState r, CheckpointShards.Position at, Set<String> rowKeys,
            String token) throws IOException {
        Map<String, double[]> rows = new TreeMap<>(r.rows());
        rows.keySet().retainAll(rowKeys);
        String file = CheckpointShards.fileName(at.stage(), at.step(), r.firstIndex(), token);
        CheckpointShard[] shard = new CheckpointShard[1];
        target.writeAtomically(file, out -> shard[0] = CheckpointShards.write(out, file, at, r.firstIndex(), 0, r.n(),
                r.dimension(), r.data(), rows, r.n()));
        return shard[0];
    }
}
