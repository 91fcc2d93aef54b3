package org.scorepipe.runtime.run;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.scorepipe.runtime.ScorepipeException;

/**
 * One process owns a run directory at a time: {@code run}, {@code resume} (and anything else
 * that writes into it) hold an exclusive lock on its file {@value #FILE} for the life of the
 * process. The file says who holds it (pid, host, since when, what command), so a second process
 * is refused with one line naming the holder.
 *
 * <p>The lock is the operating system's ({@link FileChannel#tryLock()}), released by the kernel
 * when its process ends however it ends: a lock file left behind by a killed process is stale by
 * construction and is simply taken over. The file itself is never deleted, since deleting it
 * while another process opens it would let two processes lock two different files.
 */
public final class RunLock implements AutoCloseable {
    /** The lock file in the run directory. */
    public static final String FILE = ".scorepipe.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code runDirectory} (which must exist) for {@code command}, or throws a
     * {@link ScorepipeException} naming the process that holds it.
     */
    public static RunLock acquire(Path runDirectory, String command) {
        Path file = runDirectory.resolve(FILE);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (AccessDeniedException | java.nio.file.ReadOnlyFileSystemException e) {
            throw new ScorepipeException(runDirectory + " is read-only: a run can only be continued where it may write"
                    + " (its checkpoints, log and outputs); copy the run directory somewhere writable and resume the copy");
        } catch (FileSystemException e) {
            throw new ScorepipeException("cannot lock the run directory " + runDirectory + ": "
                    + (e.getReason() != null ? e.getReason() : e.getMessage()));
        } catch (IOException e) {
            throw new ScorepipeException("cannot lock the run directory " + runDirectory + ": " + e.getMessage());
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // this very process holds it already
        } catch (IOException e) {
            closeQuietly(channel);
            throw new ScorepipeException("cannot lock the run directory " + runDirectory + ": " + e.getMessage());
        }
        if (lock == null) {
            String holder = holder(channel);
            closeQuietly(channel);
            throw new ScorepipeException(runDirectory + " is in use by " + (holder.isEmpty() ? "another process" : holder)
                    + "; wait for it to finish, or stop it (Ctrl-C, or kill with its pid: it checkpoints and exits), then try again");
        }
        try {
            byte[] owner = (describe(command) + "\n").getBytes(StandardCharsets.UTF_8);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(owner), 0);
            channel.force(false);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new ScorepipeException("cannot write the lock file " + file + ": " + e.getMessage());
        }
        return new RunLock(channel, lock);
    }

    /** {@code "scorepipe resume (pid 4242 on host node1, since 2026-12-02T07:00:00Z)"}. */
    private static String describe(String command) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "an unknown host";
        }
        return "scorepipe " + command + " (pid " + ProcessHandle.current().pid() + " on host " + host + ", since "
                + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ")";
    }

    private static String holder(FileChannel channel) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(512);
            int read = channel.read(buffer, 0);
            return read <= 0 ? "" : new String(buffer.array(), 0, read, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing was written through it
        }
    }

    /** Whether {@code name} is the lock file (not a file of the run's own). */
    public static boolean isLockFile(Path file) {
        return file.getFileName().toString().equals(FILE);
    }

    /** Releases the lock (the process's end does too). */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // the channel's close below releases it as well
        }
        closeQuietly(channel);
    }
}
