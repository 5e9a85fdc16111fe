package io.kanal.bench;

import io.kanal.app.embedded.EmbeddedKafkaBroker;
import io.kanal.bench.Measurement.Route;
import io.kanal.bench.Measurement.Workload;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The bench: a real broker, Kanal in front of it, and Kafka's own performance tools run alternately straight at the
 * broker and through Kanal.
 *
 * <p>Where everything runs:
 * <ul>
 *   <li>the broker ({@link EmbeddedKafkaBroker}, single-node KRaft) in a child JVM with the options of Kafka's start
 *       script ({@link BrokerChild});</li>
 *   <li>Kanal in a child process, {@code java -jar kanal.jar --config FILE}, so that its CPU time and peak memory
 *       can be read from {@code /proc/PID} on their own;</li>
 *   <li>each ProducerPerformance / ConsumerPerformance run in a fresh child JVM ({@link ToolRunner}), as users run
 *       them, so that the tools' own allocation and GC land in neither the broker's nor Kanal's process;</li>
 *   <li>where HAProxy is installed, a plain TCP relay in front of a second listener of the broker ({@link
 *       RelayChild}): the unthrottled workloads also run through it, to show what any hop costs on this machine.</li>
 * </ul>
 * All of them share the machine's cores: on a small machine a proxied run has less CPU left for the broker and the
 * tool than a direct one, which is part of what the ratios show.
 *
 * <p>Workloads, each as rounds with one run per route; every other round runs the routes in reverse order, so that
 * no route always goes first:
 * <ol>
 *   <li>produce, unthrottled ({@code --throughput -1}), each run into a fresh topic, after unreported warm-up runs
 *       (a long one through Kanal, for its JIT); each run also leaves its first records out of its figures
 *       ({@code --warmup-records});</li>
 *   <li>consume, unthrottled, every run reading the same pre-filled topic from the start with a new group, after an
 *       unreported warm-up pair;</li>
 *   <li>produce at a fixed moderate rate, for latency, leaving out each run's first seconds.</li>
 * </ol>
 */
final class Harness {

