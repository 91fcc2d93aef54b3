package org.scorepipe.runtime.assembly;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.ConfigurationException;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.ProvisionException;
import com.google.inject.spi.Message;
import com.google.inject.util.Types;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.scorepipe.api.BuildNoise;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Observer;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.Stage;
import org.scorepipe.api.StageSpec;
import org.scorepipe.api.Trainer;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.assembly.PipelineSections.PipelineSection;
import org.scorepipe.runtime.assembly.PipelineSections.RunnerSection;
import org.scorepipe.runtime.config.ConfigException;
import org.scorepipe.runtime.config.ConfigSection;
import org.scorepipe.runtime.config.ConfigTrees;
import org.scorepipe.runtime.config.ParameterBinder;
import org.scorepipe.runtime.config.PipelineFile;
import org.scorepipe.runtime.noise.PhiloxBuildNoise;
import org.scorepipe.runtime.plugins.ComponentRegistry;
import org.scorepipe.runtime.plugins.ComponentType;
import org.scorepipe.runtime.plugins.ConstructorParameter;
import org.scorepipe.runtime.run.Runner;

/**
 * Builds a {@link Pipeline} from a resolved pipeline file: binds every section's parameter
 * record, resolves each component's collaborators, and lets Guice construct it.
 *
 * <p>A component's constructor may ask for another component by its kind's interface. The
 * collaborator comes from the component's own section when it has the kind's key (a name of
 * a shared component, a type name, or an inline {@code {type: ...}} map), or else from the
 * pipeline's only shared component of that kind. {@code Optional<K>} is present only when the
 * section has the key; {@code List<K>} reads the key's plural ({@code evaluators}).
 *
 * <p>What a constructor may ask for is {@link ConstructorParameter}'s rule, checked when the
 * component was registered. Each component is built in a child injector of the run's injector
 * ({@link PipelineSpec}, {@link BuildNoise}) that binds its parameter record and its collaborators.
 */
public final class PipelineAssembler {
    private static final Set<String> TOP_LEVEL = new LinkedHashSet<>(List.of("pipeline", "run", "runner", "checkpoint", "components", "stages", "plugins", "train"));

    private final ComponentRegistry registry;

    public PipelineAssembler(ComponentRegistry registry) {
        this.registry = requireNonNull(registry, "registry is null");
    }

    /** Builds the pipeline. */
    public Pipeline assemble(PipelineFile file) {
        return new Build(file).pipeline();
    }

    /**
     * The shared components of {@code file} ({@code components:}), each built on demand with the
     * components it uses and nothing else, by the rules a run uses: how a tool that needs one
     * component (the report's data source) gets it without building the pipeline. The file's
     * top-level keys and its pipeline section are validated as for a run.
     */
    public SharedComponents shared(PipelineFile file) {
        Build build = new Build(file);
        build.root.section("components").ifPresent(build::declareShared);
        return new SharedComponents(build);
    }

    /** A pipeline file's shared components, built when asked for; see {@link #shared}. */
    public static final class SharedComponents {
        private final Build build;

        private SharedComponents(Build build) {
            this.build = build;
        }

        /** The pipeline section's settings. */
        public PipelineSpec spec() {
            return build.spec;
        }

        /** The names of the shared components of {@code kind}, in the file's order. */
        public List<String> names(ComponentKind kind) {
            return build.sharedKinds.entrySet().stream().filter(e -> e.getValue() == kind).map(Map.Entry::getKey).toList();
        }

        /**
         * The shared component {@code name}, built with its collaborators.
         *
         * @throws ScorepipeException naming the key, if it cannot be built
         */
        public Object get(String name) {
            if (!build.sharedSections.containsKey(name)) {
                throw new IllegalArgumentException("no shared component named " + name);
            }
            return build.sharedComponent(name);
        }

