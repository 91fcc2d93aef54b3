package org.scorepipe.runtime.checkpoint;

import static java.util.Objects.requireNonNull;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.scorepipe.runtime.run.AtomicFiles;

/** A checkpoint folder on the local disk; files are written with {@link AtomicFiles} (fsync, rename, fsync of the folder). */
final class LocalCheckpointFolder implements CheckpointFolder {
    private final Path dir;

    LocalCheckpointFolder(Path dir) {
        this.dir = requireNonNull(dir, "dir is null");
    }

    Path dir() {
        return dir;
    }

    @Override
    public String location() {
        return dir.toString();
    }

    @Override
    public String locate(String name) {
        return dir.resolve(name).toString();
    }

    @Override
    public List<String> names() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    @Override
    public void writeAtomically(String name, StreamWriter writer) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.write(dir.resolve(name), tmp -> {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                writer.write(out);
            }
        });
    }

    @Override
    public InputStream open(String name) throws IOException {
        return Files.newInputStream(dir.resolve(name));
    }

    @Override
    public long size(String name) throws IOException {
        return Files.size(dir.resolve(name));
    }

    @Override
    public void delete(String name) throws IOException {
        Files.deleteIfExists(dir.resolve(name));
    }
}