    private static final String PRODUCER_PERFORMANCE = "org.apache.kafka.tools.ProducerPerformance";
    private static final String CONSUMER_PERFORMANCE = "org.apache.kafka.tools.ConsumerPerformance";
    private static final String CONSUME_TOPIC = "bench-consume";
    private static final String PRODUCE_API = "Produce";
    private static final String FETCH_API = "Fetch";
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);
    /**
     * The routes of the warm-ups, which the relay needs none of (nothing in it compiles as it runs), and of the
     * latency workload, whose target is Kanal's difference to direct.
     */
    private static final List<Route> DIRECT_AND_KANAL = List.of(Route.DIRECT, Route.PROXIED);

    private final BenchOptions options;
    private final PrintStream console;
    private final ProcStats proc = ProcStats.forThisMachine();
    private final List<Measurement> measurements = new ArrayList<>();

    private BrokerChild broker;
    private KanalChild kanal;
    private RelayChild relay;
    private Admin admin;
    private ToolRunner tools;
    private int topicCounter;

    Harness(BenchOptions options, PrintStream console) {
        this.options = options;
        this.console = console;
    }

    void run() throws Exception {
        Path work = Files.createTempDirectory("kanal-bench-");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path kanalJar = options.kanalJar().orElseGet(Harness::defaultKanalJar).toAbsolutePath().normalize();
        String loadBefore = MachineInfo.loadAverage();
        long started = System.nanoTime();
        console.println("Kanal bench, " + options.mode() + " mode; logs and tool output in " + work);
        console.println(MachineInfo.describe());
        console.println("load average at start: " + loadBefore);
        console.println("JVM options: broker " + options.brokerJvmOptions() + "; tools " + options.toolJvmOptions()
                + "; kanal " + options.kanalJvmOptions());
        Thread cleanup = new Thread(this::stopEverything, "kanal-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            String classPath = absoluteClassPath();
            Optional<Path> haproxy = RelayChild.find(options.relay());
            // The broker's relay listener and the relay's own port.
            int relayPorts = haproxy.isPresent() ? LoopbackPorts.consecutive(2) : -1;
            List<String> brokerArguments = haproxy.isEmpty() ? List.of()
                    : List.of(Integer.toString(relayPorts), "127.0.0.1:" + (relayPorts + 1));
            broker = BrokerChild.start(java, classPath, options.brokerJvmOptions(), brokerArguments, work);
            console.println("broker (pid " + broker.pid() + ") at " + broker.bootstrapServers());
            if (haproxy.isPresent()) {
                relay = RelayChild.start(haproxy.get(), work, relayPorts + 1, relayPorts);
                console.println("TCP relay (" + relay.version() + ", pid " + relay.pid() + ") at "
                        + relay.bootstrapServers());
            } else {
                console.println("no TCP relay: " + (options.relay().equals("off") ? "--relay off"
                        : "HAProxy is not installed (apt-get install haproxy)") + "; consume runs direct and "
                        + "through Kanal only");
            }
            kanal = KanalChild.start(java, kanalJar, options.kanalJvmOptions(), work, broker.bootstrapServers(),
                    EmbeddedKafkaBroker.NODE_ID);
            console.println("kanal (" + kanalJar + ", pid " + kanal.pid() + ") at " + kanal.bootstrapServers()
                    + (options.kanalJvmOptions().isEmpty() ? "" : " with " + options.kanalJvmOptions()));
            admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
            tools = new ToolRunner(java, classPath, options.toolJvmOptions(), work);

            produceThroughput();
            consumeThroughput();
            fixedRateLatency();

            long peak = ProcStats.peakRssBytes(kanal.pid());
            long rss = ProcStats.rssBytes(kanal.pid());
            Report report = new Report(measurements);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            console.println();
            console.println("## Result (" + options.mode() + " mode, " + workload() + "; "
                    + "medians of " + options.rounds() + " produce / " + options.consumeRounds() + " consume / "
                    + options.latencyRounds() + " latency rounds)");
            console.println();
            console.print(report.table(options, peak, rss));
            console.println();
            console.print(report.targets());
            console.println();
            console.println("## Runs");
            console.println();
            console.print(report.runs());
            console.println();
            console.println("load average at start: " + loadBefore + "; at the end: " + MachineInfo.loadAverage()
                    + "; bench took " + took.toSeconds() + " s");
        } finally {
            stopEverything();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }

    private String workload() {
        return String.format(Locale.ROOT, "%d-byte records, acks=%s, %d partitions", options.recordSize(),
                options.acks(), options.partitions());
    }

    private void produceThroughput() throws Exception {
        // Kanal's JIT compiler is busy for about 600,000 records of produce traffic (its C2 threads used 2.6 CPU s
        // for them here, and a first round after a warm-up of 100,000 cost Kanal three times the CPU of its second);
        // the broker, which every route shares, warms up with it.
        long kanalWarmup = Math.min(600_000, 2 * options.produceRecords());
        long directWarmup = Math.min(100_000, options.produceRecords());
        section("produce, unthrottled: " + options.produceRecords() + " records per run (first "
                + options.produceWarmup() + " not counted), after warm-ups of " + kanalWarmup + " through Kanal and "
                + directWarmup + " direct");
        produce(Workload.PRODUCE, Route.PROXIED, 0, kanalWarmup, kanalWarmup / 4, -1);
        produce(Workload.PRODUCE, Route.DIRECT, 0, directWarmup, directWarmup / 4, -1);
        for (int round = 1; round <= options.rounds(); round++) {
            for (Route route : inRoundOrder(throughputRoutes(), round)) {
                produce(Workload.PRODUCE, route, round, options.produceRecords(), options.produceWarmup(), -1);
            }
        }
    }

    private void consumeThroughput() throws Exception {
        section("consume, unthrottled: " + options.consumeRecords() + " records per run from one pre-filled topic");
        createTopic(CONSUME_TOPIC);
        ToolRunner.Output fill = tools.run("consume-fill", PRODUCER_PERFORMANCE,
                producerArguments(CONSUME_TOPIC, broker.bootstrapServers(), options.consumeRecords(), 0, -1),
                timeout(options.consumeRecords(), -1));
        ProducerResult filled = ProducerResult.parse(fill.stdout());
        console.printf(Locale.ROOT, "  filled %s with %d records (%.2f MB/s, direct)%n", CONSUME_TOPIC,
                filled.records(), filled.mbPerSec());
        long warmupRecords = Math.min(200_000, options.consumeRecords());
        for (Route route : DIRECT_AND_KANAL) {
            consume(route, 0, warmupRecords);
        }
        for (int round = 1; round <= options.consumeRounds(); round++) {
            for (Route route : inRoundOrder(throughputRoutes(), round)) {
                consume(route, round, options.consumeRecords());
            }
        }
        deleteTopic(CONSUME_TOPIC);
    }

    /** The routes of the unthrottled workloads: the relay's too, when there is one. */
    private List<Route> throughputRoutes() {
        return relay == null ? DIRECT_AND_KANAL : List.of(Route.values());
    }

    private void fixedRateLatency() throws Exception {
        section("produce at " + options.latencyRate() + " records/s: " + options.latencySeconds() + " s per run (first "
                + options.latencyWarmupSeconds() + " s not counted)");
        for (int round = 1; round <= options.latencyRounds(); round++) {
            for (Route route : inRoundOrder(DIRECT_AND_KANAL, round)) {
                produce(Workload.LATENCY, route, round, options.latencyRecords(), options.latencyWarmupRecords(),
                        options.latencyRate());
            }
        }
    }

    /** One ProducerPerformance run into a fresh topic; round 0 is a warm-up and is not recorded. */
    private void produce(Workload workload, Route route, int round, long records, long warmup, int rate)
            throws Exception {
        String topic = "bench-" + (workload == Workload.PRODUCE ? "produce" : "latency") + "-" + (++topicCounter);
        createTopic(topic);
        String name = runName(workload, route, round);
        KanalLatency latencyBefore = kanal.latency(PRODUCE_API);
        CpuUse.Snapshot before = cpuSnapshot();
        ToolRunner.Output output = tools.run(name, PRODUCER_PERFORMANCE,
                producerArguments(topic, bootstrap(route), records, warmup, rate), timeout(records, rate));
        CpuUse cpu = cpuSnapshot().since(before, proc);
        double kanalOwnMs = kanal.latency(PRODUCE_API).ownMillisSince(latencyBefore);
        deleteTopic(topic);
        ProducerResult result = ProducerResult.parse(output.stdout());
        Measurement m = Measurement.ofProducer(workload, route, round, result, seconds(output.elapsed()),
                records * options.recordSize(), kanalOwnMs, cpu);
        record(m, String.format(Locale.ROOT, "%8.2f MB/s %9.0f rec/s  avg %7.2f ms  p50 %4d  p99 %4d  p99.9 %4d ms",
                result.mbPerSec(), result.recordsPerSec(), result.avgMs(), result.p50Ms(), result.p99Ms(),
                result.p999Ms()));
    }

    /** One ConsumerPerformance run over the pre-filled topic, as a new group; round 0 is not recorded. */
    private void consume(Route route, int round, long records) throws Exception {
        String name = runName(Workload.CONSUME, route, round);
        KanalLatency latencyBefore = kanal.latency(FETCH_API);
        CpuUse.Snapshot before = cpuSnapshot();
        ToolRunner.Output output = tools.run(name, CONSUMER_PERFORMANCE, List.of(
                "--bootstrap-server", bootstrap(route),
                "--topic", CONSUME_TOPIC,
                "--num-records", Long.toString(records),
                "--timeout", "60000"), timeout(records, -1));
        CpuUse cpu = cpuSnapshot().since(before, proc);
        double kanalOwnMs = kanal.latency(FETCH_API).ownMillisSince(latencyBefore);
        ConsumerResult result = ConsumerResult.parse(output.stdout());
        Measurement m = Measurement.ofConsumer(route, round, result, seconds(output.elapsed()), kanalOwnMs, cpu);
        record(m, String.format(Locale.ROOT, "%8.2f MB/s %9.0f rec/s  (whole run %.2f MB/s, group join %d ms)",
                result.fetchMbPerSec(), result.fetchRecordsPerSec(), result.mbPerSec(), result.rebalanceMs()));
    }

    private void record(Measurement m, String figures) {
        if (m.round() > 0) {
            measurements.add(m);
        }
        String hopCpu = switch (m.route()) {
            case DIRECT -> "";
            case PROXIED -> String.format(Locale.ROOT, "  kanal %.2f CPU s (%.2f cores), %.3f ms/request inside",
                    m.hopCpuSeconds(), m.hopCores(), m.kanalOwnMs());
            case RELAY -> String.format(Locale.ROOT, "  relay %.2f CPU s (%.2f cores)", m.hopCpuSeconds(),
                    m.hopCores());
        };
        console.printf(Locale.ROOT, "  %-8s %-13s %s  machine %3.0f%% busy, other load %.2f cores%s%n",
                m.round() == 0 ? "warm-up" : "round " + m.round(), m.route().title(), figures,
                m.machineBusyPercent(), m.otherCores(), hopCpu);
        if (!kanal.isAlive()) {
            throw new IllegalStateException("kanal exited during the bench; see " + kanal.log());
        }
        if (relay != null && !relay.isAlive()) {
            throw new IllegalStateException("the TCP relay exited during the bench; see relay.log in the work "
                    + "directory");
        }
        if (!broker.isAlive()) {
            throw new IllegalStateException("the broker exited during the bench; see its log in the work directory");
        }
    }

    private List<String> producerArguments(String topic, String bootstrap, long records, long warmup, int rate) {
        List<String> args = new ArrayList<>(List.of(
                "--bootstrap-server", bootstrap,
                "--topic", topic,
                "--num-records", Long.toString(records),
                "--record-size", Integer.toString(options.recordSize()),
                "--throughput", Integer.toString(rate)));
        if (warmup > 0) {
            args.addAll(List.of("--warmup-records", Long.toString(warmup)));
        }
        // Last: it takes every following argument as a property.
        args.addAll(List.of("--command-property", "acks=" + options.acks()));
        return args;
    }

    private String bootstrap(Route route) {
        return switch (route) {
            case DIRECT -> broker.bootstrapServers();
            case PROXIED -> kanal.bootstrapServers();
            case RELAY -> relay.bootstrapServers();
        };
    }

    /** The routes of a round: as given in odd rounds, reversed in even ones. */
    static List<Route> inRoundOrder(List<Route> routes, int round) {
        if (round % 2 == 1) {
            return routes;
        }
        List<Route> reversed = new ArrayList<>(routes);
        Collections.reverse(reversed);
        return reversed;
    }

    private CpuUse.Snapshot cpuSnapshot() throws IOException {
        return CpuUse.Snapshot.take(proc, kanal.pid(), relay == null ? -1 : relay.pid(), broker.pid());
    }

    private static String runName(Workload workload, Route route, int round) {
        return workload.name().toLowerCase(Locale.ROOT) + "-" + (round == 0 ? "warmup" : "r" + round) + "-"
                + route.name().toLowerCase(Locale.ROOT);
    }

    /** Generous: two minutes, plus a minute per 100,000 records (1.7 MB/s at 1 KiB), or twice a throttled run. */
    private static Duration timeout(long records, int rate) {
        long seconds = rate > 0 ? 2 * records / rate : records / 100_000 * 60;
        return Duration.ofSeconds(120 + seconds);
    }

    private void createTopic(String topic) throws InterruptedException, ExecutionException, TimeoutException {
        admin.createTopics(List.of(new NewTopic(topic, options.partitions(), (short) 1)))
                .all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Deletes a topic and waits until its files are gone, so that their removal does not land in the next run. */
    private void deleteTopic(String topic)
            throws IOException, InterruptedException, ExecutionException, TimeoutException {
        admin.deleteTopics(Set.of(topic)).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        TopicFiles.awaitGone(broker.dataDirectory(), topic, ADMIN_TIMEOUT);
    }

    private void section(String title) {
        console.println();
        console.println(LocalDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + " " + title);
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }

    /** {@code proxy-app/target/kanal.jar} of the checkout this bench jar was built in, else of the directory. */
    static Path defaultKanalJar() {
        try {
            Path self = Path.of(Harness.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // bench/target/kanal-bench.jar or bench/target/classes
            Path candidate = self.getParent().getParent().getParent().resolve("proxy-app/target/kanal.jar");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        } catch (Exception e) {
            // fall back to the working directory
        }
        return Path.of("proxy-app", "target", "kanal.jar");
    }

    /** This JVM's class path with absolute entries, for the tools' JVMs. */
    private static String absoluteClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** Idempotent: on the normal path and from the shutdown hook when the bench is interrupted. */
    private synchronized void stopEverything() {
        if (tools != null) {
            tools.stop();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
        if (kanal != null) {
            kanal.close();
            kanal = null;
        }
        if (relay != null) {
            relay.close();
            relay = null;
        }
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }
}