        /**
         * The trainer of the file's {@code train:} section, built with the components it uses: its
         * {@code type}, or the only installed trainer when the section names none.
         *
         * @throws ScorepipeException naming the key, if the section is missing or does not build
         */
        public Trainer trainer() {
            ConfigSection root = build.root;
            ConfigSection section = root.section("train").orElseThrow(() -> root.error("train", "is missing: `scorepipe train`"
                    + " reads its settings there, e.g. `train: {type: dsm, hidden: [128, 128], steps: 4000}`"));
            if (!section.isMap()) {
                throw section.error("expected a map of the trainer's settings, e.g. `train: {steps: 4000}`");
            }
            if (!section.has("type")) {
                List<String> trainers = build.knownNames(ComponentKind.TRAINER);
                if (trainers.size() != 1) {
                    throw section.error(section.pathOf("type"), trainers.isEmpty()
                            ? "no trainer is installed (the djl plugin has one: is it missing from the plugins folder?)"
                            : "several trainers are installed (" + String.join(", ", trainers) + "); say which with `type: ...`");
                }
                ImmutableNode.Builder typed = new ImmutableNode.Builder().name("train")
                        .addChild(new ImmutableNode.Builder().name("type").value(trainers.get(0)).create());
                section.children().values().forEach(typed::addChildren);
                section = section.child(section.path(), typed.create());
            }
            return (Trainer) build.build(ComponentKind.TRAINER, section, null, Set.of());
        }
    }

    /** The state of one assembly: the shared components built so far. */
    private final class Build {
        private final PipelineFile file;
        private final ConfigSection root;
        private final Injector runInjector;
        private final PipelineSpec spec;
        private final Map<String, ConfigSection> sharedSections = new LinkedHashMap<>();
        private final Map<String, ComponentKind> sharedKinds = new LinkedHashMap<>();
        private final Map<String, Object> shared = new HashMap<>();
        private final Set<String> building = new HashSet<>();
        /** For each shared component, the shared components it uses, directly or not. */
        private final Map<String, Set<String>> sharedUses = new HashMap<>();
        /** For each shared component, the components built for it (itself and inline collaborators). */
        private final Map<String, List<Pipeline.NamedComponent>> sharedBuilt = new HashMap<>();
        /** What the component being built uses, innermost last: shared names and every component built. */
        private final java.util.Deque<Usage> usage = new java.util.ArrayDeque<>();

        Build(PipelineFile file) {
            this.file = file;
            this.root = file.root();
            for (String key : root.children().keySet()) {
                if (!TOP_LEVEL.contains(key)) {
                    throw root.error(key, "unknown key" + ParameterBinder.suggestion(key, TOP_LEVEL)
                            + "; a pipeline file has the keys " + String.join(", ", TOP_LEVEL));
                }
            }
            ConfigSection pipelineSection = root.section("pipeline")
                    .orElseThrow(() -> root.error("pipeline", "is missing; add `pipeline: {name: ..., seed: ..., particles: ..., dimension: ...}`"));
            PipelineSection p = ParameterBinder.bind(PipelineSection.class, pipelineSection, List.of());
            this.spec = new PipelineSpec(p.name(), p.seed(), p.particles(), p.dimension());
            this.runInjector = Guice.createInjector(com.google.inject.Stage.PRODUCTION, new AbstractModule() {
                @Override
                protected void configure() {
                    bind(PipelineSpec.class).toInstance(spec);
                    bind(BuildNoise.class).toInstance(new PhiloxBuildNoise(spec.seed()));
                }
            });
        }

        Pipeline pipeline() {
            RunnerSection runner = ParameterBinder.bind(RunnerSection.class, root.sectionOrEmpty("runner"), List.of());
            if (runner.partitions() < 1 && root.section("runner").map(r -> r.has("partitions")).orElse(false)) {
                throw root.error("runner.partitions", "must be >= 1 (particle ranges of a distributed runner), got "
                        + runner.partitions() + "; leave it out to let the runner choose");
            }
            Pipeline.RunnerSettings settings;
            try {
                settings = new Pipeline.RunnerSettings(runner.type(), runner.threads(), runner.blockSize(), runner.partitions(),
                        runner.master() == null ? "" : runner.master());
            } catch (IllegalArgumentException e) {
                throw root.error("runner", e.getMessage());
            }
            PipelineSections.CheckpointSection checkpoint = ParameterBinder.bind(PipelineSections.CheckpointSection.class,
                    root.sectionOrEmpty("checkpoint"), List.of());
            root.section("components").ifPresent(this::declareShared);
            for (String name : sharedSections.keySet()) {
                sharedComponent(name);
            }
            List<Pipeline.Entry> entries = entries();
            if (settings.type().equals("local")) {
                for (Pipeline.Entry entry : entries) {
                    // A dataset the local runner does not write would fail the run at its end: refuse it now.
                    Optional<String> format = entry instanceof Pipeline.PlannedObserver o ? o.observer().datasetFormat() : Optional.empty();
                    if (format.isPresent() && !Runner.LOCAL_DATASET_FORMATS.contains(format.get())) {
                        throw root.error("stages." + entry.name(), "writes the samples as a dataset (format: " + format.get()
                                + "), which needs the Spark runner (--runner spark, e.g. with --master 'local[*]'); the local"
                                + " runner writes .npy files (format: npy or npy-shards)");
                    }
                }
            }
            String runId = ParameterBinder.bind(PipelineSections.RunSection.class, root.sectionOrEmpty("run"), List.of()).id();
            // Every file path of every component is bound by now: the config as a run records it has them absolute.
            return new Pipeline(spec, runId, settings, new Pipeline.CheckpointSettings(checkpoint.every(), checkpoint.keep(),
                    checkpoint.dir() == null ? "" : checkpoint.dir(), checkpoint.layout()), entries, file.withResolvedPaths(root.paths()));
        }

