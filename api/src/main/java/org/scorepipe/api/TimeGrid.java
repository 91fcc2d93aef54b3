package org.scorepipe.api;

/** The times a predictor visits, in the order it visits them. */
public interface TimeGrid {
    /** A fresh array of at least two times, first to last. */
    double[] times();
}
