package io.kanal.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What one bench run measures. {@code --quick} and the default (full) mode set the sizes; the other options
 * override single values.
 *
 * @param mode               {@code quick} or {@code full}
 * @param rounds             rounds of the produce-throughput workload, each a direct and a proxied run
 * @param consumeRounds      rounds of the consume-throughput workload, each a direct, a proxied and (with a relay)
 *                           a relayed run
 * @param latencyRounds      direct/proxied pairs of the fixed-rate latency workload
 * @param recordSize         bytes per record value
 * @param acks               the producers' {@code acks}
 * @param partitions         partitions of every topic the bench creates
 * @param produceRecords     records per produce-throughput run, warm-up included
 * @param produceWarmup      of those, records left out of the figures ({@code --warmup-records})
 * @param consumeRecords     records per consume-throughput run (the topic they are read from holds exactly these)
 * @param latencyRate        records per second of the latency workload
 * @param latencySeconds     length of each latency run, warm-up included
 * @param latencyWarmupSeconds of those, seconds left out of the figures
 * @param kanalJar           {@code kanal.jar} to run; empty: found next to this module
 * @param kanalJvmOptions    JVM options of the Kanal process
 * @param toolJvmOptions     JVM options of the tools' processes
 * @param brokerJvmOptions   JVM options of the broker's process
 * @param relay              the TCP relay of the consume workload: {@code auto} (HAProxy when installed), {@code
 *                           off}, or the path of an HAProxy program
 */
