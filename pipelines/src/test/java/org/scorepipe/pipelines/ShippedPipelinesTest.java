package org.scorepipe.pipelines;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.scorepipe.runtime.Scorepipe;
import org.scorepipe.runtime.assembly.Pipeline;
import org.scorepipe.runtime.plugins.ComponentRegistry;

/** Every shipped pipeline must at least validate: a user's first command is one of them. */
class ShippedPipelinesTest {

    static Stream<Path> pipelines() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("pipelines"))) {
            List<Path> yaml = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertFalse(yaml.isEmpty(), "no pipelines found in " + Path.of("pipelines").toAbsolutePath());
            return yaml.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("pipelines")
    void validates(Path file) {
        Scorepipe scorepipe = new Scorepipe(ComponentRegistry.discover(getClass().getClassLoader()));
        assertTrue(scorepipe.registry().problems().isEmpty(), scorepipe.registry().problems().toString());
        Pipeline pipeline = scorepipe.validate(file, List.of());
        assertFalse(pipeline.entries().isEmpty());
    }
}
