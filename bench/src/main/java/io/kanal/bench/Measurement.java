package io.kanal.bench;

/**
 * One tool run's figures, with what Kanal, the broker and the rest of the machine spent on it. Figures a workload
 * does not have are {@link Double#NaN}.
 *
 * @param workload          what was run
 * @param route             straight to the broker, through Kanal, or through the TCP relay
 * @param round             1-based round; the runs of a round, one per route, follow each other
 * @param mbPerSec          MiB/s (consume: leaving out the group join)
 * @param recordsPerSec     records/s (consume: leaving out the group join)
 * @param avgMs             average produce latency
 * @param p50Ms             median produce latency
 * @param p99Ms             99th percentile
 * @param p999Ms            99.9th percentile
 * @param mbPerSecWithJoin  consume only: MiB/s over the whole run, group join included
 * @param wallSeconds       how long the tool's process ran
 * @param bytes             record bytes the run moved, warm-up records included
 * @param kanalOwnMs        mean time a Produce (produce workloads) or Fetch (consume) request spent inside Kanal,
 *                          by Kanal's own metrics; NaN for direct runs
 * @param cpu               CPU time of each process while the tool ran
 */
public record Measurement(Workload workload, Route route, int round, double mbPerSec, double recordsPerSec,
                          double avgMs, double p50Ms, double p99Ms, double p999Ms, double mbPerSecWithJoin,
                          double wallSeconds, long bytes, double kanalOwnMs, CpuUse cpu) {

    /** Bytes in a GiB, the unit of the CPU figures. */
    public static final double GIB = 1024.0 * 1024 * 1024;

    /** What a run does. */
    public enum Workload {
        PRODUCE("produce, unthrottled"),
        CONSUME("consume, unthrottled"),
        LATENCY("produce at a fixed rate");

        private final String title;

        Workload(String title) {
            this.title = title;
        }

        public String title() {
            return title;
        }
    }

    /** Where the tool's client connects. */
    public enum Route {
        DIRECT("direct"),
        PROXIED("through Kanal"),
        /** The yardstick: a plain TCP relay that splices bytes and knows nothing of Kafka ({@link RelayChild}). */
        RELAY("through a TCP relay");

        private final String title;

        Route(String title) {
            this.title = title;
        }

        public String title() {
            return title;
        }
    }

    /** From a ProducerPerformance summary. */
    static Measurement ofProducer(Workload workload, Route route, int round, ProducerResult result,
                                  double wallSeconds, long bytes, double kanalOwnMs, CpuUse cpu) {
        return new Measurement(workload, route, round, result.mbPerSec(), result.recordsPerSec(), result.avgMs(),
                result.p50Ms(), result.p99Ms(), result.p999Ms(), Double.NaN, wallSeconds, bytes,
                route == Route.PROXIED ? kanalOwnMs : Double.NaN, cpu);
    }

    /** From a ConsumerPerformance summary. */
    static Measurement ofConsumer(Route route, int round, ConsumerResult result, double wallSeconds,
                                  double kanalOwnMs, CpuUse cpu) {
        return new Measurement(Workload.CONSUME, route, round, result.fetchMbPerSec(),
                result.fetchRecordsPerSec(), Double.NaN, Double.NaN, Double.NaN, Double.NaN, result.mbPerSec(),
                wallSeconds, Math.round(result.mb() * 1024 * 1024),
                route == Route.PROXIED ? kanalOwnMs : Double.NaN, cpu);
    }

    /**
     * CPU seconds of the hop the records took while the tool ran: Kanal's, or the relay's; NaN for direct runs,
     * where both only idle.
     */
    public double hopCpuSeconds() {
        return switch (route) {
            case DIRECT -> Double.NaN;
            case PROXIED -> cpu.kanalSeconds();
            case RELAY -> cpu.relaySeconds();
        };
    }

    /** The hop's CPU seconds per GiB of records moved. */
    public double hopCpuPerGib() {
        return hopCpuSeconds() / (bytes / GIB);
    }

    /** The hop's average CPU use while the tool ran, in cores. */
    public double hopCores() {
        return hopCpuSeconds() / wallSeconds;
    }

    /** The broker's CPU seconds per GiB of records moved. */
    public double brokerCpuPerGib() {
        return cpu.brokerSeconds() / (bytes / GIB);
    }

    /** The tool's CPU seconds per GiB of records moved. */
    public double toolCpuPerGib() {
        return cpu.toolSeconds() / (bytes / GIB);
    }

    /** The machine's busy CPU while the tool ran, in percent of all cores. */
    public double machineBusyPercent() {
        return cpu.machineBusy() * 100;
    }

    /** CPU used by processes that are not the bench's while the tool ran, in cores. */
    public double otherCores() {
        return cpu.otherSeconds() / wallSeconds;
    }
}
