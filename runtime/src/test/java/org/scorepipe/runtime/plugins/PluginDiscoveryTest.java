package org.scorepipe.runtime.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.scorepipe.runtime.plugins.PluginSources.plugin;
import static org.scorepipe.runtime.plugins.PluginSources.shiftCorrector;
import static org.scorepipe.runtime.plugins.PluginSources.shiftStage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Particles;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.assembly.Pipeline;
import org.scorepipe.runtime.assembly.PipelineAssembler;
import org.scorepipe.runtime.assembly.TestPlugin;
import org.scorepipe.runtime.config.PipelineFile;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * One plugin folder with a working plugin beside one of each kind of broken or refused jar:
 * every problem is reported with its jar and class, and the working plugin stays usable.
 */
class PluginDiscoveryTest {
    @TempDir
    static Path temp;

    static Path folder;
    static ComponentRegistry registry;

    @BeforeAll
    static void buildPluginFolder() throws IOException {
        folder = Files.createDirectories(temp.resolve("plugins"));
        new TestJar().version("2.5.0")
                .source("pg.GoodPlugin", plugin("pg", "GoodPlugin", "good", null, "Shift", "ShiftStage"))
                .source("pg.Shift", shiftCorrector("pg", "Shift", "shift"))
                .source("pg.ShiftStage", shiftStage("pg", "ShiftStage", "shift-stage"))
                .plugin("pg.GoodPlugin").write(folder.resolve("good.jar"));
        new TestJar()
                .source("pf.FuturePlugin", plugin("pf", "FuturePlugin", "future", "2.0", "Warp"))
                .source("pf.Warp", shiftCorrector("pf", "Warp", "warp"))
                .plugin("pf.FuturePlugin").write(folder.resolve("future.jar"));
        new TestJar().source("pl.Lonely", PluginSources.library("pl", "Lonely", 1.0)).write(folder.resolve("lib.jar"));
        new TestJar().plugin("pm.Missing").write(folder.resolve("missing.jar"));
        new TestJar().plugin("not a class name!").write(folder.resolve("syntax.jar"));
        new TestJar()
                .source("pt.ThrowingPlugin", PluginSources.pluginWithConstructor("pt", "ThrowingPlugin", "throwing", null,
                        "if (true) throw new IllegalStateException(\"no licence file\");", "Fragile"))
                .source("pt.Fragile", shiftCorrector("pt", "Fragile", "fragile"))
                .plugin("pt.ThrowingPlugin").write(folder.resolve("throws.jar"));
        // needy.jar compiles against helper.jar, which is not in the plugin folder.
        Path helper = new TestJar().source("org.helper.Helper", PluginSources.library("org.helper", "Helper", 3.0))
                .write(temp.resolve("helper.jar"));
        new TestJar().compileAgainst(helper)
                .source("pn.NeedyPlugin", plugin("pn", "NeedyPlugin", "needy", null, "Needy", "Independent"))
                .source("pn.Needy", "package pn;\nimport jakarta.inject.Inject;\nimport org.scorepipe.api.*;\n"
                        + "@Component(kind = ComponentKind.CORRECTOR, name = \"needy\")\n"
                        + "public final class Needy implements Corrector {\n"
                        + "  @Inject public Needy(org.helper.Helper helper) {}\n"
                        + "  @Override public void correct(Block b, double t, Noise n) {}\n}\n")
                .source("pn.Independent", shiftCorrector("pn", "Independent", "independent"))
                .resource("META-INF/maven/org.example/needy/pom.properties", "artifactId=needy\nversion=3.1.4\n")
                .plugin("pn.NeedyPlugin").write(folder.resolve("needy.jar"));
        String corrector = "  @Override public void correct(Block b, double t, Noise n) {}\n}\n";
        String head = "package pr;\nimport jakarta.inject.Inject;\nimport org.scorepipe.api.*;\n";
        new TestJar()
                .source("pr.RulesPlugin", plugin("pr", "RulesPlugin", "rules", null, "Unmarked", "NoInject", "BadParams", "WantsRandom",
                        "WantsStageSpec"))
                .source("pr.Unmarked", head + "public final class Unmarked implements Corrector {\n"
                        + "  @Inject public Unmarked() {}\n" + corrector)
                .source("pr.NoInject", head + "@Component(kind = ComponentKind.CORRECTOR, name = \"no-inject\")\n"
                        + "public final class NoInject implements Corrector {\n  public NoInject() {}\n" + corrector)
                .source("pr.BadParams", head + "@Component(kind = ComponentKind.CORRECTOR, name = \"bad-params\")\n"
                        + "public final class BadParams implements Corrector {\n"
                        + "  public record Params(double step, java.util.Map<String, Double> weights) {}\n"
                        + "  @Inject public BadParams(Params params) {}\n" + corrector)
                .source("pr.WantsRandom", head + "@Component(kind = ComponentKind.CORRECTOR, name = \"wants-random\")\n"
                        + "public final class WantsRandom implements Corrector {\n"
                        + "  @Inject public WantsRandom(java.util.Random random) {}\n" + corrector)
                .source("pr.WantsStageSpec", head + "@Component(kind = ComponentKind.CORRECTOR, name = \"wants-stage-spec\")\n"
                        + "public final class WantsStageSpec implements Corrector {\n"
                        + "  @Inject public WantsStageSpec(StageSpec stage) {}\n" + corrector)
                .plugin("pr.RulesPlugin").write(folder.resolve("rules.jar"));
        for (String side : List.of("a", "b")) {
            new TestJar().version("1." + (side.equals("a") ? 0 : 7))
                    .source("p" + side + ".TwinPlugin", plugin("p" + side, "TwinPlugin", "twin-" + side, null, "Twin"))
                    .source("p" + side + ".Twin", shiftCorrector("p" + side, "Twin", "twin"))
                    .plugin("p" + side + ".TwinPlugin").write(folder.resolve("twin-" + side + ".jar"));
        }
        registry = ComponentRegistry.builder().add(new TestPlugin()).addFolder(folder).build();
    }

