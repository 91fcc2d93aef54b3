package org.scorepipe.runtime.config;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.configuration2.YAMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.interpol.ConfigurationInterpolator;
import org.apache.commons.configuration2.interpol.DefaultLookups;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.scorepipe.runtime.ScorepipeException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A pipeline file read with Apache Commons Configuration, with {@code --set} overrides applied
 * and every {@code ${...}} resolved: the resolved tree is what components are built from and
 * what the run directory's {@code config.yaml} records.
 *
 * <p>Interpolation knows other keys ({@code ${pipeline.seed}}), environment variables
 * ({@code ${env:HOME}}) and system properties ({@code ${sys:user.dir}}), nothing else (no
 * {@code file:} or {@code url:} lookups). A reference that does not resolve is an error, not
 * literal text.
 *
 * <p>Relative file paths follow one rule ({@link PathResolution}): written in the file, they
 * resolve against the file's folder; given with {@code --set}, against the working directory.
 * The file remembers which value came from where until its components are bound.
 */
public final class PipelineFile {
    /** A key of {@code --set}: names of letters, digits, {@code -} and {@code _}, joined by dots. */
    private static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

    private final String name;
    private final ImmutableNode root;
    /** For each value node read from the file (not from {@code --set}), the file's folder. */
    private final Map<ImmutableNode, Path> folders;
    private final Path workingDirectory;

    private PipelineFile(String name, ImmutableNode root, Map<ImmutableNode, Path> folders, Path workingDirectory) {
        this.name = name;
        this.root = root;
        this.folders = folders;
        this.workingDirectory = workingDirectory;
    }

    /** Reads {@code file} and applies {@code overrides} ({@code key=value}, as given to {@code --set}). */
    public static PipelineFile load(Path file, List<String> overrides) {
        String name = file.toString();
        String text;
        try {
            text = TextFile.read(file, TextFile.CONFIG_LIMIT, "a pipeline file (YAML text)");
        } catch (NoSuchFileException e) {
            throw new ScorepipeException(name + ": no such file. Check the path; the shipped pipelines are in pipelines/.");
        } catch (IOException e) {
            throw new ScorepipeException(name + ": cannot read the file: " + e.getMessage());
        }
        Path folder = file.toAbsolutePath().normalize().getParent();
        return parse(name, text, folder == null ? Path.of("").toAbsolutePath() : folder, overrides);
    }

    /**
     * Parses pipeline text that belongs to no file (a checkpoint's config, a test's text);
     * {@code name} is used in messages. Its relative file paths resolve against the working directory.
     */
    public static PipelineFile parse(String name, String text, List<String> overrides) {
        return parse(name, text, Path.of("").toAbsolutePath(), overrides);
    }

    /**
     * Parses pipeline text as if read from a file in {@code folder}: relative file paths
     * written in the text resolve against {@code folder}, those of {@code overrides} against
     * the working directory.
     */
    public static PipelineFile parse(String name, String text, Path folder, List<String> overrides) {
        YAMLConfiguration config = new YAMLConfiguration();
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try (Reader reader = new java.io.StringReader(text)) {
            config.read(reader, options);
        } catch (ConfigurationException | IOException | RuntimeException e) {
            throw malformed(name, e);
        }
        if (config.getNodeModel().getNodeHandler().getRootNode().getChildren().isEmpty()) {
            throw new ScorepipeException(name + ": the file is empty; a pipeline needs at least `pipeline:` and `stages:`");
        }
        // The nodes read from the text; Commons Configuration's node model replaces only what an override
        // changes, so a node still in the tree after the overrides by identity is the file's own.
        Set<ImmutableNode> fromText = Collections.newSetFromMap(new IdentityHashMap<>());
        collect(config.getNodeModel().getNodeHandler().getRootNode(), fromText);
        for (String override : overrides) {
            applyOverride(name, config, override);
        }
        // The default interpolator also knows file:, url:, script-like lookups and more; keep env and sys only.
        ConfigurationInterpolator interpolator = config.getInterpolator();
        for (String prefix : List.copyOf(interpolator.prefixSet())) {
            interpolator.deregisterLookup(prefix);
        }
        interpolator.registerLookups(Map.of(
                "env", DefaultLookups.ENVIRONMENT.getLookup(),
                "sys", DefaultLookups.SYSTEM_PROPERTIES.getLookup()));
        Map<ImmutableNode, Path> folders = new IdentityHashMap<>();
        ImmutableNode resolved = resolve(name, interpolator, config.getNodeModel().getNodeHandler().getRootNode(), "",
                fromText, folder.toAbsolutePath(), folders);
        return new PipelineFile(name, resolved, Collections.unmodifiableMap(folders), Path.of("").toAbsolutePath());
    }