        private void declareShared(ConfigSection components) {
            if (!components.isMap()) {
                throw components.error("expected a map of named components, e.g. `components: {score: {type: analytic}}`");
            }
            components.children().forEach((name, nodes) -> {
                ConfigSection section = components.section(name).orElseThrow();
                if (!section.isMap()) {
                    throw section.error("expected a map with a type, e.g. `" + name + ": {type: ...}`");
                }
                sharedSections.put(name, section);
                sharedKinds.put(name, kindOfShared(section));
            });
        }

        private ComponentKind kindOfShared(ConfigSection section) {
            Optional<String> declared = section.optionalString("kind");
            if (declared.isPresent()) {
                for (ComponentKind kind : ComponentKind.values()) {
                    if (kind.cliName().equals(declared.get())) {
                        return kind;
                    }
                }
                List<String> kinds = List.of(ComponentKind.values()).stream().map(ComponentKind::cliName).toList();
                throw section.error(section.pathOf("kind"), "unknown kind '" + declared.get() + "'"
                        + ParameterBinder.suggestion(declared.get(), kinds) + "; kinds are " + kinds);
            }
            String type = section.string("type");
            List<ComponentKind> kinds = new ArrayList<>(registry.kindsNamed(type));
            kinds.remove(ComponentKind.STAGE);
            if (kinds.size() == 1) {
                return kinds.get(0);
            }
            if (kinds.isEmpty()) {
                // A shared component named after a kind (data, path, score, ...) is of that kind.
                String name = section.path().substring(section.path().lastIndexOf('.') + 1);
                for (ComponentKind kind : ComponentKind.values()) {
                    if (kind != ComponentKind.STAGE && kind.key().equals(name)) {
                        throw unknownType(kind, section, type);
                    }
                }
                List<String> known = registry.all().stream().filter(t -> t.kind() != ComponentKind.STAGE)
                        .map(ComponentType::name).distinct().sorted().toList();
                throw section.error(section.pathOf("type"), "unknown component type '" + type + "'"
                        + ParameterBinder.suggestion(type, known) + "; `scorepipe plugins list` shows the types by kind");
            }
            throw section.error(section.pathOf("type"), "'" + type + "' names a component of several kinds "
                    + kinds.stream().map(ComponentKind::cliName).toList() + "; add `kind: ...` to say which");
        }

        private Object sharedComponent(String name) {
            Object built = shared.get(name);
            if (built == null) {
                ConfigSection section = sharedSections.get(name);
                if (!building.add(name)) {
                    throw section.error("refers back to itself through its collaborators; shared components cannot form a cycle");
                }
                usage.push(new Usage());
                built = build(sharedKinds.get(name), section, null, Set.of("kind"));
                Usage own = usage.pop();
                building.remove(name);
                shared.put(name, built);
                sharedUses.put(name, own.shared);
                sharedBuilt.put(name, own.built);
            }
            Usage user = usage.peek();
            if (user != null) {
                user.shared.add(name);
                user.shared.addAll(sharedUses.get(name));
            }
            return built;
        }

