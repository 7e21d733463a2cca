package io.streambert.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PacerAndStatsTest {

    @Test
    void pacerSpacesEventsEvenlyFromTheStart() {
        Pacer pacer = new Pacer(100); // 10 ms apart
        assertEquals(0, pacer.dueNanos(0));
        assertEquals(10_000_000, pacer.dueNanos(1));
        assertEquals(1_000_000_000, pacer.dueNanos(100));
        assertEquals(250_000_000, new Pacer(4).dueNanos(1));
    }

    @Test
    void pacerIsOpenLoopAndNeverWaitsWhenBehind() {
        Pacer pacer = new Pacer(10); // 100 ms apart
        assertEquals(70_000_000, pacer.waitNanos(1, 30_000_000));
        // Event 5 is due at 500 ms; at 900 ms we are behind and send at once rather than shifting
        // the schedule.
        assertEquals(0, pacer.waitNanos(5, 900_000_000));
        assertEquals(100_000_000, pacer.waitNanos(10, 900_000_000));
    }

    @Test
    void pacerRejectsNonPositiveRates() {
        assertThrows(IllegalArgumentException.class, () -> new Pacer(0));
        assertThrows(IllegalArgumentException.class, () -> new Pacer(-3));
        assertThrows(IllegalArgumentException.class, () -> new Pacer(Double.NaN));
    }

    @Test
    void nearestRankPercentiles() {
        LatencyStats s = new LatencyStats();
        for (int v = 100; v >= 1; v--) s.add(v); // inserted out of order on purpose
        assertEquals(50, s.percentile(50));
        assertEquals(90, s.percentile(90));
        assertEquals(99, s.percentile(99));
        assertEquals(100, s.percentile(100));
        assertEquals(1, s.percentile(0.5));
        assertEquals(50.5, s.mean(), 1e-12);
        assertEquals(100, s.count());
    }

    @Test
    void percentilesOfFewSamplesRoundUp() {
        LatencyStats s = new LatencyStats();
        s.add(5);
        s.add(1);
        s.add(3);
        assertEquals(3, s.percentile(50)); // ceil(1.5) = 2nd smallest
        assertEquals(5, s.percentile(90)); // ceil(2.7) = 3rd
        assertTrue(Double.isNaN(new LatencyStats().percentile(50)));
        assertThrows(IllegalArgumentException.class, () -> s.percentile(0));
    }

    @Test
    void lengthsParseAndCycle() {
        assertEquals(List.of(2, 5), SampleTexts.parseLengths(" 2, 5 ,"));
        assertThrows(IllegalArgumentException.class, () -> SampleTexts.parseLengths("4,x"));
        SampleTexts texts = new SampleTexts(List.of(2, 5), 7);
        assertEquals(2, texts.text(0).split(" ").length);
        assertEquals(5, texts.text(1).split(" ").length);
        assertEquals(2, texts.text(2).split(" ").length);
    }

    @Test
    void reportCountsMissingAndDuplicates() {
        LatencyStats empty = new LatencyStats();
        LoadReport r = new LoadReport(10, 9, 1, 0, 1.0, 2.0, empty, empty, empty);
        assertEquals(2, r.missing()); // 8 distinct results for 10 sends
        assertEquals(4.0, r.throughput(), 1e-12);
    }
}