public record BenchOptions(String mode, int rounds, int consumeRounds, int latencyRounds, int recordSize, String acks, int partitions,
                           long produceRecords, long produceWarmup, long consumeRecords, int latencyRate,
                           int latencySeconds, int latencyWarmupSeconds, Optional<Path> kanalJar,
                           List<String> kanalJvmOptions, List<String> toolJvmOptions,
                           List<String> brokerJvmOptions, String relay) {

    /**
     * The options Kafka's {@code kafka-producer-perf-test.sh} and {@code kafka-consumer-perf-test.sh} give the
     * tools' JVM ({@code KAFKA_HEAP_OPTS} and {@code KAFKA_JVM_PERFORMANCE_OPTS}), plus an English locale: the
     * tools print numbers with {@code printf}, which would otherwise use the machine's decimal separator.
     */
    public static final List<String> DEFAULT_TOOL_JVM_OPTIONS = List.of(
            "-Xmx512M", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
            "-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true",
            "-Duser.language=en", "-Duser.country=US");

    public static final String USAGE = """
            Usage: java -jar bench/target/kanal-bench.jar [--quick] [options]
                   java -jar bench/target/kanal-bench.jar jmh [JMH options]

            Starts a single-node Kafka broker and Kanal (java -jar kanal.jar), each in a process of its own,
            then runs Kafka's ProducerPerformance and ConsumerPerformance (each in its own JVM) alternately
            against the broker and through Kanal, and prints a table of the figures and their ratios. Where
            HAProxy is installed, the consume runs also go through it as a plain TCP relay: the cost of any hop.

              --quick                 a run of under three minutes (default: the full run, about 14 minutes)
              --rounds N              direct/proxied pairs of the produce workload
              --consume-rounds N      rounds of the consume workload (direct, Kanal, relay)
              --latency-rounds N      direct/proxied pairs of the fixed-rate latency workload
              --record-size BYTES     record size (default 1024)
              --acks 0|1|all          producer acks (default 1)
              --partitions N          partitions per topic (default 3)
              --produce-records N     records per produce run, warm-up included
              --consume-records N     records per consume run
              --latency-rate N        records/s of the latency workload (default 5000)
              --latency-seconds N     length of a latency run
              --kanal-jar FILE        the kanal.jar to run (default: proxy-app/target/kanal.jar)
              --kanal-jvm-opts "..."  JVM options of the Kanal process (default: none)
              --tool-jvm-opts "..."   JVM options of the tools' processes (default: those of Kafka's scripts)
              --broker-jvm-opts "..." JVM options of the broker's process (default: kafka-server-start.sh's)
              --relay auto|off|FILE   the TCP relay: HAProxy from the PATH when installed (default), none, or
                                      the HAProxy program to run

              jmh ...                 runs the JMH benchmarks of the proxy's hot paths; JMH's own options follow,
                                      e.g. jmh -f 1 -wi 3 -w 2s -i 5 -r 2s   (jmh -h lists them)
            """;

    /** The two-minute run for a laptop or a CI machine. */
    public static BenchOptions quick() {
        return preset(true).build();
    }

    /** The longer run the README's figures should come from on a quiet machine. */
    public static BenchOptions full() {
        return preset(false).build();
    }

    /** @throws IllegalArgumentException naming the bad argument */
    public static BenchOptions parse(String... args) {
        Builder b = preset(Arrays.asList(args).contains("--quick"));
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--quick")) {
                continue;
            }
            if (!option.startsWith("--")) {
                throw new IllegalArgumentException("unknown argument '" + option + "'");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--rounds" -> b.rounds = positive(option, value);
                case "--consume-rounds" -> b.consumeRounds = positive(option, value);
                case "--latency-rounds" -> b.latencyRounds = positive(option, value);
                case "--record-size" -> b.recordSize = positive(option, value);
                case "--acks" -> {
                    if (!List.of("0", "1", "all", "-1").contains(value)) {
                        throw new IllegalArgumentException("--acks must be 0, 1 or all, not '" + value + "'");
                    }
                    b.acks = value;
                }
                case "--partitions" -> b.partitions = positive(option, value);
                case "--produce-records" -> {
                    b.produceRecords = positive(option, value);
                    b.produceWarmup = Math.min(b.produceWarmup, b.produceRecords / 4);
                }
                case "--consume-records" -> b.consumeRecords = positive(option, value);
                case "--latency-rate" -> b.latencyRate = positive(option, value);
                case "--latency-seconds" -> {
                    b.latencySeconds = positive(option, value);
                    if (b.latencySeconds < 2) {
                        throw new IllegalArgumentException("--latency-seconds must be at least 2");
                    }
                    b.latencyWarmupSeconds = Math.min(b.latencyWarmupSeconds, b.latencySeconds / 2);
                }
                case "--kanal-jar" -> b.kanalJar = Optional.of(Path.of(value));
                case "--kanal-jvm-opts" -> b.kanalJvmOptions = words(value);
                case "--tool-jvm-opts" -> b.toolJvmOptions = words(value);
                case "--broker-jvm-opts" -> b.brokerJvmOptions = words(value);
                case "--relay" -> b.relay = value;
                default -> throw new IllegalArgumentException("unknown option '" + option + "'");
            }
        }
        return b.build();
    }

    private static Builder preset(boolean quick) {
        Builder b = new Builder();
        b.mode = quick ? "quick" : "full";
        b.rounds = quick ? 2 : 5;
        // Consume runs are short and swing more than produce runs: more of them, for a steadier median.
        b.consumeRounds = quick ? 3 : 7;
        b.latencyRounds = quick ? 2 : 3;
        b.produceRecords = quick ? 300_000 : 2_000_000;
        b.produceWarmup = quick ? 100_000 : 200_000;
        b.consumeRecords = quick ? 1_000_000 : 2_000_000;
        b.latencySeconds = quick ? 10 : 60;
        b.latencyWarmupSeconds = quick ? 2 : 5;
        return b;
    }

    /** The values while the command line is read. */
    private static final class Builder {
        String mode;
        int rounds;
        int consumeRounds;
        int latencyRounds;
        int recordSize = 1024;
        String acks = "1";
        int partitions = 3;
        long produceRecords;
        long produceWarmup;
        long consumeRecords;
        int latencyRate = 5000;
        int latencySeconds;
        int latencyWarmupSeconds;
        Optional<Path> kanalJar = Optional.empty();
        List<String> kanalJvmOptions = List.of();
        List<String> toolJvmOptions = DEFAULT_TOOL_JVM_OPTIONS;
        List<String> brokerJvmOptions = BrokerChild.DEFAULT_JVM_OPTIONS;
        String relay = "auto";

        BenchOptions build() {
            return new BenchOptions(mode, rounds, consumeRounds, latencyRounds, recordSize, acks, partitions,
                    produceRecords, produceWarmup, consumeRecords, latencyRate, latencySeconds, latencyWarmupSeconds,
                    kanalJar, kanalJvmOptions, toolJvmOptions, brokerJvmOptions, relay);
        }
    }

    /** Records per latency run. */
    public long latencyRecords() {
        return (long) latencyRate * latencySeconds;
    }

    /** Of those, the records left out of the figures. */
    public long latencyWarmupRecords() {
        return (long) latencyRate * latencyWarmupSeconds;
    }

    private static int positive(String option, String value) {
        try {
            int n = Integer.parseInt(value.replace("_", ""));
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be a positive number, not '" + value + "'");
    }

    private static List<String> words(String value) {
        String trimmed = value.trim();
        return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("\\s+"));
    }
}
