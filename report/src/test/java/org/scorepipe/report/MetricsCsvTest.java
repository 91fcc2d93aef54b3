package org.scorepipe.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MetricsCsvTest {
    @Test
    void oneRowPerRecordWithVectorColumnsAndEmptyCells() {
        RunRecords records = RunRecords.parse("""
                {"evaluations": [{"stage": "eval", "t": 0.5, "metrics": {"w": [0.25, 0.75], "sw": 0.125}}],
                 "curves": [{"stage": "sample, fast", "step": 10, "t": 1.0, "metrics": {"sw": NaN, "mmd": 2.0}},
                            {"stage": "sample, fast", "step": 20, "t": 0.5, "metrics": {"w": [1.0, 0.0, 3.0]}}]}
                """);
        assertEquals("""
                kind,stage,step,t,w[0],w[1],sw,mmd,w[2]
                evaluation,eval,,0.5,0.25,0.75,0.125,,
                curve,"sample, fast",10,1.0,,,NaN,2.0,
                curve,"sample, fast",20,0.5,1.0,0.0,,,3.0
                """, MetricsCsv.of(records));
    }

    @Test
    void quotesFieldsWithCommasAndQuotes() {
        assertEquals("plain", MetricsCsv.quoted("plain"));
        assertEquals("\"a \"\"b\"\", c\"", MetricsCsv.quoted("a \"b\", c"));
    }

    @Test
    void readsEveryPartOfMetricsJsonAndToleratesMissingOnes() {
        RunRecords records = RunRecords.parse("""
                {"pipeline": "p", "seed": 5, "particles": 10, "dimension": 2,
                 "stages": [{"name": "s", "type": "sample", "steps": 3, "seconds": 0.5, "particle-steps-per-second": 60.0}]}
                """);
        assertEquals("p", records.pipeline());
        assertEquals(5, records.seed().getAsLong());
        assertEquals(new RunRecords.StageRecord("s", "sample", 3, 0.5, 60.0), records.stages().get(0));
        assertEquals(0, records.evaluations().size());
        assertEquals(0, records.curves().size());
    }
}