        private List<Pipeline.Entry> entries() {
            List<ConfigSection> items = root.items("stages");
            if (items.isEmpty()) {
                throw root.error("stages", "is missing or empty; list the stages, e.g. `stages: [{type: init}, ...]`");
            }
            List<Pipeline.Entry> entries = new ArrayList<>();
            Set<String> names = new HashSet<>();
            int moving = 0; // stages before this entry: its noise key (observers do not count)
            for (int i = 0; i < items.size(); i++) {
                ConfigSection item = items.get(i);
                if (!item.isMap()) {
                    throw item.error("expected a stage, e.g. `{name: sample, type: sample, ...}`");
                }
                String type = item.string("type");
                String name = item.optionalString("name").orElse(type);
                if (!names.add(name)) {
                    throw item.error(item.pathOf("name"), "a second stage is named '" + name
                            + "'; give each stage a unique `name:` (overrides address stages by name)");
                }
                ImmutableNode node = item.tree();
                ConfigSection named = item.child("stages." + name, node);
                boolean observer = registry.find(ComponentKind.STAGE, type).isEmpty()
                        && registry.find(ComponentKind.OBSERVER, type).isPresent();
                if (observer && named.has("every")) {
                    throw named.error(named.pathOf("every"), "the " + type + " observer sees the ensemble once, between the"
                            + " stages around it; `every` applies to stages that take steps");
                }
                Optional<Long> every = observer ? Optional.empty() : every(named, type);
                usage.push(new Usage());
                Object built = observer
                        ? build(ComponentKind.OBSERVER, named, null, Set.of("name"))
                        : build(ComponentKind.STAGE, every.isPresent() ? withoutKeys(named, CURVE_KEYS) : named,
                                new StageSpec(name, i), Set.of("name"));
                Optional<Pipeline.Curve> curve = every.map(n -> new Pipeline.Curve(n,
                        (Observer) build(ComponentKind.OBSERVER, curveSection(named), null, Set.of())));
                Usage used = usage.pop();
                List<String> texts = new ArrayList<>();
                // Hashed with file paths absolute, as the run records them: a hash does not depend on the working directory.
                texts.add("stage:" + ConfigTrees.canonical(root.paths().rewrite(node)));
                for (String sharedName : new java.util.TreeSet<>(used.shared)) {
                    texts.add("components." + sharedName + ":" + ConfigTrees.canonical(root.paths().rewrite(sharedNode(sharedName))));
                }
                Map<String, Pipeline.NamedComponent> components = new LinkedHashMap<>();
                // A curve's observer is built at the stage's path too; the path is the stage's.
                Object curveObserver = curve.map(Pipeline.Curve::observer).orElse(null);
                used.built.stream().filter(c -> c.component() != curveObserver).forEach(c -> components.put(c.path(), c));
                for (String sharedName : new java.util.TreeSet<>(used.shared)) {
                    sharedBuilt.get(sharedName).forEach(c -> components.putIfAbsent(c.path(), c));
                }
                String hash = ConfigTrees.sha256(texts);
                if (observer) {
                    entries.add(new Pipeline.PlannedObserver(name, i, moving, type, (Observer) built, hash, List.copyOf(used.shared),
                            List.copyOf(components.values())));
                } else {
                    entries.add(new Pipeline.PlannedStage(name, i, moving, type, (Stage) built, hash, List.copyOf(used.shared), curve,
                            List.copyOf(components.values())));
                    moving++;
                }
            }
            return entries;
        }

        private ImmutableNode sharedNode(String name) {
            return root.section("components").orElseThrow().nodes(name).get(0);
        }

        /**
         * {@code every: N} on a stage records its {@code evaluators} every N steps: a convergence
         * curve, observed by the {@value #CURVE_OBSERVER} observer built from those keys.
         */
        private Optional<Long> every(ConfigSection stage, String type) {
            if (!stage.has("every")) {
                return Optional.empty();
            }
            String everyPath = stage.pathOf("every");
            long every;
            try {
                every = Long.parseLong(stage.string("every").trim());
            } catch (NumberFormatException e) {
                throw stage.error(everyPath, "expected a whole number of steps, found '" + stage.string("every") + "'");
            }
            if (every < 1) {
                throw stage.error(everyPath, "must be >= 1 (steps between records of the stage's evaluators)");
            }
            boolean ownEvaluators = registry.find(ComponentKind.STAGE, type)
                    .map(t -> t.parameters().stream().anyMatch(p -> p instanceof ConstructorParameter.Collaborator c
                            && c.key().equals("evaluators")))
                    .orElse(false);
            if (ownEvaluators) {
                // Its `evaluators` key is its own parameter, so it cannot also be the curve's.
                throw stage.error(everyPath, "the " + type + " stage takes `evaluators` of its own; `every` records a curve"
                        + " from the `evaluators` of a stage that does not");
            }
            if (stage.nodes("evaluators").isEmpty()) {
                throw stage.error(everyPath, "needs `evaluators: [...]` on the same stage: the metrics to record every "
                        + every + " steps");
            }
            return Optional.of(every);
        }

