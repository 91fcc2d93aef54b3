package org.scorepipe.runtime.config;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 */
public final class PipelineFile {
    /** A key of {@code --set}: names of letters, digits, {@code -} and {@code _}, joined by dots. */
    private static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

    private final String name;
    private final ImmutableNode root;

    private PipelineFile(String name, ImmutableNode root) {
        this.name = name;
        this.root = root;
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
        return parse(name, text, overrides);
    }

    /** Parses pipeline text; {@code name} is used in messages. */
    public static PipelineFile parse(String name, String text, List<String> overrides) {
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
        ImmutableNode resolved = resolve(name, interpolator, config.getNodeModel().getNodeHandler().getRootNode(), "");
        return new PipelineFile(name, resolved);
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

    private static ImmutableNode resolve(String name, ConfigurationInterpolator interpolator, ImmutableNode node, String path) {
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
            builder.addChild(resolve(name, interpolator, child, childPath));
        }
        return builder.create();
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

    /** The resolved tree's root. */
    public ConfigSection root() {
        return new ConfigSection(name, "", root);
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
