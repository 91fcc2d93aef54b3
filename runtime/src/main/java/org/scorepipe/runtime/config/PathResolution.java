package org.scorepipe.runtime.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.commons.configuration2.tree.ImmutableNode;

/**
 * The one rule for relative file paths in a config tree, and the absolute paths it gave.
 *
 * <p>A value written in a pipeline file resolves against that file's folder; a value given on the
 * command line ({@code --set}) against the working directory. Which is which is known per value
 * node (see {@link PipelineFile}); a tree without that knowledge (a test's text, a checkpoint's
 * config) resolves everything against the working directory. The binder resolves the
 * {@link org.scorepipe.api.FilePath} parameters it binds here and the resolution records them,
 * so that {@link #rewrite} gives the same tree with those values absolute: what a run's
 * {@code config.yaml}, its checkpoints and the stages' config hashes hold.
 *
 * <p>Empty values (none) and URIs with a scheme ({@code hdfs://nn/data}, {@code file:/data}) are
 * left as they are, and so is an absolute path (not even normalised, so a config written with
 * absolute paths hashes the same as before).
 */
public final class PathResolution {
    /** A URI scheme of two or more characters followed by a slash: {@code hdfs://}, {@code file:/}, not {@code C:\}. */
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:/");

    private final Map<ImmutableNode, Path> folders;
    private final Path workingDirectory;
    private final Map<ImmutableNode, String> resolved = new IdentityHashMap<>();

    /**
     * @param folders for value nodes read from a file, that file's folder (by node identity)
     * @param workingDirectory the folder every other value resolves against
     */
    PathResolution(Map<ImmutableNode, Path> folders, Path workingDirectory) {
        this.folders = requireNonNull(folders, "folders is null");
        this.workingDirectory = requireNonNull(workingDirectory, "workingDirectory is null").toAbsolutePath();
    }

    /** Everything relative to the working directory: for trees read from text alone. */
    public static PathResolution workingDirectory() {
        return new PathResolution(Collections.emptyMap(), Path.of("").toAbsolutePath());
    }

    /** The folder a relative path in {@code node} resolves against. */
    public Path folderOf(ImmutableNode node) {
        return folders.getOrDefault(node, workingDirectory);
    }

    /** Whether {@code node} was read from a file rather than given on the command line. */
    public boolean fromFile(ImmutableNode node) {
        return folders.containsKey(node);
    }

    /**
     * The absolute path {@code value} (the text of {@code node}) stands for, recorded for
     * {@link #rewrite}; throws naming {@code keyPath} if it is not a path at all.
     */
    public String resolve(ImmutableNode node, String value, ConfigSection where, String keyPath) {
        if (value.isEmpty() || SCHEME.matcher(value).lookingAt()) {
            return value;
        }
        Path path;
        try {
            path = Path.of(value);
        } catch (InvalidPathException e) {
            throw where.error(keyPath, "not a path: " + e.getMessage());
        }
        if (path.isAbsolute()) {
            return value;
        }
        String absolute = folderOf(node).resolve(path).normalize().toString();
        resolved.put(node, absolute);
        return absolute;
    }

    /** {@code node}'s tree with every value resolved so far replaced by its absolute path (unchanged subtrees shared). */
    public ImmutableNode rewrite(ImmutableNode node) {
        if (resolved.isEmpty()) {
            return node;
        }
        String value = resolved.get(node);
        List<ImmutableNode> children = new ArrayList<>(node.getChildren().size());
        boolean changed = value != null;
        for (ImmutableNode child : node.getChildren()) {
            ImmutableNode rewritten = rewrite(child);
            changed |= rewritten != child;
            children.add(rewritten);
        }
        if (!changed) {
            return node;
        }
        return new ImmutableNode.Builder(children.size()).name(node.getNodeName()).value(value != null ? value : node.getValue())
                .addChildren(children).addAttributes(node.getAttributes()).create();
    }
}
