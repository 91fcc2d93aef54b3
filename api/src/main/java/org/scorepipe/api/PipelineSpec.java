package org.scorepipe.api;

/**
 * The pipeline-wide settings, injectable into any component.
 *
 * @param name the pipeline's name
 * @param seed the seed that keys all noise
 * @param particles the number of particles
 * @param dimension the dimension every component works in
 */
public record PipelineSpec(String name, long seed, int particles, int dimension) {
}
