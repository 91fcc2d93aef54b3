package org.scorepipe.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.scorepipe.runtime.checkpoint.CheckpointFolder;

/**
 * A checkpoint folder on any Hadoop file system ({@code hdfs://}, {@code s3a://} with the
 * user's connector, {@code file://}). A file is written to a hidden temporary name, synced
 * ({@code hsync}) and renamed: atomic on HDFS and local disks; on object stores, where a rename
 * is a copy, the temporary name still keeps a half-written file from ever carrying a
 * checkpoint's name. Hadoop's {@code .crc} side files are not written, so the local runner
 * (which reads {@code file://} folders with plain Java I/O) and this folder see the same files.
 */
final class HadoopCheckpointFolder implements CheckpointFolder {
    private final Path dir;
    private final FileSystem fs;

    HadoopCheckpointFolder(String uri, Configuration conf) throws IOException {
        this.dir = new Path(URI.create(uri));
        // A private instance: the checksum switches below must not change the shared cached one.
        this.fs = FileSystem.newInstance(dir.toUri(), conf);
        fs.setWriteChecksum(false);
        fs.setVerifyChecksum(false);
    }

    @Override
    public String location() {
        return dir.toString();
    }

    @Override
    public String locate(String name) {
        return new Path(dir, name).toString();
    }

    @Override
    public List<String> names() throws IOException {
        List<String> names = new ArrayList<>();
        try {
            for (FileStatus status : fs.listStatus(dir)) {
                if (status.isFile()) {
                    names.add(status.getPath().getName());
                }
            }
        } catch (FileNotFoundException e) {
            return List.of();
        }
        return names;
    }

    @Override
    public void writeAtomically(String name, StreamWriter writer) throws IOException {
        fs.mkdirs(dir);
        Path target = new Path(dir, name);
        Path tmp = new Path(dir, "." + name + "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp");
        try {
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                writer.write(out);
                out.hsync();
            }
            if (fs.exists(target)) {
                // Replace in one rename (atomic on HDFS and local disks): deleting first would leave
                // a moment with no checkpoint of that name at all.
                FileContext.getFileContext(fs.getUri(), fs.getConf()).rename(tmp, target, Options.Rename.OVERWRITE);
            } else if (!fs.rename(tmp, target)) {
                throw new IOException("could not rename " + tmp + " to " + target);
            }
        } finally {
            if (fs.exists(tmp)) {
                fs.delete(tmp, false);
            }
        }
    }

    @Override
    public InputStream open(String name) throws IOException {
        try {
            return fs.open(new Path(dir, name));
        } catch (FileNotFoundException e) {
            throw new NoSuchFileException(locate(name));
        }
    }

    @Override
    public long size(String name) throws IOException {
        return fs.getFileStatus(new Path(dir, name)).getLen();
    }

    @Override
    public void delete(String name) throws IOException {
        fs.delete(new Path(dir, name), false);
    }

    /** One folder per location and executor JVM: a Hadoop configuration and file system cost tens of milliseconds to make. */
    private static final java.util.concurrent.ConcurrentHashMap<String, HadoopCheckpointFolder> ON_EXECUTOR =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The folder at {@code uri} as a task on an executor reaches it, with the executor's Hadoop
     * settings, made once per executor JVM and kept for its life (it holds no open file).
     */
    static HadoopCheckpointFolder onExecutor(String uri) {
        return ON_EXECUTOR.computeIfAbsent(uri, u -> {
            try {
                return new HadoopCheckpointFolder(u, org.apache.spark.deploy.SparkHadoopUtil.get()
                        .newConfiguration(org.apache.spark.SparkEnv.get().conf()));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot reach " + u + ": " + e.getMessage(), e);
            }
        });
    }
}