        /** The section of a stage's curve observer: {@code {type: evaluate, evaluators: [...]}}, at the stage's path. */
        private ConfigSection curveSection(ConfigSection stage) {
            ImmutableNode.Builder b = new ImmutableNode.Builder().name("stage");
            b.addChild(new ImmutableNode.Builder().name("type").value(CURVE_OBSERVER).create());
            b.addChildren(stage.children().get("evaluators"));
            return stage.child(stage.path(), b.create());
        }

        /**
         * Builds one component from its section. {@code stageSpec} is set for stages;
         * {@code ownKeys} are keys of the section that are not parameters ({@code name}, {@code kind}).
         */
        private Object build(ComponentKind kind, ConfigSection section, StageSpec stageSpec, Set<String> ownKeys) {
            String typeName = section.string("type");
            ComponentType type = registry.find(kind, typeName).orElseThrow(() -> unknownType(kind, section, typeName));
            Map<Key<?>, Object> bindings = new LinkedHashMap<>();
            Set<String> dependencyKeys = new LinkedHashSet<>();
            for (ConstructorParameter parameter : type.parameters()) {
                resolveParameter(parameter, type, section, stageSpec, bindings, dependencyKeys);
            }
            Set<String> otherKeys = new LinkedHashSet<>(ownKeys);
            otherKeys.add("type");
            otherKeys.addAll(dependencyKeys);
            if (type.params().isPresent()) {
                Record params = ParameterBinder.bind(type.params().get(), section, otherKeys);
                bindings.put(Key.get(type.params().get()), params);
            } else {
                for (String key : section.children().keySet()) {
                    if (!otherKeys.contains(key)) {
                        String hint = collaboratorKey(section, dependencyKeys, key).map(path -> "; did you mean " + path + "?")
                                .orElse(ParameterBinder.suggestion(key, otherKeys));
                        throw section.error(section.pathOf(key), "unknown key; the " + kind.label() + " '" + typeName
                                + "' takes no parameters of its own" + hint);
                    }
                }
            }
            Object component = construct(type, section, bindings);
            Usage user = usage.peek();
            if (user != null) {
                user.built.add(new Pipeline.NamedComponent(section.path(), component));
            }
            if (component instanceof DataSource data && data.dimension() != spec.dimension()) {
                throw section.error("dimension mismatch: this data source is " + data.dimension()
                        + "-dimensional but pipeline.dimension is " + spec.dimension());
            }
            return component;
        }

        private void resolveParameter(ConstructorParameter parameter, ComponentType type, ConfigSection section,
                StageSpec stageSpec, Map<Key<?>, Object> bindings, Set<String> dependencyKeys) {
            if (parameter instanceof ConstructorParameter.RunValue v) {
                // PipelineSpec and BuildNoise are the run injector's; the parameter record is bound once the collaborators' keys are known
                if (v.type() == StageSpec.class) {
                    bindings.put(Key.get(StageSpec.class), requireNonNull(stageSpec, "a stage's StageSpec is null"));
                }
            } else if (parameter instanceof ConstructorParameter.Collaborator c) {
                ComponentKind kind = c.kind();
                String key = c.key();
                dependencyKeys.add(key);
                Type interfaceType = kind.type();
                switch (c.arity()) {
                    case ONE -> bindings.put(Key.get(interfaceType),
                            section.has(key) ? collaborator(kind, section, key, section.nodes(key)) : onlyShared(kind, section));
                    case OPTIONAL -> bindings.put(Key.get(Types.newParameterizedType(Optional.class, interfaceType)),
                            section.has(key) ? Optional.of(collaborator(kind, section, key, section.nodes(key))) : Optional.empty());
                    case LIST -> {
                        List<Object> items = new ArrayList<>();
                        List<ImmutableNode> nodes = section.nodes(key);
                        for (int i = 0; i < nodes.size(); i++) {
                            items.add(collaborator(kind, section, key + "[" + i + "]", List.of(nodes.get(i))));
                        }
                        bindings.put(Key.get(Types.newParameterizedType(List.class, interfaceType)), List.copyOf(items));
                    }
                }
            }
        }

