package io.kanal.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KanalLatencyTest {

    private static String metrics(long fetches, double requestSum, double upstreamSum) {
        return """
                # HELP kanal_request_latency_seconds from a request's arrival to its response's departure
                # TYPE kanal_request_latency_seconds histogram
                kanal_request_latency_seconds_bucket{api="Fetch",virtual_cluster="bench",le="0.001"} 3
                kanal_request_latency_seconds_count{api="Fetch",virtual_cluster="bench"} %d
                kanal_request_latency_seconds_sum{api="Fetch",virtual_cluster="bench"} %s
                kanal_request_latency_seconds_count{api="Produce",virtual_cluster="bench"} 225845
                kanal_request_latency_seconds_sum{api="Produce",virtual_cluster="bench"} 412.358469439
                kanal_upstream_latency_seconds_count{api="Fetch",virtual_cluster="bench"} %d
                kanal_upstream_latency_seconds_sum{api="Fetch",virtual_cluster="bench"} %s
                kanal_upstream_latency_seconds_sum{api="FetchSnapshot",virtual_cluster="bench"} 9.0
                """.formatted(fetches, requestSum, fetches, upstreamSum);
    }

    @Test
    void readsOneApisCounters() {
        assertEquals(new KanalLatency(7, 0.12273869, 0.1), KanalLatency.parse(metrics(7, 0.12273869, 0.1), "Fetch"));
        assertEquals(new KanalLatency(225845, 412.358469439, 0), KanalLatency.parse(metrics(7, 1, 1), "Produce"));
    }

    @Test
    void meanTimeInsideKanalBetweenTwoReadings() {
        KanalLatency before = KanalLatency.parse(metrics(10, 1.0, 0.8), "Fetch");
        KanalLatency after = KanalLatency.parse(metrics(110, 3.0, 2.3), "Fetch");
        // 100 fetches: 2.0 s in all, 1.5 s at the broker
        assertEquals(5.0, after.ownMillisSince(before), 1e-9);
        assertTrue(Double.isNaN(before.ownMillisSince(before)));
    }
}
