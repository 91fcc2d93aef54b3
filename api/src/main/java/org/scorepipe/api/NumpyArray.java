package org.scorepipe.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * An array read from NumPy's {@code .npy} format, or from one entry of an {@code .npz} archive:
 * its shape, its element type and its values as doubles, in C order. The one reader of the
 * format in scorepipe (the run's samples, the file data sources and the image source all use it).
 *
 * <p><b>The format</b> (numpy.lib.format, versions 1.0, 2.0 and 3.0): the magic {@code \x93NUMPY},
 * a major and a minor version byte, the header's length (2 bytes little-endian in version 1, 4
 * in versions 2 and 3), the header, then the raw values. The header is a Python dict literal
 * with exactly the keys {@code 'descr'} (a type string), {@code 'fortran_order'} ({@code True}
 * or {@code False}) and {@code 'shape'} (a tuple of non-negative ints), padded with spaces and
 * ended by a newline. It is parsed as that literal (strings, booleans, tuples of integers; any
 * other value is refused), not searched for substrings, so a {@code 'descr'} written inside
 * another string is a string, not a key.
 *
 * <p>Read: C order only, element types {@code <f8} (float64), {@code <f4} (float32, PyTorch's
 * default, widened exactly) and {@code |u1} (uint8, kept as the integers 0..255: scaling is the
 * caller's business). Every dimension is bounded by {@link Integer#MAX_VALUE}, the element count
 * is computed in {@code long} with overflow checks and must fit one Java array, and the bytes
 * after the header must be exactly {@code count * itemsize}. An {@code .npz} is a zip archive
 * (entries stored or deflated, as {@code np.savez} and {@code np.savez_compressed} write them)
 * whose entry {@code KEY.npy} holds the array named {@code KEY}.
 *
 * <p>Every failure is an {@link IllegalArgumentException} whose message names the file (and the
 * key) and what to do.
 */
public final class NumpyArray {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** The most values one array holds: a Java array's limit, with the JDK's usual headroom. */
    public static final long MAX_VALUES = Integer.MAX_VALUE - 8;

    /** The element types read, by their NumPy type string. */
    public enum Dtype {
        FLOAT64("<f8", 8), FLOAT32("<f4", 4), UINT8("|u1", 1);

        private final String descr;
        private final int itemSize;

        Dtype(String descr, int itemSize) {
            this.descr = descr;
            this.itemSize = itemSize;
        }

        /** NumPy's type string, e.g. {@code <f8}. */
        public String descr() {
            return descr;
        }

        /** Bytes per value. */
        public int itemSize() {
            return itemSize;
        }

        static Dtype of(String descr) {
            return switch (descr) {
                case "<f8", "=f8" -> FLOAT64;
                case "<f4", "=f4" -> FLOAT32;
                case "|u1", "<u1", "=u1", ">u1" -> UINT8;
                default -> null;
            };
        }
    }

    private final String source;
    private final Dtype dtype;
    private final int[] shape;
    private final double[] values;

    private NumpyArray(String source, Dtype dtype, int[] shape, double[] values) {
        this.source = source;
        this.dtype = dtype;
        this.shape = shape;
        this.values = values;
    }

    /** How messages name the array: {@code the .npy file F} or {@code key 'K' of the .npz file F}. */
    public String source() {
        return source;
    }

    public Dtype dtype() {
        return dtype;
    }

    /** The shape, outermost first (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    /** The number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** The values in C order (row-major), as doubles; the array itself, not a copy. */
    public double[] values() {
        return values;
    }

    /** Reads a {@code .npy} file. */
    public static NumpyArray readNpy(Path file) {
        String what = "the .npy file " + file;
        return parse(what, readAll(file, what));
    }

    /** Reads the array named {@code key} of an {@code .npz} file. */
    public static NumpyArray readNpz(Path file, String key) {
        String what = "the .npz file " + file;
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(what + " does not exist; check path");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry entry = zip.getEntry(key + ".npy");
            if (entry == null) {
                List<String> keys = new ArrayList<>();
                zip.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".npy"))
                        .forEach(n -> keys.add(n.substring(0, n.length() - 4)));
                throw new IllegalArgumentException(what + " has no array '" + key + "'; its keys are "
                        + (keys.isEmpty() ? "none" : String.join(", ", keys)));
            }
            String named = "key '" + key + "' of " + what;
            if (entry.getSize() > MAX_VALUES * 8 + 65536 + 16) {
                throw new IllegalArgumentException(named + " is " + entry.getSize() + " bytes, more than one array can hold");
            }
            byte[] bytes;
            try (InputStream in = zip.getInputStream(entry)) {
                bytes = readBounded(in, named);
            } catch (ZipException | java.io.EOFException e) {
                throw new IllegalArgumentException(named + " is damaged (" + e.getMessage() + "); write it again with np.savez");
            }
            return parse(named, bytes);
        } catch (ZipException e) {
            throw new IllegalArgumentException(what + " is not a readable zip archive (" + e.getMessage()
                    + "); an .npz is written by np.savez or np.savez_compressed");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + what + ": " + e.getMessage());
        }
    }

    /** Reads {@code file}: an {@code .npz} by {@code key}, anything else as a {@code .npy} (then {@code key} must be null). */
    public static NumpyArray read(Path file, String key) {
        boolean npz = file.getFileName() != null && file.getFileName().toString().toLowerCase().endsWith(".npz");
        if (npz) {
            if (key == null || key.isEmpty()) {
                throw new IllegalArgumentException("the .npz file " + file + " holds named arrays; give key: the one to read");
            }
            return readNpz(file, key);
        }
        if (key != null && !key.isEmpty()) {
            throw new IllegalArgumentException("key '" + key + "' is given but " + file
                    + " is not an .npz file (a .npy holds one array); leave key out");
        }
        return readNpy(file);
    }

    private static byte[] readAll(Path file, String what) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(what + " does not exist; check path");
        } catch (IOException | OutOfMemoryError e) {
            throw new IllegalArgumentException("cannot read " + what + ": " + e.getMessage());
        }
    }

    private static byte[] readBounded(InputStream in, String what) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[1 << 16];
        long total = 0;
        for (int r; (r = in.read(chunk)) > 0; ) {
            total += r;
            if (total > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(what + " holds more bytes than one array can");
            }
            out.write(chunk, 0, r);
        }
        return out.toByteArray();
    }

    /** Parses the bytes of a {@code .npy} file; {@code what} names it in messages. */
    public static NumpyArray parse(String what, byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < MAGIC.length + 4) {
            throw new IllegalArgumentException(what + " is too short (" + bytes.length + " bytes) to be a .npy file");
        }
        for (byte b : MAGIC) {
            if (buffer.get() != b) {
                throw new IllegalArgumentException(what + " is not a .npy file (it does not start with \\x93NUMPY)");
            }
        }
        int major = buffer.get();
        buffer.get();
        long headerLength;
        if (major == 1) {
            headerLength = Short.toUnsignedInt(buffer.getShort());
        } else if (major == 2 || major == 3) {
            if (buffer.remaining() < 4) {
                throw new IllegalArgumentException(what + " is truncated inside its header");
            }
            headerLength = Integer.toUnsignedLong(buffer.getInt());
        } else {
            throw new IllegalArgumentException(what + " has format version " + major + ", which is not 1, 2 or 3");
        }
        if (headerLength > buffer.remaining()) {
            throw new IllegalArgumentException(what + " is truncated inside its header (" + headerLength
                    + " header bytes promised, " + buffer.remaining() + " present)");
        }
        String header = new String(bytes, buffer.position(), (int) headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).strip();
        buffer.position(buffer.position() + (int) headerLength);
        Map<String, Object> dict = new HeaderParser(what, header).dict();
        if (!dict.keySet().equals(java.util.Set.of("descr", "fortran_order", "shape"))) {
            throw new IllegalArgumentException(what + " has the header keys " + dict.keySet()
                    + ", not exactly 'descr', 'fortran_order' and 'shape': " + header);
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw new IllegalArgumentException(what + ": 'descr' is not a type string in its header " + header
                    + " (a structured array?); save a plain numeric array");
        }
        Dtype dtype = Dtype.of(descr);
        if (dtype == null) {
            throw new IllegalArgumentException(what + " holds values of type '" + descr + "', not float64 ('<f8'),"
                    + " float32 ('<f4') or uint8 ('|u1'); save it with array.astype(np.float32) (or np.float64)");
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new IllegalArgumentException(what + ": 'fortran_order' is not True or False in its header " + header);
        }
        if (fortran) {
            throw new IllegalArgumentException(what + " is in Fortran order; save np.ascontiguousarray(array)");
        }
        if (!(dict.get("shape") instanceof long[] dims)) {
            throw new IllegalArgumentException(what + ": 'shape' is not a tuple of integers in its header " + header);
        }
        int[] shape = new int[dims.length];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + " has the shape " + HeaderParser.tuple(dims)
                        + " with a dimension above " + Integer.MAX_VALUE + "; no array that large can be read");
            }
            shape[i] = (int) dims[i];
            count *= dims[i];
            if (count > MAX_VALUES) {
                throw new IllegalArgumentException(what + " has the shape " + HeaderParser.tuple(dims)
                        + ": more than " + MAX_VALUES + " values, more than one Java array holds");
            }
        }
        long expected = count * dtype.itemSize();
        if (buffer.remaining() != expected) {
            throw new IllegalArgumentException(what + " is " + (buffer.remaining() < expected ? "truncated" : "corrupt")
                    + ": its header promises " + HeaderParser.tuple(dims) + " " + descr + " values (" + expected
                    + " bytes) but " + buffer.remaining() + " bytes follow the header");
        }
        double[] values = new double[(int) count];
        switch (dtype) {
            case FLOAT64 -> buffer.asDoubleBuffer().get(values);
            case FLOAT32 -> {
                for (int i = 0; i < values.length; i++) {
                    values[i] = buffer.getFloat();
                }
            }
            case UINT8 -> {
                for (int i = 0; i < values.length; i++) {
                    values[i] = Byte.toUnsignedInt(buffer.get());
                }
            }
            default -> throw new AssertionError(dtype);
        }
        return new NumpyArray(what, dtype, shape, values);
    }

    /**
     * The header's Python dict literal: {@code { 'key': value, ... }} with an optional trailing
     * comma, values a string ({@code '...'} or {@code "..."}), {@code True}/{@code False} or a
     * tuple of non-negative integers ({@code ()}, {@code (n,)}, {@code (n, d)}, ...). Python's
     * escapes inside a string are kept as they are (no type string needs one).
     */
    private static final class HeaderParser {
        private final String what;
        private final String text;
        private int at;

        HeaderParser(String what, String text) {
            this.what = what;
            this.text = text;
        }

        static String tuple(long[] dims) {
            StringBuilder s = new StringBuilder("(");
            for (int i = 0; i < dims.length; i++) {
                s.append(i == 0 ? "" : ", ").append(dims[i]);
            }
            return s.append(dims.length == 1 ? ",)" : ")").toString();
        }

        private IllegalArgumentException bad(String expected) {
            return new IllegalArgumentException(what + " has a header that is not the Python dict NumPy writes ("
                    + expected + " at character " + at + "): " + text);
        }

        private void space() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private boolean take(char c) {
            space();
            if (at < text.length() && text.charAt(at) == c) {
                at++;
                return true;
            }
            return false;
        }

        Map<String, Object> dict() {
            Map<String, Object> entries = new HashMap<>();
            if (!take('{')) {
                throw bad("'{' expected");
            }
            while (!take('}')) {
                String key = string();
                if (!take(':')) {
                    throw bad("':' expected");
                }
                Object value = value();
                if (entries.put(key, value) != null) {
                    throw new IllegalArgumentException(what + " has the key '" + key + "' twice in its header: " + text);
                }
                if (!take(',')) {
                    if (!take('}')) {
                        throw bad("',' or '}' expected");
                    }
                    break;
                }
            }
            space();
            if (at != text.length()) {
                throw bad("nothing expected after the dict");
            }
            return entries;
        }

        private String string() {
            space();
            if (at >= text.length() || (text.charAt(at) != '\'' && text.charAt(at) != '"')) {
                throw bad("a quoted string expected");
            }
            char quote = text.charAt(at++);
            StringBuilder s = new StringBuilder();
            while (at < text.length() && text.charAt(at) != quote) {
                char c = text.charAt(at++);
                if (c == '\\' && at < text.length()) {
                    s.append(c);
                    c = text.charAt(at++);
                }
                s.append(c);
            }
            if (at >= text.length()) {
                throw bad("an unterminated string");
            }
            at++;
            return s.toString();
        }

        private Object value() {
            space();
            if (at < text.length() && (text.charAt(at) == '\'' || text.charAt(at) == '"')) {
                return string();
            }
            if (text.startsWith("True", at)) {
                at += 4;
                return Boolean.TRUE;
            }
            if (text.startsWith("False", at)) {
                at += 5;
                return Boolean.FALSE;
            }
            if (take('(')) {
                List<Long> dims = new ArrayList<>();
                boolean comma = true;
                while (!take(')')) {
                    if (!comma) {
                        throw bad("',' or ')' expected in the shape");
                    }
                    dims.add(integer());
                    comma = take(',');
                }
                if (dims.size() == 1 && !comma) {
                    throw bad("'(n,)' expected for a one-dimensional shape");
                }
                return dims.stream().mapToLong(Long::longValue).toArray();
            }
            // Anything else (a list of fields, None, a number) is not a header this reader reads.
            throw bad("a string, True, False or a tuple of integers expected (a structured array is not read)");
        }

        private long integer() {
            space();
            int start = at;
            while (at < text.length() && Character.isDigit(text.charAt(at))) {
                at++;
            }
            if (start == at) {
                throw bad("a non-negative integer expected in the shape");
            }
            if (at < text.length() && (text.charAt(at) == 'L' || text.charAt(at) == 'l')) {
                at++; // Python 2's long suffix, which old NumPy wrote
            }
            String digits = text.substring(start, at).replaceAll("[Ll]$", "");
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + " has a shape with the dimension " + digits
                        + ", too large for any array: " + text);
            }
        }
    }

    @Override
    public String toString() {
        return source + " " + dtype.descr() + " " + Arrays.toString(shape);
    }
}