        /** The collaborator a section names under {@code key}: a shared name, a type name, or an inline map. */
        private Object collaborator(ComponentKind kind, ConfigSection owner, String key, List<ImmutableNode> nodes) {
            if (nodes.size() != 1) {
                throw owner.error(owner.pathOf(key), "expected one " + kind.label() + ", found a list");
            }
            ImmutableNode node = nodes.get(0);
            ConfigSection sub = owner.child(owner.pathOf(key), node);
            if (!sub.isMap()) {
                String name = String.valueOf(sub.value());
                if (sharedSections.containsKey(name)) {
                    if (!serves(name, kind)) {
                        throw sub.error("the shared component '" + name + "' is " + sharedKinds.get(name).labelWithArticle()
                                + ", not " + kind.labelWithArticle());
                    }
                    return sharedComponent(name);
                }
                if (registry.find(kind, name).isEmpty()) {
                    List<String> shared = sharedOfKind(kind);
                    throw sub.error("'" + name + "' is neither a shared " + kind.label() + " (" + (shared.isEmpty() ? "none defined" : String.join(", ", shared))
                            + ") nor " + kind.labelWithArticle() + " type" + ParameterBinder.suggestion(name, knownNames(kind))
                            + "; known types: " + String.join(", ", knownNames(kind)));
                }
                ImmutableNode inline = new ImmutableNode.Builder().name(node.getNodeName())
                        .addChild(new ImmutableNode.Builder().name("type").value(name).create()).create();
                return build(kind, owner.child(owner.pathOf(key), inline), null, Set.of());
            }
            return build(kind, sub, null, Set.of());
        }

        private Object onlyShared(ComponentKind kind, ConfigSection section) {
            List<String> candidates = sharedOfKind(kind);
            if (candidates.isEmpty()) {
                // None is declared of this kind: one of another kind that is one too (the analytic score is a conditional score).
                candidates = sharedSections.keySet().stream().filter(name -> serves(name, kind)).toList();
            }
            if (candidates.size() == 1) {
                return sharedComponent(candidates.get(0));
            }
            if (candidates.isEmpty()) {
                throw section.error("needs " + kind.labelWithArticle() + ": add `" + kind.key() + ": {type: ...}` here, or define one under"
                        + " `components:` (types: " + String.join(", ", knownNames(kind)) + ")");
            }
            throw section.error("needs " + kind.labelWithArticle() + " and the pipeline shares several (" + String.join(", ", candidates)
                    + "); say which with `" + kind.key() + ": <name>`");
        }

        /**
         * Whether the shared component {@code name} serves where {@code kind} is asked for: it is of
         * that kind, or its class implements that kind's interface as well.
         */
        private boolean serves(String name, ComponentKind kind) {
            ComponentKind declared = sharedKinds.get(name);
            return declared == kind || registry.find(declared, sharedSections.get(name).string("type"))
                    .map(type -> kind.type().isAssignableFrom(type.type())).orElse(false);
        }

        private List<String> sharedOfKind(ComponentKind kind) {
            return sharedKinds.entrySet().stream().filter(e -> e.getValue() == kind).map(Map.Entry::getKey)
                    .collect(Collectors.toList());
        }

        private List<String> knownNames(ComponentKind kind) {
            return registry.ofKind(kind).stream().map(ComponentType::name).toList();
        }

        /**
         * Where {@code key} is a parameter of one of the section's collaborators, e.g.
         * {@code stages.sample.grid.steps} for {@code stages.sample.steps}, or {@code components.<name>.key}
         * for a shared one.
         */
        private Optional<String> collaboratorKey(ConfigSection section, Set<String> dependencyKeys, String key) {
            for (ComponentKind kind : ComponentKind.values()) {
                Optional<ConfigSection> sub = dependencyKeys.contains(kind.key()) ? section.section(kind.key()) : Optional.empty();
                if (sub.isEmpty()) {
                    continue;
                }
                String path = sub.get().path();
                Optional<String> type = sub.get().isMap() ? sub.get().optionalString("type") : Optional.of(String.valueOf(sub.get().value()));
                if (!sub.get().isMap() && sharedSections.containsKey(type.get())) {
                    path = "components." + type.get();
                    type = sharedSections.get(type.get()).optionalString("type");
                }
                boolean has = type.flatMap(t -> registry.find(kind, t)).flatMap(ComponentType::params)
                        .map(params -> ParameterBinder.describe(params).stream().anyMatch(p -> p.key().equals(key))).orElse(false);
                if (has) {
                    return Optional.of(path + "." + key);
                }
            }
            return Optional.empty();
        }

