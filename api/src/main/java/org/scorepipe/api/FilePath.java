package org.scorepipe.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@code String} parameter of a parameter record that names a file or folder to read
 * (a data file, a model). The runtime hands the component an absolute path: a relative path
 * written in a pipeline file is resolved against that file's folder, one given on the command
 * line ({@code --set}) against the working directory; a URI with a scheme
 * ({@code hdfs://nn/data}) and the empty string ("none") are passed on unchanged. The resolved,
 * absolute path is what a run's {@code config.yaml} and its checkpoints record, so a run resumes
 * from any folder.
 *
 * <p>Names of outputs inside the run directory (a save stage's {@code file}) are not file paths
 * in this sense and carry no annotation.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface FilePath {
}
