package io.kanal.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsumerResultTest {

    /** Output of a real run. */
    private static final String OUTPUT = """
            start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
            2026-11-21 08:56:08:265, 2026-11-21 08:56:09:120, 19.5313, 22.8436, 20000, 23391.8129, 562, 293, 66.6596, 68259.3857
            """;

    @Test
    void readsTheSummaryLine() {
        assertEquals(new ConsumerResult(19.5313, 22.8436, 20000, 23391.8129, 562, 293, 66.6596, 68259.3857),
                ConsumerResult.parse(OUTPUT));
    }

    @Test
    void aTimeoutIsAFailure() {
        String output = "WARNING: Exiting before consuming the expected number of records: timeout (10000 ms) "
                + "exceeded. You can use the --timeout option to increase the timeout.\n" + OUTPUT;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConsumerResult.parse(output));
        assertTrue(e.getMessage().contains("timed out"));
    }

    @Test
    void failsWithoutASummary() {
        assertThrows(IllegalArgumentException.class, () -> ConsumerResult.parse("start.time, end.time, "
                + "data.consumed.in.MB, MB.sec\n"));
        assertThrows(IllegalArgumentException.class, () -> ConsumerResult.parse(""));
    }
}
