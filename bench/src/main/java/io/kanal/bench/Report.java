package io.kanal.bench;

import io.kanal.bench.Measurement.Route;
import io.kanal.bench.Measurement.Workload;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The bench's result as Markdown: per figure the median over the rounds of each route, the ratio of the proxied
 * median to the direct one and, for latencies, their difference; then Kanal's own costs, the targets, and every
 * run. When the unthrottled workloads also ran through the TCP relay, two more columns show the relay's medians and
 * their ratio to direct.
 */
final class Report {

    /** Throughput through Kanal must be at least this share of direct. */
    static final double THROUGHPUT_TARGET = 0.95;
    /** p99 produce latency at the fixed rate may exceed direct by at most this many ms. */
    static final double P99_TARGET_MS = 1.0;

    private final List<Measurement> runs;
    private final boolean withRelay;

    Report(List<Measurement> runs) {
        this.runs = List.copyOf(runs);
        this.withRelay = runs.stream().anyMatch(m -> m.route() == Route.RELAY);
    }

    /** The table of medians and ratios. */
    String table(BenchOptions options, long kanalPeakRssBytes, long kanalRssBytes) {
        StringBuilder out = new StringBuilder();
        out.append("| workload | figure | direct | through Kanal | ratio | difference |")
                .append(withRelay ? " through a TCP relay | relay ratio |\n" : "\n");
        out.append("| --- | --- | ---: | ---: | ---: | ---: |").append(withRelay ? " ---: | ---: |\n" : "\n");
        String produce = Workload.PRODUCE.title();
        throughputRow(out, Workload.PRODUCE, produce, "MB/s", Measurement::mbPerSec, 2);
        throughputRow(out, Workload.PRODUCE, "", "records/s", Measurement::recordsPerSec, 0);
        latencyRow(out, Workload.PRODUCE, "", "avg latency, ms", Measurement::avgMs, 2);
        latencyRow(out, Workload.PRODUCE, "", "p50 latency, ms", Measurement::p50Ms, 0);
        latencyRow(out, Workload.PRODUCE, "", "p99 latency, ms", Measurement::p99Ms, 0);
        latencyRow(out, Workload.PRODUCE, "", "p99.9 latency, ms", Measurement::p999Ms, 0);
        String consume = Workload.CONSUME.title();
        throughputRow(out, Workload.CONSUME, consume, "MB/s (group join excluded)", Measurement::mbPerSec, 2);
        throughputRow(out, Workload.CONSUME, "", "records/s (group join excluded)", Measurement::recordsPerSec, 0);
        throughputRow(out, Workload.CONSUME, "", "MB/s (whole run)", Measurement::mbPerSecWithJoin, 2);
        String latency = Workload.LATENCY.title() + " (" + options.latencyRate() + " records/s)";
        throughputRow(out, Workload.LATENCY, latency, "records/s", Measurement::recordsPerSec, 0);
        latencyRow(out, Workload.LATENCY, "", "avg latency, ms", Measurement::avgMs, 2);
        latencyRow(out, Workload.LATENCY, "", "p50 latency, ms", Measurement::p50Ms, 0);
        latencyRow(out, Workload.LATENCY, "", "p99 latency, ms", Measurement::p99Ms, 0);
        latencyRow(out, Workload.LATENCY, "", "p99.9 latency, ms", Measurement::p999Ms, 0);
        for (Workload workload : Workload.values()) {
            String title = "cost, " + shortName(workload);
            hopRow(out, workload, title, "time inside Kanal per " + (workload == Workload.CONSUME ? "Fetch"
                    : "Produce") + " request, ms (mean)", Measurement::kanalOwnMs, 3);
            hopRow(out, workload, "", "proxy CPU s per GiB moved (Kanal, relay)", Measurement::hopCpuPerGib, 2);
            hopRow(out, workload, "", "proxy CPU, cores (Kanal, relay)", Measurement::hopCores, 2);
            throughputRow(out, workload, "", "broker CPU s per GiB moved", Measurement::brokerCpuPerGib, 2);
            throughputRow(out, workload, "", "tool CPU s per GiB moved", Measurement::toolCpuPerGib, 2);
            throughputRow(out, workload, "", "machine CPU busy, % of all cores", Measurement::machineBusyPercent,
                    0);
            throughputRow(out, workload, "", "other processes' load, cores", Measurement::otherCores, 2);
        }
        String relayCells = withRelay ? " | |" : "";
        out.append(String.format(Locale.ROOT, "| Kanal process | peak RSS (VmHWM), MiB | | %.0f | | |%s%n",
                kanalPeakRssBytes / (1024.0 * 1024), relayCells));
        out.append(String.format(Locale.ROOT, "| | RSS at the end, MiB | | %.0f | | |%s%n",
                kanalRssBytes / (1024.0 * 1024), relayCells));
        return out.toString();
    }

