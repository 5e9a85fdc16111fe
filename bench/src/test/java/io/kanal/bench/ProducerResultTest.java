package io.kanal.bench;

import org.junit.jupiter.api.Test;

import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProducerResultTest {

    /** The format string of {@code ProducerPerformance.Stats.printTotal()} in kafka-tools 4.3.1. */
    private static final String TOTAL_FORMAT = "%d%s records sent, %f records/sec (%.2f MB/sec), %.2f ms avg latency, "
            + "%.2f ms max latency, %d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th.%n";

    /** Output of a real run with {@code --warmup-records 5000}. */
    private static final String WITH_WARMUP = """
            Warmup first 5000 records. Steady state results will print after the complete test summary.
            20000 records sent, 22831.050228 records/sec (22.30 MB/sec), 194.42 ms avg latency, 330.00 ms max latency, 204 ms 50th, 319 ms 95th, 327 ms 99th, 329 ms 99.9th.
            15000 steady state records sent, 28625.954198 records/sec (27.96 MB/sec), 233.34 ms avg latency, 330.00 ms max latency, 224 ms 50th, 323 ms 95th, 328 ms 99th, 330 ms 99.9th.
            """;

    @Test
    void prefersTheSteadyStateLine() {
        ProducerResult result = ProducerResult.parse(WITH_WARMUP);
        assertEquals(new ProducerResult(15000, true, 28625.954198, 27.96, 233.34, 330.0, 224, 323, 328, 330),
                result);
    }

    @Test
    void readsTheTotalLineWithoutWarmUpAndIgnoresProgressLines() {
        String output = "249781 records sent, 49946.2 records/sec (48.78 MB/sec), 3.1 ms avg latency, 215.0 ms max "
                + "latency.\n"
                + String.format(Locale.ROOT, TOTAL_FORMAT, 500000L, "", 50012.345678, 48.84, 2.71, 215.0, 1, 4, 12,
                31);
        ProducerResult result = ProducerResult.parse(output);
        assertFalse(result.steadyState());
        assertEquals(500000, result.records());
        assertEquals(50012.345678, result.recordsPerSec(), 1e-9);
        assertEquals(48.84, result.mbPerSec(), 1e-9);
        assertEquals(2.71, result.avgMs(), 1e-9);
        assertEquals(1, result.p50Ms());
        assertEquals(4, result.p95Ms());
        assertEquals(12, result.p99Ms());
        assertEquals(31, result.p999Ms());
    }

    @Test
    void toleratesWindowsLineEnds() {
        assertTrue(ProducerResult.parse(WITH_WARMUP.replace("\n", "\r\n")).steadyState());
    }

    @Test
    void failsWithoutASummary() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProducerResult.parse(
                "1000 records sent, 200.0 records/sec (0.20 MB/sec), 1.0 ms avg latency, 5.0 ms max latency.\n"));
        assertTrue(e.getMessage().contains("no ProducerPerformance summary"));
    }
}
