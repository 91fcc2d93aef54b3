package org.scorepipe.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.scorepipe.runtime.ScorepipeException;

class PipelineFileTest {

    @Test
    void malformedYamlNamesTheFileAndLine() {
        String message = assertThrows(ScorepipeException.class,
                () -> PipelineFile.parse("p.yaml", "pipeline:\n  name: x\n  seed: [1, 2\nstages: []\n", List.of())).getMessage();
        assertTrue(message.startsWith("p.yaml: line 4, column"), message);
        assertTrue(message.contains("malformed YAML"), message);
    }

    @Test
    void duplicateKeysAreRefused() {
        String message = assertThrows(ScorepipeException.class,
                () -> PipelineFile.parse("p.yaml", "a: 1\nb: 2\na: 3\n", List.of())).getMessage();
        assertTrue(message.startsWith("p.yaml: line 3"), message);
        assertTrue(message.contains("duplicate key a"), message);
    }

    @Test
    void missingFileSaysSo() {
        String message = assertThrows(ScorepipeException.class,
                () -> PipelineFile.load(Path.of("no/such/pipeline.yaml"), List.of())).getMessage();
        assertEquals("no/such/pipeline.yaml: no such file. Check the path; the shipped pipelines are in pipelines/.", message);
    }

    @Test
    void interpolatesKeysEnvironmentAndSystemProperties() {
        System.setProperty("scorepipe.test.value", "42");
        PipelineFile f = PipelineFile.parse("p.yaml",
                "a: {seed: 7}\nb: ${a.seed}\nc: ${sys:scorepipe.test.value}\nd: ${env:PATH}\n", List.of());
        ConfigSection root = f.root();
        assertEquals("7", root.string("b"));
        assertEquals("42", root.string("c"));
        assertEquals(System.getenv("PATH"), root.string("d"));
    }

    @Test
    void anUnresolvedReferenceIsAnErrorNotText() {
        String message = assertThrows(ScorepipeException.class,
                () -> PipelineFile.parse("p.yaml", "a:\n  b: ${env:SCOREPIPE_SURELY_UNSET_VARIABLE}\n", List.of())).getMessage();
        assertTrue(message.startsWith("p.yaml: a.b: cannot resolve ${env:SCOREPIPE_SURELY_UNSET_VARIABLE}"), message);
        String file = assertThrows(ScorepipeException.class,
                () -> PipelineFile.parse("p.yaml", "a: ${file:UTF-8:/etc/hostname}\n", List.of())).getMessage();
        assertTrue(file.contains("cannot resolve"), "file: lookups are not installed: " + file);
    }

    @Test
    void commasDoNotSplitValuesAndOverridesKeepTypes() {
        PipelineFile f = PipelineFile.parse("p.yaml", "a: x, y\nb: 1\n", List.of("b=[1, 2.5]", "c=hello"));
        assertEquals("x, y", f.root().string("a"));
        assertEquals(2, f.root().nodes("b").size());
        assertEquals("hello", f.root().string("c"));
    }

    @Test
    void resolvedYamlRoundTrips() {
        PipelineFile f = PipelineFile.parse("p.yaml", "pipeline: {name: x, seed: 3}\nstages:\n  - {type: a, k: [1, 2]}\n  - {type: b}\n",
                List.of("stages.b.k=5"));
        PipelineFile again = PipelineFile.parse("again.yaml", f.toYaml(), List.of());
        assertEquals(2, again.root().items("stages").size());
        assertEquals("5", again.root().items("stages").get(1).string("k"));
        assertEquals(2, again.root().items("stages").get(0).nodes("k").size());
    }
}
