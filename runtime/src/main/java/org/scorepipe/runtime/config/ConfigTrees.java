package org.scorepipe.runtime.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.commons.configuration2.tree.ImmutableNode;

/**
 * Comparing configuration trees: a canonical text (keys sorted, list order kept) whose hash
 * identifies a stage's resolved config, and a key-by-key difference for messages.
 */
public final class ConfigTrees {
    private ConfigTrees() {
    }

    /**
     * The canonical text of a node's children: keys in sorted order, the items of a list in
     * their order, values with their YAML type ({@code 1} and {@code 1.0} differ, as they bind
     * differently). Two trees that bind identically up to key order have the same text.
     */
    public static String canonical(ImmutableNode node) {
        StringBuilder out = new StringBuilder();
        append(node, out);
        return out.toString();
    }

    private static void append(ImmutableNode node, StringBuilder out) {
        if (node.getValue() != null) {
            Object v = node.getValue();
            out.append(v.getClass().getSimpleName()).append(':').append(v);
        }
        Map<String, List<ImmutableNode>> byName = group(node);
        if (!byName.isEmpty()) {
            out.append('{');
            for (String name : new TreeSet<>(byName.keySet())) {
                out.append(name).append("=[");
                for (ImmutableNode child : byName.get(name)) {
                    append(child, out);
                    out.append(';');
                }
                out.append("],");
            }
            out.append('}');
        }
    }

    private static Map<String, List<ImmutableNode>> group(ImmutableNode node) {
        Map<String, List<ImmutableNode>> byName = new LinkedHashMap<>();
        for (ImmutableNode child : node.getChildren()) {
            byName.computeIfAbsent(child.getNodeName(), k -> new ArrayList<>()).add(child);
        }
        return byName;
    }

    /** SHA-256 of the given texts, in order, as hex. */
    public static String sha256(List<String> texts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String text : texts) {
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                digest.update(java.nio.ByteBuffer.allocate(4).putInt(bytes.length).array());
                digest.update(bytes);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /**
     * The key paths whose values differ between two trees, each as
     * {@code path: old -> new} ({@code (absent)} for a missing key).
     */
    public static List<String> diff(String path, ImmutableNode before, ImmutableNode after) {
        List<String> out = new ArrayList<>();
        diff(path, before, after, out);
        return out;
    }

    private static void diff(String path, ImmutableNode before, ImmutableNode after, List<String> out) {
        if (before == null || after == null) {
            out.add(path + ": " + show(before) + " -> " + show(after));
            return;
        }
        if (!String.valueOf(before.getValue()).equals(String.valueOf(after.getValue()))) {
            out.add(path + ": " + show(before) + " -> " + show(after));
            return;
        }
        Map<String, List<ImmutableNode>> a = group(before);
        Map<String, List<ImmutableNode>> b = group(after);
        TreeSet<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        for (String key : keys) {
            List<ImmutableNode> x = a.getOrDefault(key, List.of());
            List<ImmutableNode> y = b.getOrDefault(key, List.of());
            String keyPath = path.isEmpty() ? key : path + "." + key;
            if (x.size() > 1 || y.size() > 1) {
                if (x.size() == y.size()) {
                    // Item by item; items with a name (stages) are addressed by it, as --set does.
                    for (int i = 0; i < x.size(); i++) {
                        String name = nameOf(x.get(i)).orElse(null);
                        boolean named = name != null && name.equals(nameOf(y.get(i)).orElse(null));
                        diff(named ? keyPath + "." + name : keyPath + "[" + i + "]", x.get(i), y.get(i), out);
                    }
                } else if (!listText(x).equals(listText(y))) {
                    out.add(keyPath + ": " + listText(x) + " -> " + listText(y));
                }
                continue;
            }
            diff(keyPath, x.isEmpty() ? null : x.get(0), y.isEmpty() ? null : y.get(0), out);
        }
    }

    private static java.util.Optional<String> nameOf(ImmutableNode node) {
        return node.getChildren().stream().filter(c -> c.getNodeName().equals("name") && c.getValue() != null)
                .map(c -> c.getValue().toString()).findFirst();
    }

    private static String listText(List<ImmutableNode> nodes) {
        if (nodes.isEmpty()) {
            return "(absent)";
        }
        List<String> items = new ArrayList<>();
        for (ImmutableNode n : nodes) {
            items.add(show(n));
        }
        return items.size() == 1 ? items.get(0) : items.toString();
    }

    /** A value as YAML writes it in flow style: {@code 0.05}, {@code [1, 2]}, {@code {every: 100, keep: 10}}. */
    private static String show(ImmutableNode node) {
        if (node == null) {
            return "(absent)";
        }
        if (node.getChildren().isEmpty()) {
            return String.valueOf(node.getValue());
        }
        List<String> entries = new ArrayList<>();
        group(node).forEach((name, children) -> entries.add(name + ": " + listText(children)));
        return "{" + String.join(", ", entries) + "}";
    }
}
