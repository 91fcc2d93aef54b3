package org.scorepipe.runtime.assembly;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.config.PipelineFile;
import org.scorepipe.runtime.plugins.ComponentRegistry;

class PipelineAssemblerTest {
    private static final String HEAD = "pipeline: {name: t, seed: 3, particles: 10, dimension: 2}\n";
    private static final String SHARED = "components:\n"
            + "  data: {type: points, scale: 2.0}\n"
            + "  score: {type: linear, precision: 4.0}\n";

    @Test
    void wiresSharedInlineAndOptionalCollaborators() {
        Pipeline p = assemble(HEAD + SHARED + "stages:\n"
                + "  - {name: a, type: walk, steps: 5, corrector: {type: nudge, step: 0.1, mode: extra-careful}, evaluators: [count]}\n"
                + "  - {name: b, type: walk, steps: 2}\n");
        assertEquals(2, p.entries().size());
        TestPlugin.Walk a = (TestPlugin.Walk) stage(p, 0);
        TestPlugin.Walk b = (TestPlugin.Walk) stage(p, 1);
        assertEquals("a", a.stage.name());
        assertEquals(1, b.stage.index());
        assertEquals(5, a.steps());
        TestPlugin.Nudge nudge = (TestPlugin.Nudge) a.corrector.orElseThrow();
        assertEquals(0.1, nudge.params.step());
        assertEquals(1, nudge.params.steps(), "default");
        assertEquals(TestPlugin.Nudge.Mode.EXTRA_CAREFUL, nudge.params.mode());
        assertArrayEquals(new double[] {0.5, 0.5}, nudge.params.weights(), "list default");
        TestPlugin.Linear score = (TestPlugin.Linear) nudge.score;
        assertEquals(4.0, score.params.precision());
        assertEquals(2.0, ((TestPlugin.Points) score.data).params.scale());
        assertEquals(1, a.evaluators.size());
        assertTrue(b.corrector.isEmpty(), "an Optional collaborator is absent unless named");
        assertTrue(b.evaluators.isEmpty());
    }

    @Test
    void sharedComponentsAreBuiltOnceAndReferencedByName() {
        Pipeline p = assemble(HEAD + SHARED
                + "  c: {type: nudge, step: 0.2}\n"
                + "stages:\n  - {name: a, type: walk, steps: 1, corrector: c}\n  - {name: b, type: walk, steps: 1, corrector: c}\n");
        Object first = ((TestPlugin.Walk) stage(p, 0)).corrector.orElseThrow();
        Object second = ((TestPlugin.Walk) stage(p, 1)).corrector.orElseThrow();
        assertSame(first, second);
    }

    @Test
    void aTypeNameStandsForAComponentWithDefaults() {
        Pipeline p = assemble(HEAD + SHARED + "stages:\n  - {type: walk, steps: 1, evaluators: [count, {type: count}]}\n");
        assertEquals(2, ((TestPlugin.Walk) stage(p, 0)).evaluators.size());
        assertEquals("walk", p.entries().get(0).name(), "a stage is named after its type by default");
    }

    @Test
    void unknownTypeListsTheKnownNamesOfThatKind() {
        String message = fail(HEAD + SHARED + "stages:\n  - {name: a, type: walk, steps: 1, corrector: {type: nudgee, step: 1}}\n");
        assertEquals("t.yaml: stages.a.corrector.type: unknown corrector type 'nudgee'; did you mean 'nudge'?;"
                + " known correctors: nudge", message);
    }

    @Test
    void unknownKeySuggestsTheNearest() {
        String message = fail(HEAD + SHARED + "stages:\n  - {name: a, type: walk, stpes: 1}\n");
        assertTrue(message.startsWith("t.yaml: stages.a.stpes: unknown key; did you mean 'steps'?"), message);
    }

    @Test
    void missingRequiredKeyIsNamedWithItsDoc() {
        String message = fail(HEAD + SHARED + "stages:\n  - {name: a, type: walk, steps: 1, corrector: {type: nudge}}\n");
        assertEquals("t.yaml: stages.a.corrector.step: missing required key (step size); add `step: ...` to stages.a.corrector",
                message);
    }

    @Test
    void wrongTypeNamesTheKeyAndTheValue() {
        assertEquals("t.yaml: stages.a.steps: expected a whole number, found 'many'",
                fail(HEAD + SHARED + "stages:\n  - {name: a, type: walk, steps: many}\n"));
        assertEquals("t.yaml: components.score.precision: expected a number, found 'high'",
                fail(HEAD + "components:\n  data: {type: points}\n  score: {type: linear, precision: high}\nstages:\n  - {type: walk, steps: 1}\n"));
        assertTrue(fail(HEAD + SHARED + "stages:\n  - {name: a, type: walk, steps: 1, corrector: {type: nudge, step: 1, mode: loud}}\n")
                .endsWith("stages.a.corrector.mode: unknown value 'loud'; expected one of [plain, extra-careful]"));
    }