    private static String problem(String containing) {
        List<String> matches = registry.problems().stream().filter(p -> p.contains(containing)).toList();
        assertEquals(1, matches.size(), "one problem containing '" + containing + "' in " + registry.problems());
        return matches.get(0);
    }

    @Test
    void aWorkingPluginLoadsWithItsJarAndVersionBesideBrokenOnes() {
        ComponentType shift = registry.find(ComponentKind.CORRECTOR, "shift").orElseThrow();
        assertEquals("good", shift.plugin());
        assertEquals("good.jar", shift.jar());
        assertEquals("2.5.0", shift.version());
        assertTrue(shift.type().getClassLoader() instanceof PluginClassLoader);
        // the version from pom.properties when the manifest has none
        ComponentType independent = registry.find(ComponentKind.CORRECTOR, "independent").orElseThrow();
        assertEquals("needy.jar", independent.jar());
        assertEquals("3.1.4", independent.version());
        // the class path's plugins are still there
        assertTrue(registry.find(ComponentKind.STAGE, "walk").isPresent());
    }

    @Test
    void anotherMajorApiVersionIsRefusedNamingThePluginAndBothVersions() {
        String message = problem("'future'");
        assertEquals("plugin 'future' (pf.FuturePlugin in future.jar) was built against scorepipe API 2.0, but this runtime"
                + " has API " + org.scorepipe.api.Plugin.API_VERSION + " (another major version); rebuild the plugin against scorepipe-api 1.x, or use a scorepipe"
                + " with API 2.x", message);
        ScorepipeException e = assertThrows(ScorepipeException.class, () -> registry.find(ComponentKind.CORRECTOR, "warp"));
        assertEquals("the corrector 'warp' cannot be used: " + message, e.getMessage());
    }

    @Test
    void aJarWithoutAServicesEntryIsNotAPlugin() {
        assertEquals("lib.jar is not a scorepipe plugin: it has no META-INF/services/org.scorepipe.api.Plugin entry naming"
                + " its Plugin class (a library a plugin needs goes into a sub-folder together with the plugin's jar)",
                problem("lib.jar"));
    }

    @Test
    void brokenServicesEntriesNameTheJarAndTheClass() {
        assertEquals("the plugin in missing.jar failed to load: META-INF/services/org.scorepipe.api.Plugin: Provider"
                + " pm.Missing not found", problem("missing.jar"));
        assertEquals("the plugin in syntax.jar failed to load: META-INF/services/org.scorepipe.api.Plugin:1: Illegal"
                + " configuration-file syntax", problem("syntax.jar"));
    }

    @Test
    void aPluginWhoseConstructorThrowsIsReportedAndItsComponentsFailWhenUsed() {
        String message = problem("throws.jar");
        assertEquals("the plugin in throws.jar failed to load: META-INF/services/org.scorepipe.api.Plugin: Provider"
                + " pt.ThrowingPlugin could not be instantiated: IllegalStateException: no licence file", message);
        ScorepipeException e = assertThrows(ScorepipeException.class, () -> registry.find(ComponentKind.CORRECTOR, "fragile"));
        assertEquals("the corrector 'fragile' cannot be used: " + message, e.getMessage());
        assertEquals(List.of(ComponentKind.CORRECTOR), registry.kindsNamed("fragile"));
    }

    @Test
    void aComponentClassThatFailsToLoadNamesTheJarTheClassAndTheMissingClass() {
        String message = problem("pn.Needy ");
        assertEquals("plugin 'needy' (pn.NeedyPlugin in needy.jar): the component class pn.Needy in needy.jar failed to load:"
                + " NoClassDefFoundError: org/helper/Helper (a class it needs is in none of the plugin's jars: put the plugin"
                + " and the libraries it uses together in a sub-folder of the plugin folder)", message);
        assertThrows(ScorepipeException.class, () -> registry.find(ComponentKind.CORRECTOR, "needy"));
    }

