package org.scorepipe.api;

/**
 * Which stage a component is being built for, injectable into stages.
 *
 * @param name the stage's name in the pipeline
 * @param index its position, counting from 0
 */
public record StageSpec(String name, int index) {
}