    private static void collect(ImmutableNode node, Set<ImmutableNode> out) {
        out.add(node);
        for (ImmutableNode child : node.getChildren()) {
            collect(child, out);
        }
    }

    private static ScorepipeException malformed(String name, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException marked) {
                Mark mark = marked.getProblemMark() != null ? marked.getProblemMark() : marked.getContextMark();
                String where = mark == null ? "" : ": line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
                String problem = marked.getProblem() != null ? marked.getProblem() : marked.getMessage();
                String context = marked.getContext() != null ? " (" + marked.getContext() + ")" : "";
                return new ScorepipeException(name + where + ": malformed YAML: " + problem + context);
            }
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return new ScorepipeException(name + ": malformed YAML: " + root.getMessage());
    }

    /**
     * Applies one {@code key=value}. A key may name a stage by its name
     * ({@code stages.sample.steps}); it is mapped to the list index Commons Configuration uses
     * ({@code stages(1).steps}). The value is read as YAML, so lists and numbers keep their types.
     */
    private static void applyOverride(String name, YAMLConfiguration config, String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new ScorepipeException("--set " + override + ": expected key=value, e.g. --set pipeline.seed=3");
        }
        String key = override.substring(0, eq).trim();
        String valueText = override.substring(eq + 1).trim();
        // Anything but names and dots (brackets, parentheses, @) would reach Commons Configuration's expression
        // syntax and set an attribute or nothing at all, silently.
        if (!KEY.matcher(key).matches()) {
            throw new ScorepipeException("--set " + override + ": '" + key + "' is not a key; a key is names joined by dots,"
                    + " e.g. --set stages.sample.steps=200 (stages by name or by index, stages.1.steps)");
        }
        Object value;
        try {
            value = valueText.isEmpty() ? "" : new Yaml().load(valueText);
        } catch (RuntimeException e) {
            throw new ScorepipeException(malformed("--set " + override, e).getMessage()
                    + "; quote a text value that YAML cannot read, e.g. --set '" + key + "=\"" + valueText + "\"'");
        }
        if (value instanceof Map) {
            throw new ScorepipeException("--set " + override + ": set the keys of a map one by one, e.g. --set "
                    + key + ".type=...");
        }
        String[] parts = key.split("\\.");
        if (parts.length >= 2 && parts[0].equals("stages") && !parts[1].matches("\\d+")) {
            List<String> names = new ArrayList<>();
            int count = config.configurationsAt("stages").size();
            int index = -1;
            for (int i = 0; i < count; i++) {
                String stageName = config.getString("stages(" + i + ").name", config.getString("stages(" + i + ").type"));
                names.add(stageName);
                if (parts[1].equals(stageName)) {
                    index = i;
                }
            }
            if (index < 0) {
                throw new ScorepipeException("--set " + override + ": " + name + " has no stage named '" + parts[1]
                        + "'; its stages are " + names);
            }
            parts[1] = "stages(" + index + ")";
            key = String.join(".", List.of(parts).subList(1, parts.length));
        } else if (parts.length >= 2 && parts[0].equals("stages")) {
            int count = config.configurationsAt("stages").size();
            if (parts[1].length() > 9 || Integer.parseInt(parts[1]) >= count) {
                throw new ScorepipeException("--set " + override + ": " + name + " has " + count + " stage" + (count == 1 ? "" : "s")
                        + (count == 0 ? "" : ", indexed 0 to " + (count - 1)) + "; address a stage by its index or its name");
            }
            parts[1] = "stages(" + Integer.parseInt(parts[1]) + ")";
            key = String.join(".", List.of(parts).subList(1, parts.length));
        }
        config.clearProperty(key);
        config.setProperty(key, value);
    }

    private static ImmutableNode resolve(String name, ConfigurationInterpolator interpolator, ImmutableNode node, String path,
            Set<ImmutableNode> fromText, Path folder, Map<ImmutableNode, Path> folders) {
        ImmutableNode.Builder builder = new ImmutableNode.Builder().name(node.getNodeName());
        Object value = node.getValue();
        if (value instanceof String s && s.contains("${")) {
            Object resolved;
            try {
                resolved = interpolator.interpolate(s);
            } catch (RuntimeException e) {
                throw new ConfigException(name, path, "cannot resolve " + s + ": " + e.getMessage());
            }
            if (resolved == null || resolved.toString().contains("${")) {
                throw new ConfigException(name, path, "cannot resolve " + s + ": " + unresolved(resolved == null ? s : resolved.toString()));
            }
            value = resolved;
        }
        builder.value(value);
        for (ImmutableNode child : node.getChildren()) {
            String childPath = path.isEmpty() ? child.getNodeName() : path + "." + child.getNodeName();
            builder.addChild(resolve(name, interpolator, child, childPath, fromText, folder, folders));
        }
        ImmutableNode created = builder.create();
        if (fromText.contains(node)) {
            folders.put(created, folder);
        }
        return created;
    }

    /** Why the first {@code ${...}} left in {@code text} did not resolve. */
    private static String unresolved(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\{([^}]*)}").matcher(text);
        String reference = m.find() ? m.group(1) : "";
        if (reference.startsWith("env:")) {
            return "the environment variable " + reference.substring(4) + " is not set";
        }
        if (reference.startsWith("sys:")) {
            return "the system property " + reference.substring(4) + " is not set";
        }
        return (reference.contains(":") ? "only env: and sys: lookups are available" : "there is no key " + reference)
                + "; name another key (${pipeline.seed}), an environment variable (${env:NAME}) or a system property (${sys:name})";
    }

    /** The file name used in messages. */
    public String name() {
        return name;
    }

    /**
     * The resolved tree's root, with a fresh {@link PathResolution}: relative file paths bound
     * from it resolve against this file's folder, or the working directory for {@code --set} values.
     */
    public ConfigSection root() {
        return new ConfigSection(name, "", root, new PathResolution(folders, workingDirectory));
    }

    /**
     * This pipeline with the file paths {@code paths} resolved (in binding sections of
     * {@link #root()}) written as absolute paths: what a run records.
     */
    public PipelineFile withResolvedPaths(PathResolution paths) {
        return new PipelineFile(name, paths.rewrite(root), folders, workingDirectory);
    }

    /**
     * The resolved tree without its {@code run} section (the run's identity, not its config): what
     * two configs are compared by, key by key ({@link ConfigTrees#diff}).
     */
    public ImmutableNode withoutRunIdentity() {
        ImmutableNode.Builder b = new ImmutableNode.Builder();
        for (ImmutableNode child : root.getChildren()) {
            if (!child.getNodeName().equals("run")) {
                b.addChild(child);
            }
        }
        return b.create();
    }

    /** The resolved pipeline as YAML text. */
    public String toYaml() {
        YAMLConfiguration out = new YAMLConfiguration();
        out.getNodeModel().setRootNode(root);
        StringWriter writer = new StringWriter();
        try {
            out.write(writer);
        } catch (ConfigurationException | IOException e) {
            throw new IllegalStateException("cannot write the resolved config", e);
        }
        return writer.toString();
    }
}
