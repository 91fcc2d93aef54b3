package org.scorepipe.api;

import java.util.Locale;

/**
 * The kinds of component a pipeline is built from, each with the interface its components
 * implement and the config key under which a component of that kind is referenced.
 */
public enum ComponentKind {
    DATA_SOURCE(DataSource.class, "data"),
    NOISING_PATH(NoisingPath.class, "path"),
    SCORE_PROVIDER(ScoreProvider.class, "score"),
    CONDITIONAL_SCORE(ConditionalScore.class, "conditional"),
    PREDICTOR(Predictor.class, "predictor"),
    CORRECTOR(Corrector.class, "corrector"),
    TIME_GRID(TimeGrid.class, "grid"),
    EVALUATOR(Evaluator.class, "evaluator"),
    STAGE(Stage.class, "stage"),
    OBSERVER(Observer.class, "observer"),
    TRAINER(Trainer.class, "trainer");

    private final Class<?> type;
    private final String key;

    ComponentKind(Class<?> type, String key) {
        this.type = type;
        this.key = key;
    }

    /** The interface every component of this kind implements. */
    public Class<?> type() {
        return type;
    }

    /** The config key that selects a component of this kind inside another's section. */
    public String key() {
        return key;
    }

    /** Human name, e.g. {@code "score provider"}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    /** The label after its indefinite article: {@code "an evaluator"}, {@code "a corrector"}. */
    public String labelWithArticle() {
        return ("aeiou".indexOf(label().charAt(0)) >= 0 ? "an " : "a ") + label();
    }

    /** Name as written on the command line, e.g. {@code "score-provider"}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