        private ConfigException unknownType(ComponentKind kind, ConfigSection section, String typeName) {
            if (kind == ComponentKind.STAGE) {
                // An entry of `stages:` is a stage or an observer between stages.
                List<String> stages = knownNames(ComponentKind.STAGE);
                List<String> observers = knownNames(ComponentKind.OBSERVER);
                List<String> both = new ArrayList<>(stages);
                both.addAll(observers);
                return section.error(section.pathOf("type"), "unknown stage type '" + typeName + "'"
                        + ParameterBinder.suggestion(typeName, both) + "; known stages: "
                        + (stages.isEmpty() ? "none (is a plugin missing?)" : String.join(", ", stages))
                        + "; known observers: " + (observers.isEmpty() ? "none" : String.join(", ", observers)));
            }
            List<String> known = knownNames(kind);
            return section.error(section.pathOf("type"), "unknown " + kind.label() + " type '" + typeName + "'"
                    + ParameterBinder.suggestion(typeName, known) + "; known " + kind.label() + "s: "
                    + (known.isEmpty() ? "none (is a plugin missing?)" : String.join(", ", known)));
        }

        private Object construct(ComponentType type, ConfigSection section, Map<Key<?>, Object> bindings) {
            Injector injector;
            try {
                injector = runInjector.createChildInjector(new AbstractModule() {
                    @Override
                    @SuppressWarnings({"unchecked", "rawtypes"})
                    protected void configure() {
                        bindings.forEach((key, value) -> bind((Key) key).toInstance(value));
                        bind(type.type());
                    }
                });
                return injector.getInstance(type.type());
            } catch (ProvisionException | CreationException | ConfigurationException e) {
                Throwable cause = rootCause(e);
                if (cause instanceof IllegalArgumentException || cause instanceof ScorepipeException) {
                    throw section.error(cause.getMessage());
                }
                String messages = messagesOf(e);
                throw new ScorepipeException(section.file() + ": " + section.path() + ": the " + type.kind().label() + " '"
                        + type.name() + "' " + type.origin() + " failed to start: "
                        + (cause != null ? cause : messages), e);
            }
        }
    }

    /** What a component being built uses. */
    private static final class Usage {
        final Set<String> shared = new LinkedHashSet<>();
        final List<Pipeline.NamedComponent> built = new ArrayList<>();
    }

    /** A stage's {@code every} and the evaluator nodes it records; {@code keys} are taken off the stage's own section. */
    /** The observer type that records a stage's {@code every:} curve from its {@code evaluators}. */
    private static final String CURVE_OBSERVER = "evaluate";

    /** The keys of a stage's section that configure its curve, not the stage. */
    private static final List<String> CURVE_KEYS = List.of("every", "evaluators");

    private static ConfigSection withoutKeys(ConfigSection section, List<String> keys) {
        if (keys.isEmpty()) {
            return section;
        }
        ImmutableNode.Builder b = new ImmutableNode.Builder().name("stage");
        section.children().forEach((key, nodes) -> {
            if (!keys.contains(key)) {
                b.addChildren(nodes);
            }
        });
        return section.child(section.path(), b.create());
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e.getCause();
        if (cause == null && e instanceof ProvisionException p) {
            cause = p.getErrorMessages().stream().map(Message::getCause).filter(c -> c != null).findFirst().orElse(null);
        }
        if (cause == null && e instanceof CreationException c) {
            cause = c.getErrorMessages().stream().map(Message::getCause).filter(x -> x != null).findFirst().orElse(null);
        }
        while (cause != null && cause.getCause() != null && !(cause instanceof IllegalArgumentException)
                && !(cause instanceof ScorepipeException)) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String messagesOf(Exception e) {
        if (e instanceof ProvisionException p) {
            return p.getErrorMessages().stream().map(Message::getMessage).collect(Collectors.joining("; "));
        }
        if (e instanceof CreationException c) {
            return c.getErrorMessages().stream().map(Message::getMessage).collect(Collectors.joining("; "));
        }
        return e.getMessage();
    }
}