    @Test
    void recordValidationAndConstructorErrorsCarryTheKeyPath() {
        assertEquals("t.yaml: components.score: precision must be > 0, got -1.0",
                fail(HEAD + "components:\n  data: {type: points}\n  score: {type: linear, precision: -1}\nstages:\n  - {type: walk, steps: 1}\n"));
        assertEquals("t.yaml: stages.f: weights sum to 0.9, not 1; fix the weights",
                fail(HEAD + "stages:\n  - {name: f, type: fussy, weights: [0.5, 0.4]}\n"));
    }

    @Test
    void aMissingOrAmbiguousCollaboratorIsExplained() {
        String none = fail(HEAD + "stages:\n  - {name: a, type: walk, steps: 1, corrector: {type: nudge, step: 1}}\n");
        assertTrue(none.startsWith("t.yaml: stages.a.corrector: needs a score provider: add `score: {type: ...}` here"), none);
        String two = fail(HEAD + SHARED + "  other: {type: linear, precision: 1}\n"
                + "stages:\n  - {name: a, type: walk, steps: 1, corrector: {type: nudge, step: 1}}\n");
        assertTrue(two.contains("the pipeline shares several (score, other); say which with `score: <name>`"), two);
    }

    @Test
    void dimensionMismatchIsCaught() {
        String message = fail(HEAD + "components:\n  data: {type: points, dimension: 3}\nstages:\n  - {type: walk, steps: 1}\n");
        assertEquals("t.yaml: components.data: dimension mismatch: this data source is 3-dimensional but pipeline.dimension is 2",
                message);
    }

    @Test
    void topLevelAndPipelineMistakes() {
        assertTrue(fail(HEAD + "stage:\n  - {type: walk, steps: 1}\n").startsWith("t.yaml: stage: unknown key; did you mean 'stages'?"));
        assertEquals("t.yaml: pipeline.particles: missing required key (number of particles); add `particles: ...` to pipeline",
                fail("pipeline: {name: t, seed: 3, dimension: 2}\nstages:\n  - {type: walk, steps: 1}\n"));
        assertTrue(fail(HEAD + "stages:\n  - {name: a, type: walk, steps: 1}\n  - {name: a, type: walk, steps: 1}\n")
                .contains("a second stage is named 'a'"));
    }

    @Test
    void overridesAddressStagesByName() {
        Pipeline p = assemble(HEAD + SHARED + "stages:\n  - {name: a, type: walk, steps: 5}\n  - {name: b, type: walk, steps: 2}\n",
                List.of("stages.b.steps=200", "pipeline.seed=9"));
        assertEquals(200, stage(p, 1).steps());
        assertEquals(5, stage(p, 0).steps());
        assertEquals(9, p.spec().seed());
        ScorepipeException e = assertThrows(ScorepipeException.class, () -> assemble(HEAD + SHARED
                + "stages:\n  - {name: a, type: walk, steps: 5}\n", List.of("stages.zz.steps=1")));
        assertEquals("--set stages.zz.steps=1: t.yaml has no stage named 'zz'; its stages are [a]", e.getMessage());
    }

    /**
     * A stage's config hash and the recorded config hold file paths absolute: the same pipeline
     * written with a relative path in its folder, or with the absolute path, hashes the same, and
     * a --set relative path resolves against the working directory.
     */
    @Test
    void filePathsAreRecordedAndHashedAbsolute(@org.junit.jupiter.api.io.TempDir java.nio.file.Path folder) {
        String body = "stages:\n  - {name: a, type: walk, steps: 1, corrector: {type: nudge, step: 0.1}}\n";
        String relative = HEAD + SHARED.replace("scale: 2.0}", "scale: 2.0, file: in/data.npy}") + body;
        String absolute = HEAD + SHARED.replace("scale: 2.0}", "scale: 2.0, file: '" + folder.resolve("in/data.npy") + "'}") + body;
        PipelineAssembler assembler = new PipelineAssembler(ComponentRegistry.of(new TestPlugin()));
        Pipeline fromRelative = assembler.assemble(PipelineFile.parse("t.yaml", relative, folder, List.of()));
        Pipeline fromAbsolute = assembler.assemble(PipelineFile.parse("t.yaml", absolute, folder, List.of()));
        TestPlugin.Nudge nudge = (TestPlugin.Nudge) ((TestPlugin.Walk) stage(fromRelative, 0)).corrector.orElseThrow();
        TestPlugin.Points points = (TestPlugin.Points) ((TestPlugin.Linear) nudge.score).data;
        assertEquals(folder.resolve("in/data.npy").toString(), points.params.file());
        assertEquals(fromAbsolute.entries().get(0).configHash(), fromRelative.entries().get(0).configHash());
        assertEquals(folder.resolve("in/data.npy").toString(),
                fromRelative.config().root().section("components").orElseThrow().section("data").orElseThrow().string("file"));
        Pipeline fromSet = assembler.assemble(PipelineFile.parse("t.yaml", relative, folder, List.of("components.data.file=in/data.npy")));
        assertEquals(java.nio.file.Path.of("").toAbsolutePath().resolve("in/data.npy").toString(),
                fromSet.config().root().section("components").orElseThrow().section("data").orElseThrow().string("file"));
        // The working directory is not the folder, so the --set path is another file: another hash.
        assertTrue(!fromSet.entries().get(0).configHash().equals(fromRelative.entries().get(0).configHash()));
    }

