package org.scorepipe.runtime.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.scorepipe.runtime.ScorepipeException;

/**
 * A text file a user hands scorepipe (a pipeline, a run's {@code config.yaml} or
 * {@code metrics.json}), read with a bound on its size before it is read whole: a wrong path
 * such as {@code /dev/zero} or a multi-gigabyte file is refused by name instead of filling the
 * heap, and so is a file that is not UTF-8 text or holds NUL bytes (a binary file).
 */
public final class TextFile {
    /** The bound for files people write: a pipeline file is a few kilobytes. */
    public static final int CONFIG_LIMIT = 16 << 20;

    private TextFile() {
    }

    /**
     * The text of {@code file}, at most {@code limit} bytes of UTF-8 without NUL characters.
     *
     * @param what what the file should be, for messages, e.g. {@code "a pipeline file (YAML)"}
     * @throws IOException if it cannot be read (a {@link java.nio.file.NoSuchFileException} if it is missing)
     * @throws ScorepipeException if it is larger than {@code limit} or is not text
     */
    public static String read(Path file, int limit, String what) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(limit);
            if (in.read() >= 0) {
                throw new ScorepipeException(file + ": larger than " + (limit >> 20) + " MiB, which is more than " + what
                        + " ever holds; check the path");
            }
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw new ScorepipeException(file + ": a binary file (a NUL byte at offset " + i + "), not " + what
                        + "; check the path");
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ScorepipeException(file + ": not UTF-8 text, so not " + what + "; check the path");
        }
    }
}