    @Test
    void componentClassesBreakingTheRulesAreRefusedWithTheReason() {
        String where = "plugin 'rules' (pr.RulesPlugin in rules.jar): ";
        assertEquals(where + "pr.Unmarked is listed as a component but has no @Component annotation; annotate it with"
                + " @Component(kind = ..., name = ...)", problem("pr.Unmarked"));
        assertEquals(where + "the corrector 'no-inject' (pr.NoInject) is refused: it has no injectable constructor: annotate"
                + " one public constructor with @jakarta.inject.Inject", problem("pr.NoInject"));
        assertEquals(where + "the corrector 'bad-params' (pr.BadParams) is refused: its parameter `weights` has the type"
                + " java.util.Map<java.lang.String, java.lang.Double>, which a config cannot bind; use " + ParameterTypes.SUPPORTED,
                problem("pr.BadParams"));
        assertEquals(where + "the corrector 'wants-random' (pr.WantsRandom) is refused: its constructor asks for"
                + " java.util.Random, which the runtime cannot provide; a component may ask for its parameter record,"
                + " PipelineSpec, BuildNoise, StageSpec (stages only), another component by its kind's interface"
                + " (e.g. ScoreProvider), Optional<kind> and List<kind>", problem("pr.WantsRandom"));
        assertEquals(where + "the corrector 'wants-stage-spec' (pr.WantsStageSpec) is refused: its constructor asks for a"
                + " StageSpec, which only a stage is given", problem("pr.WantsStageSpec"));
        assertThrows(ScorepipeException.class, () -> registry.find(ComponentKind.CORRECTOR, "bad-params"));
    }

    @Test
    void twoComponentsOfOneKindWithOneNameAreBothRefusedNamingBothJars() {
        String message = problem("'twin'");
        assertEquals("two correctors are named 'twin': pa.Twin (plugin twin-a, twin-a.jar 1.0) and pb.Twin (plugin twin-b,"
                + " twin-b.jar 1.7); neither is used: remove one of the jars, or rename one of the components", message);
        ScorepipeException e = assertThrows(ScorepipeException.class, () -> registry.find(ComponentKind.CORRECTOR, "twin"));
        assertEquals("the corrector 'twin' cannot be used: " + message, e.getMessage());
    }

    @Test
    void everyProblemIsOneOfThoseAbove() {
        assertEquals(12, registry.problems().size(), String.join("\n", registry.problems()));
    }

    private static Pipeline assemble(String stages) {
        String text = "pipeline: {name: t, seed: 1, particles: 4, dimension: 2}\nstages:\n" + stages;
        return new PipelineAssembler(registry).assemble(PipelineFile.parse("p.yaml", text, List.of()));
    }

    @Test
    void aPipelineUsingOnlyWorkingComponentsBuildsThemWithGuiceAndRuns() {
        Pipeline pipeline = assemble("  - {name: shifted, type: shift-stage, amount: 0.25, steps: 2}\n"
                + "  - {name: walk, type: walk, steps: 1, corrector: {type: shift, amount: 1.5}}\n");
        Particles particles = new Particles(4, 2);
        var stage = ((Pipeline.PlannedStage) pipeline.entries().get(0)).stage();
        assertEquals(2, stage.steps());
        stage.step(0, particles.all(), PhiloxNoise.of(1, 0, 0));
        stage.step(1, particles.all(), PhiloxNoise.of(1, 0, 1));
        for (double x : particles.data()) {
            assertEquals(0.5, x);
        }
        ScorepipeException e = assertThrows(ScorepipeException.class,
                () -> assemble("  - {name: shifted, type: shift-stage, amount: 0.25, steps: -1}\n"));
        assertEquals("p.yaml: stages.shifted: steps must be >= 0, got -1", e.getMessage());
    }

    @Test
    void aPipelineUsingABrokenComponentFailsWithItsProblem() {
        ScorepipeException e = assertThrows(ScorepipeException.class,
                () -> assemble("  - {name: walk, type: walk, steps: 1, corrector: {type: fragile, amount: 1}}\n"));
        assertEquals("the corrector 'fragile' cannot be used: " + problem("throws.jar"), e.getMessage());
        e = assertThrows(ScorepipeException.class,
                () -> assemble("  - {name: walk, type: walk, steps: 1, corrector: {type: twin, amount: 1}}\n"));
        assertTrue(e.getMessage().contains("twin-a.jar") && e.getMessage().contains("twin-b.jar"), e.getMessage());
        // a name no plugin declares is still an unknown type
        e = assertThrows(ScorepipeException.class,
                () -> assemble("  - {name: walk, type: walk, steps: 1, corrector: {type: nothing-like-it}}\n"));
        assertFalse(e.getMessage().contains("cannot be used"), e.getMessage());
    }
}