    @Test
    void theTrainSectionBuildsTheOnlyTrainerWithTheSharedDataAndNothingElse() {
        String stages = "stages:\n  - {type: walk, steps: 1}\n";
        TestPlugin.Fit fit = (TestPlugin.Fit) shared(HEAD + SHARED + "  other: {type: points, scale: 3.0}\n"
                + "train: {steps: 7, data: other}\n" + stages).trainer();
        assertEquals(7, fit.params.steps());
        assertEquals(3.0, ((TestPlugin.Points) fit.data).params.scale(), "the data source the section names");
        TestPlugin.Fit only = (TestPlugin.Fit) shared(HEAD + SHARED + "train: {type: fit}\n" + stages).trainer();
        assertEquals(10, only.params.steps(), "default");
        assertEquals(2.0, ((TestPlugin.Points) only.data).params.scale(), "the pipeline's only shared data source");
        // Only the trainer's sub-graph is built: a stage that would fail to build does not stop training.
        shared(HEAD + SHARED + "train: {}\nstages:\n  - {type: fussy, weights: [0.2]}\n").trainer();
    }

    @Test
    void trainSectionMistakesNameTheKey() {
        String stages = "stages:\n  - {type: walk, steps: 1}\n";
        String missing = assertThrows(ScorepipeException.class, () -> shared(HEAD + SHARED + stages).trainer()).getMessage();
        assertTrue(missing.contains("train: is missing"), missing);
        String unknown = assertThrows(ScorepipeException.class,
                () -> shared(HEAD + SHARED + "train: {type: fitt}\n" + stages).trainer()).getMessage();
        assertTrue(unknown.contains("train.type: unknown trainer type 'fitt'") && unknown.contains("did you mean 'fit'"), unknown);
        String key = assertThrows(ScorepipeException.class,
                () -> shared(HEAD + SHARED + "train: {stepz: 3}\n" + stages).trainer()).getMessage();
        assertTrue(key.contains("train.stepz"), key);
    }

    @Test
    void everyIsForStagesWhoseEvaluatorsAreNotTheirOwn() {
        String own = fail(HEAD + SHARED + "stages:\n  - {type: walk, steps: 4, every: 2, evaluators: [count]}\n");
        assertTrue(own.contains("stages.walk.every: the walk stage takes `evaluators` of its own"), own);
        String none = fail(HEAD + SHARED + "stages:\n  - {type: fussy, weights: [1.0], every: 2}\n");
        assertTrue(none.contains("stages.fussy.every: needs `evaluators: [...]`"), none);
    }

    private static PipelineAssembler.SharedComponents shared(String yaml) {
        return new PipelineAssembler(ComponentRegistry.of(new TestPlugin())).shared(PipelineFile.parse("t.yaml", yaml, List.of()));
    }

    @Test
    void aSharedComponentServesEveryKindItsClassImplements() {
        // The pipeline's score is also a conditional score: the stage finds it when no conditional score is declared,
        Pipeline p = assemble(HEAD + SHARED + "stages:\n  - {name: a, type: chain}\n  - {name: b, type: chain, conditional: score}\n");
        TestPlugin.Linear score = (TestPlugin.Linear) ((TestPlugin.Chain) stage(p, 0)).conditional;
        assertEquals(4.0, score.params.precision());
        assertSame(score, ((TestPlugin.Chain) stage(p, 1)).conditional, "by name, the same shared instance");
        assertEquals(java.util.Set.of("data", "score"), java.util.Set.copyOf(p.entries().get(0).sharedUsed()),
                "its config hash covers the score and what the score uses");
        // but one declared of that kind comes first.
        Pipeline declared = assemble(HEAD + SHARED + "  patches: {type: patchwise}\nstages:\n  - {name: a, type: chain}\n");
        assertTrue(((TestPlugin.Chain) stage(declared, 0)).conditional instanceof TestPlugin.Patchwise);
        // A shared component that is not one is refused by name.
        String message = fail(HEAD + SHARED + "stages:\n  - {name: a, type: chain, conditional: data}\n");
        assertEquals("t.yaml: stages.a.conditional: the shared component 'data' is a data source, not a conditional score",
                message);
    }

    private static Pipeline assemble(String yaml) {
        return assemble(yaml, List.of());
    }

    private static Pipeline assemble(String yaml, List<String> overrides) {
        return new PipelineAssembler(ComponentRegistry.of(new TestPlugin()))
                .assemble(PipelineFile.parse("t.yaml", yaml, overrides));
    }

    private static String fail(String yaml) {
        return assertThrows(ScorepipeException.class, () -> assemble(yaml)).getMessage();
    }


    /** The built stage of entry {@code i}. */
    private static org.scorepipe.api.Stage stage(Pipeline p, int i) {
        return ((Pipeline.PlannedStage) p.entries().get(i)).stage();
    }
}
