package org.scorepipe.runtime.config;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.configuration2.tree.ImmutableNode;

/**
 * A read-only view of one node of a loaded pipeline, with the key path that names it in error
 * messages ({@code stages.sample.corrector}).
 *
 * <p>Commons Configuration represents a YAML list as repeated sibling nodes of one name, so a
 * key's value is the list of its nodes: one node is a scalar or a map, several are a list.
 * (An empty YAML list leaves no node at all, and a one-element list reads as a scalar.)
 */
public final class ConfigSection {
    private final String file;
    private final String path;
    private final ImmutableNode node;
    private final PathResolution paths;

    /** A section whose relative file paths resolve against the working directory. */
    public ConfigSection(String file, String path, ImmutableNode node) {
        this(file, path, node, PathResolution.workingDirectory());
    }

    /** A section whose relative file paths resolve as {@code paths} says (see {@link PathResolution}). */
    public ConfigSection(String file, String path, ImmutableNode node, PathResolution paths) {
        this.file = requireNonNull(file, "file is null");
        this.path = requireNonNull(path, "path is null");
        this.node = requireNonNull(node, "node is null");
        this.paths = requireNonNull(paths, "paths is null");
    }

    /** Another node of the same tree, named {@code path} in messages, with the same path resolution. */
    public ConfigSection child(String path, ImmutableNode node) {
        return new ConfigSection(file, path, node, paths);
    }

    /**
     * The child section {@code key}, or an empty one at that path if this section has none: bound
     * to a parameter record, it gives the record's {@code @Default}s, so defaults live in one place.
     */
    public ConfigSection sectionOrEmpty(String key) {
        return section(key).orElseGet(() -> child(pathOf(key), new ImmutableNode.Builder().name(key).create()));
    }

    /** How the relative file paths of this section's tree resolve, and what they resolved to. */
    public PathResolution paths() {
        return paths;
    }

    /** The pipeline file this section was read from, for messages. */
    public String file() {
        return file;
    }

    /** The key path of this section, e.g. {@code components.data}; empty at the root. */
    public String path() {
        return path;
    }

    /** The key path of a child key. */
    public String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /**
     * This section's keys, and nothing else of its node, as one tree: what a stage's or a shared
     * component's config hash and a checkpoint's comparison read ({@link ConfigTrees}).
     */
    public ImmutableNode tree() {
        ImmutableNode.Builder b = new ImmutableNode.Builder().name("section");
        children().values().forEach(b::addChildren);
        return b.create();
    }

    /** Whether this node is a map (has child keys) rather than a scalar. */
    public boolean isMap() {
        return !node.getChildren().isEmpty() || node.getValue() == null;
    }

    /** The scalar value, or {@code null}. */
    public Object value() {
        return node.getValue();
    }

    /** The child keys in file order, each with its nodes. */
    public Map<String, List<ImmutableNode>> children() {
        Map<String, List<ImmutableNode>> children = new LinkedHashMap<>();
        for (ImmutableNode child : node.getChildren()) {
            children.computeIfAbsent(child.getNodeName(), k -> new ArrayList<>()).add(child);
        }
        return children;
    }

    public boolean has(String key) {
        return node.getChildren().stream().anyMatch(c -> c.getNodeName().equals(key));
    }

    /** The nodes of a key (several for a list, none if absent). */
    public List<ImmutableNode> nodes(String key) {
        List<ImmutableNode> nodes = new ArrayList<>();
        for (ImmutableNode child : node.getChildren()) {
            if (child.getNodeName().equals(key)) {
                nodes.add(child);
            }
        }
        return nodes;
    }

    /** The child section of a key that holds exactly one node. */
    public Optional<ConfigSection> section(String key) {
        List<ImmutableNode> nodes = nodes(key);
        if (nodes.isEmpty()) {
            return Optional.empty();
        }
        if (nodes.size() > 1) {
            throw error(pathOf(key), "expected one value, found a list of " + nodes.size());
        }
        return Optional.of(child(pathOf(key), nodes.get(0)));
    }

    /** The list items of a key as sections named {@code key[i]}. */
    public List<ConfigSection> items(String key) {
        List<ImmutableNode> nodes = nodes(key);
        List<ConfigSection> items = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            items.add(child(pathOf(key) + "[" + i + "]", nodes.get(i)));
        }
        return items;
    }

    /** A required string child. */
    public String string(String key) {
        ConfigSection s = section(key).orElseThrow(() -> error(pathOf(key), "is missing"));
        if (s.isMap() || s.value() == null) {
            throw error(pathOf(key), "expected a text value");
        }
        return s.value().toString();
    }

    public Optional<String> optionalString(String key) {
        return has(key) ? Optional.of(string(key)) : Optional.empty();
    }

    /** A user-facing error located at {@code keyPath} of this file. */
    public ConfigException error(String keyPath, String message) {
        return new ConfigException(file, keyPath, message);
    }

    /** A user-facing error located at this section. */
    public ConfigException error(String message) {
        return new ConfigException(file, path, message);
    }
}