    /** Above this many cores of other processes' load a run is flagged as disturbed. */
    static final double DISTURBED_CORES = 0.25;

    /** Whether each of the targets was met, one line each; and a warning about disturbed runs. */
    String targets() {
        StringBuilder out = new StringBuilder();
        long disturbed = runs.stream().filter(m -> m.otherCores() > DISTURBED_CORES).count();
        if (disturbed > 0) {
            out.append(String.format(Locale.ROOT, "- WARNING: %d of %d runs shared the machine with more than "
                    + "%.2f cores of other processes' load (column \"other load\"): their figures say as much about "
                    + "that load as about Kanal; rerun on a quiet machine%n", disturbed, runs.size(), DISTURBED_CORES));
        }
        target(out, "produce throughput through Kanal >= 95% of direct", ratio(Workload.PRODUCE,
                Measurement::mbPerSec) >= THROUGHPUT_TARGET, String.format(Locale.ROOT, "ratio %.3f",
                ratio(Workload.PRODUCE, Measurement::mbPerSec)));
        target(out, "consume throughput through Kanal >= 95% of direct", ratio(Workload.CONSUME,
                Measurement::mbPerSec) >= THROUGHPUT_TARGET, String.format(Locale.ROOT, "ratio %.3f",
                ratio(Workload.CONSUME, Measurement::mbPerSec)));
        double p99Difference = difference(Workload.LATENCY, Measurement::p99Ms);
        target(out, "p99 latency at the fixed rate within 1 ms of direct", p99Difference <= P99_TARGET_MS,
                String.format(Locale.ROOT, "difference %+.1f ms (ProducerPerformance's percentiles are whole ms)",
                        p99Difference));
        if (withRelay) {
            relayComparison(out, Workload.PRODUCE, "produce");
            relayComparison(out, Workload.CONSUME, "consume");
        }
        return out.toString();
    }

    private void relayComparison(StringBuilder out, Workload workload, String name) {
        double relayed = median(workload, Route.RELAY, Measurement::mbPerSec);
        if (Double.isNaN(relayed)) {
            return;
        }
        out.append(String.format(Locale.ROOT, "- for comparison, %s throughput through a plain TCP relay (HAProxy, "
                + "splicing): %.3f of direct; Kanal's is %.3f of the relay's%n", name,
                relayed / median(workload, Route.DIRECT, Measurement::mbPerSec),
                median(workload, Route.PROXIED, Measurement::mbPerSec) / relayed));
    }

    /** Every run, in the order it ran. */
    String runs() {
        StringBuilder out = new StringBuilder();
        out.append("| workload | round | route | MB/s | records/s | avg ms | p50 | p99 | p99.9 | ms inside Kanal "
                + "| proxy CPU s | broker CPU s | tool CPU s | machine busy | other load | wall s |\n");
        out.append("| --- | ---: | --- |" + " ---: |".repeat(13) + "\n");
        for (Measurement m : runs) {
            out.append(String.format(Locale.ROOT, "| %s | %d | %s | %.2f | %.0f | %s | %s | %s | %s | %s | %s "
                            + "| %.2f | %.2f | %.0f%% | %.2f | %.1f |%n",
                    shortName(m.workload()), m.round(), m.route().title(), m.mbPerSec(), m.recordsPerSec(),
                    number(m.avgMs(), 2), number(m.p50Ms(), 0), number(m.p99Ms(), 0), number(m.p999Ms(), 0),
                    number(m.kanalOwnMs(), 3), number(m.hopCpuSeconds(), 2), m.cpu().brokerSeconds(),
                    m.cpu().toolSeconds(), m.machineBusyPercent(), m.otherCores(), m.wallSeconds()));
        }
        return out.toString();
    }

