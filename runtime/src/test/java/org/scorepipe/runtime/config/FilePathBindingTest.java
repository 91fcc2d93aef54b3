package org.scorepipe.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.FilePath;

/**
 * The binder's one rule for {@link FilePath} parameters: a relative path written in a pipeline
 * file resolves against the file's folder, one given with {@code --set} against the working
 * directory; what the run records is the absolute path.
 */
class FilePathBindingTest {
    /** The folder the pipeline file is "in": a temporary folder, never the working directory. */
    @TempDir
    Path folder;

    record Source(@Doc("the data") @FilePath String path, @Doc("optional") @Default("") @FilePath String extra,
            @Doc("not a path") @Default("x") String name, @Doc("several files") @Default("") @FilePath List<String> more) {
    }

    record Outer(@Doc("nested") Source source, @Doc("a list of records") @Default("") List<Source> stages) {
    }

    record Wrong(@Doc("a number cannot be a path") @FilePath double value) {
    }

    private static final Path WORKING_DIRECTORY = Path.of("").toAbsolutePath();

    private PipelineFile file(String text, String... overrides) {
        return PipelineFile.parse(folder.resolve("p.yaml").toString(), text, folder, List.of(overrides));
    }

    private static Source bind(PipelineFile file) {
        return ParameterBinder.bind(Source.class, file.root().section("data").orElseThrow(), List.of());
    }

    @Test
    void aPathWrittenInTheFileResolvesAgainstTheFilesFolder() {
        Source s = bind(file("data: {path: d/x.npy, name: d/x.npy}\n"));
        assertNotEquals(WORKING_DIRECTORY, folder.toAbsolutePath(), "the test needs two different folders");
        assertEquals(folder.resolve("d/x.npy").toString(), s.path());
        assertEquals("d/x.npy", s.name(), "a String without @FilePath is passed on as written");
        assertNull(s.extra(), "an absent optional path stays none");
        assertEquals(folder.resolve("y.npy").toString(), bind(file("data: {path: ./d/../y.npy}\n")).path(), "normalised");
    }

    @Test
    void aPathGivenWithSetResolvesAgainstTheWorkingDirectory() {
        Source s = bind(file("data: {path: d/x.npy}\n", "data.path=e/y.npy"));
        assertEquals(WORKING_DIRECTORY.resolve("e/y.npy").toString(), s.path());
        // A --set of one key leaves the file's own paths resolving against the file's folder.
        Source other = bind(file("data: {path: d/x.npy, extra: d/z.npy}\n", "data.extra=e/z.npy", "data.name=n"));
        assertEquals(folder.resolve("d/x.npy").toString(), other.path());
        assertEquals(WORKING_DIRECTORY.resolve("e/z.npy").toString(), other.extra());
        // A key the file does not have, added with --set.
        assertEquals(WORKING_DIRECTORY.resolve("new.npy").toString(), bind(file("data: {path: d/x.npy}\n", "data.extra=new.npy")).extra());
    }

    @Test
    void absolutePathsUrisAndEmptyValuesAreKept() {
        Path absolute = folder.resolve("abs.npy").toAbsolutePath();
        assertEquals(absolute.toString(), bind(file("data: {path: '" + absolute + "'}\n")).path());
        assertEquals("hdfs://nn/runs/a/samples.parquet", bind(file("data: {path: 'hdfs://nn/runs/a/samples.parquet'}\n")).path());
        assertEquals("file:/data/x.npy", bind(file("data: {path: 'file:/data/x.npy'}\n")).path());
        assertEquals("", bind(file("data: {path: d.npy, extra: ''}\n")).extra());
    }

    @Test
    void listsAndNestedRecordsResolveEveryPathByWhereItCameFrom() {
        PipelineFile f = file("source: {path: a.npy, more: [b.npy, c.npy]}\nstages:\n  - {name: s0, path: d.npy}\n"
                + "  - {name: s1, path: e.npy}\n", "stages.s1.path=f.npy");
        Outer o = ParameterBinder.bind(Outer.class, f.root(), List.of());
        assertEquals(folder.resolve("a.npy").toString(), o.source().path());
        assertEquals(List.of(folder.resolve("b.npy").toString(), folder.resolve("c.npy").toString()), o.source().more());
        assertEquals(folder.resolve("d.npy").toString(), o.stages().get(0).path());
        assertEquals(WORKING_DIRECTORY.resolve("f.npy").toString(), o.stages().get(1).path());
    }

    @Test
    void theResolvedFileRecordsTheAbsolutePaths() {
        PipelineFile f = file("data: {path: d/x.npy, name: d/x.npy}\nother: {path: untouched.npy}\n", "data.extra=e.npy");
        ConfigSection root = f.root();
        bind(root);
        PipelineFile resolved = f.withResolvedPaths(root.paths());
        ConfigSection data = resolved.root().section("data").orElseThrow();
        assertEquals(folder.resolve("d/x.npy").toString(), data.string("path"));
        assertEquals(WORKING_DIRECTORY.resolve("e.npy").toString(), data.string("extra"));
        assertEquals("d/x.npy", data.string("name"));
        // Only what was bound as a file path changes: other keys (here never bound) are as written.
        assertEquals("untouched.npy", resolved.root().section("other").orElseThrow().string("path"));
        assertTrue(resolved.toYaml().contains(folder.resolve("d/x.npy").toString()), resolved.toYaml());
        // Binding the resolved file again gives the same paths from any folder: they are absolute now.
        assertEquals(folder.resolve("d/x.npy").toString(), bind(resolved).path());
        // A fresh root of the original file has recorded nothing: each binding has its own resolution.
        assertEquals(f.toYaml(), f.withResolvedPaths(f.root().paths()).toYaml());
    }

    private static Source bind(ConfigSection root) {
        return ParameterBinder.bind(Source.class, root.section("data").orElseThrow(), List.of());
    }

    @Test
    void describeCallsAFilePathAPath() {
        List<ParameterBinder.Parameter> params = ParameterBinder.describe(Source.class);
        assertEquals("path", params.get(0).type());
        assertEquals("text", params.get(2).type());
    }

    @Test
    void aTextWithoutAFileResolvesAgainstTheWorkingDirectory() {
        PipelineFile f = PipelineFile.parse("checkpoint", "data: {path: d/x.npy}\n", List.of());
        assertEquals(WORKING_DIRECTORY.resolve("d/x.npy").toString(), bind(f).path());
    }

    @Test
    void aPathThatIsNotOneIsAnErrorNamingTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> bind(file("data: {path: \"a\\0b\"}\n")));
        assertTrue(e.getMessage().startsWith(folder.resolve("p.yaml") + ": data.path: not a path: "), e.getMessage());
        IllegalStateException wrong = assertThrows(IllegalStateException.class,
                () -> ParameterBinder.bind(Wrong.class, file("w: {value: 1.0}\n").root().section("w").orElseThrow(), List.of()));
        assertTrue(wrong.getMessage().contains("@FilePath on"), wrong.getMessage());
    }
}
