package io.kanal.bench;

import io.kanal.bench.Measurement.Route;
import io.kanal.bench.Measurement.Workload;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest {

    private static Measurement run(Workload workload, Route route, int round, double mbPerSec, double p99) {
        // 10 s of wall time on 2 cores: Kanal 3 s, broker 4 s, tool 6 s, bench 0.5 s, machine 18 s busy
        CpuUse cpu = new CpuUse(3, 0, 4, 6, 0.5, 18, 20);
        return new Measurement(workload, route, round, mbPerSec, mbPerSec * 1024, 2.0, 1, p99, p99 + 2, Double.NaN,
                10, 1L << 30, route == Route.PROXIED ? 0.25 : Double.NaN, cpu);
    }

    private final Report report = new Report(List.of(
            run(Workload.PRODUCE, Route.DIRECT, 1, 100, 9),
            run(Workload.PRODUCE, Route.PROXIED, 1, 96, 9),
            run(Workload.PRODUCE, Route.DIRECT, 2, 110, 9),
            run(Workload.PRODUCE, Route.PROXIED, 2, 94, 9),
            run(Workload.PRODUCE, Route.DIRECT, 3, 90, 9),
            run(Workload.PRODUCE, Route.PROXIED, 3, 99, 9),
            run(Workload.CONSUME, Route.DIRECT, 1, 200, Double.NaN),
            run(Workload.CONSUME, Route.PROXIED, 1, 180, Double.NaN),
            run(Workload.LATENCY, Route.DIRECT, 1, 5, 3),
            run(Workload.LATENCY, Route.PROXIED, 1, 5, 5),
            run(Workload.LATENCY, Route.DIRECT, 2, 5, 4),
            run(Workload.LATENCY, Route.PROXIED, 2, 5, 4)));

    @Test
    void mediansRatiosAndDifferences() {
        assertEquals(100, report.median(Workload.PRODUCE, Route.DIRECT, Measurement::mbPerSec), 1e-9);
        assertEquals(96, report.median(Workload.PRODUCE, Route.PROXIED, Measurement::mbPerSec), 1e-9);
        assertEquals(0.96, report.ratio(Workload.PRODUCE, Measurement::mbPerSec), 1e-9);
        assertEquals(0.9, report.ratio(Workload.CONSUME, Measurement::mbPerSec), 1e-9);
        // medians of two: 3.5 direct, 4.5 proxied
        assertEquals(1.0, report.difference(Workload.LATENCY, Measurement::p99Ms), 1e-9);
        assertEquals(3.0, report.median(Workload.PRODUCE, Route.PROXIED, Measurement::hopCpuPerGib), 1e-9);
        assertTrue(Double.isNaN(report.median(Workload.PRODUCE, Route.DIRECT, Measurement::hopCpuPerGib)));
        assertEquals(0.45, report.median(Workload.PRODUCE, Route.DIRECT, Measurement::otherCores), 1e-9);
        assertEquals(90, report.median(Workload.CONSUME, Route.DIRECT, Measurement::machineBusyPercent), 1e-9);
    }

    @Test
    void targetsSayWhetherTheyWereMet() {
        String targets = report.targets();
        assertTrue(targets.contains("WARNING: 12 of 12 runs shared the machine"), targets);
        assertTrue(targets.contains("produce throughput through Kanal >= 95% of direct: MET (ratio 0.960)"),
                targets);
        assertTrue(targets.contains("consume throughput through Kanal >= 95% of direct: NOT MET (ratio 0.900)"),
                targets);
        assertTrue(targets.contains("p99 latency at the fixed rate within 1 ms of direct: MET (difference +1.0 ms"),
                targets);
    }

    @Test
    void aRelayAddsItsColumnsAndAComparison() {
        // the relay used 1.5 CPU s in its consume run
        Measurement relayed = new Measurement(Workload.CONSUME, Route.RELAY, 1, 170, 170 * 1024, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, 150, 10, 1L << 30, Double.NaN, new CpuUse(0, 1.5, 4, 6, 0.5,
                12, 20));
        Report withRelay = new Report(List.of(
                run(Workload.CONSUME, Route.DIRECT, 1, 200, Double.NaN),
                run(Workload.CONSUME, Route.PROXIED, 1, 180, Double.NaN),
                relayed));
        String table = withRelay.table(BenchOptions.quick(), 200L << 20, 150L << 20);
        assertTrue(table.contains("| difference | through a TCP relay | relay ratio |"), table);
        assertTrue(table.contains("| consume, unthrottled | MB/s (group join excluded) | 200.00 | 180.00 | 0.900 | "
                + "| 170.00 | 0.850 |"), table);
        assertTrue(table.contains("|  | proxy CPU s per GiB moved (Kanal, relay) | | 3.00 | | | 1.50 |  |"), table);
        assertTrue(withRelay.targets().contains("for comparison, consume throughput through a plain TCP relay "
                + "(HAProxy, splicing): 0.850 of direct; Kanal's is 1.059 of the relay's"), withRelay.targets());
        assertFalse(withRelay.targets().contains("produce throughput through a plain TCP relay"),
                "no produce run went through the relay");
        assertFalse(report.table(BenchOptions.quick(), 0, 0).contains("relay ratio"));
        assertFalse(report.targets().contains("relay"));
    }

    @Test
    void aRelayedProduceWorkloadIsComparedToo() {
        Measurement relayed = new Measurement(Workload.PRODUCE, Route.RELAY, 1, 85, 85 * 1024, 300, 290, 500, 520,
                Double.NaN, 10, 1L << 30, Double.NaN, new CpuUse(0, 1.5, 4, 6, 0.5, 12, 20));
        Report withRelay = new Report(List.of(
                run(Workload.PRODUCE, Route.DIRECT, 1, 100, 500),
                run(Workload.PRODUCE, Route.PROXIED, 1, 90, 510),
                relayed));
        assertTrue(withRelay.table(BenchOptions.quick(), 0, 0).contains("| produce, unthrottled | MB/s | 100.00 | "
                + "90.00 | 0.900 | | 85.00 | 0.850 |"), withRelay.table(BenchOptions.quick(), 0, 0));
        assertTrue(withRelay.targets().contains("for comparison, produce throughput through a plain TCP relay "
                + "(HAProxy, splicing): 0.850 of direct; Kanal's is 1.059 of the relay's"), withRelay.targets());
    }

    @Test
    void tableHasARowPerFigure() {
        String table = report.table(BenchOptions.quick(), 200L << 20, 150L << 20);
        assertTrue(table.contains("| produce, unthrottled | MB/s | 100.00 | 96.00 | 0.960 | |"), table);
        assertTrue(table.contains("|  | p99 latency, ms | 3.5 | 4.5 | 1.286 | +1.0 ms |"), table);
        assertTrue(table.contains("| Kanal process | peak RSS (VmHWM), MiB | | 200 | | |"), table);
    }
}