    double ratio(Workload workload, ToDoubleFunction<Measurement> figure) {
        return median(workload, Route.PROXIED, figure) / median(workload, Route.DIRECT, figure);
    }

    double difference(Workload workload, ToDoubleFunction<Measurement> figure) {
        return median(workload, Route.PROXIED, figure) - median(workload, Route.DIRECT, figure);
    }

    /** The median of a figure over the runs of one workload and route; NaN when there are none. */
    double median(Workload workload, Route route, ToDoubleFunction<Measurement> figure) {
        double[] values = runs.stream()
                .filter(m -> m.workload() == workload && m.route() == route)
                .mapToDouble(figure)
                .filter(v -> !Double.isNaN(v))
                .sorted()
                .toArray();
        if (values.length == 0) {
            return Double.NaN;
        }
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private void throughputRow(StringBuilder out, Workload workload, String title, String figure,
                               ToDoubleFunction<Measurement> value, int decimals) {
        double direct = median(workload, Route.DIRECT, value);
        double proxied = median(workload, Route.PROXIED, value);
        out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | |", title, figure,
                number(direct, decimals), number(proxied, decimals), number(proxied / direct, 3)));
        relayCells(out, workload, value, decimals, direct);
    }

    private void latencyRow(StringBuilder out, Workload workload, String title, String figure,
                            ToDoubleFunction<Measurement> value, int decimals) {
        double direct = median(workload, Route.DIRECT, value);
        double proxied = median(workload, Route.PROXIED, value);
        out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |", title, figure,
                number(direct, decimals), number(proxied, decimals), number(proxied / direct, 3),
                Double.isNaN(proxied - direct) ? "" : String.format(Locale.ROOT, "%+." + Math.max(decimals, 1)
                        + "f ms", proxied - direct)));
        relayCells(out, workload, value, decimals, direct);
    }

    /** A figure of the hop itself: Kanal's in its column, the relay's in the relay's. */
    private void hopRow(StringBuilder out, Workload workload, String title, String figure,
                        ToDoubleFunction<Measurement> value, int decimals) {
        out.append(String.format(Locale.ROOT, "| %s | %s | | %s | | |", title, figure,
                number(median(workload, Route.PROXIED, value), decimals)));
        relayCells(out, workload, value, decimals, Double.NaN);
    }

    /** Ends a row: with the relay's median and its ratio to {@code direct} when the bench ran a relay. */
    private void relayCells(StringBuilder out, Workload workload, ToDoubleFunction<Measurement> value, int decimals,
                            double direct) {
        if (withRelay) {
            double relayed = median(workload, Route.RELAY, value);
            out.append(String.format(Locale.ROOT, " %s | %s |", number(relayed, decimals),
                    number(relayed / direct, 3)));
        }
        out.append('\n');
    }

    private static void target(StringBuilder out, String what, boolean met, String detail) {
        out.append(String.format(Locale.ROOT, "- %s: %s (%s)%n", what, met ? "MET" : "NOT MET", detail));
    }

    private static String shortName(Workload workload) {
        return switch (workload) {
            case PRODUCE -> "produce";
            case CONSUME -> "consume";
            case LATENCY -> "fixed rate";
        };
    }

    /** A figure with the given decimals; whole numbers without; empty for NaN. */
    static String number(double value, int decimals) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "";
        }
        if (decimals == 0 && value != Math.rint(value) && Math.abs(value) < 100) {
            // a median of two whole-ms percentiles can be x.5
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
