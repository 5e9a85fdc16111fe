package io.kanal.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Kanal the way an operator runs it, {@code java -jar kanal.jar --config FILE}, in a process of its own so that
 * its CPU time and memory can be read from {@code /proc} apart from the broker's and the tools'.
 *
 * <p>The configuration is one pass-through virtual cluster (no filters) in front of the bench's broker, with the
 * admin server on, as in {@code config-examples/passthrough.yaml}: its metrics are part of what Kanal costs.
 */
final class KanalChild implements AutoCloseable {

    private static final String HOST = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path log;
    private final int bootstrapPort;
    private final int adminPort;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private KanalChild(Process process, Path log, int bootstrapPort, int adminPort) {
        this.process = process;
        this.log = log;
        this.bootstrapPort = bootstrapPort;
        this.adminPort = adminPort;
    }

    /**
     * Writes the configuration into {@code workDirectory}, starts Kanal and waits until its {@code /readyz} answers
     * 200: listeners bound and the broker reached.
     *
     * @param brokerNodeId the broker's node id; only it gets a broker port, the one after the bootstrap port
     */
    static KanalChild start(Path java, Path jar, List<String> jvmOptions, Path workDirectory,
                            String targetBootstrap, int brokerNodeId) throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it with `mvn -B -q package -DskipTests` "
                    + "(or point --kanal-jar at it)");
        }
        // One block: bootstrap, its broker's port, admin; separate searches could hand out overlapping ports.
        int bootstrapPort = LoopbackPorts.consecutive(3);
        int adminPort = bootstrapPort + 2;
        Path config = workDirectory.resolve("kanal.yaml");
        Files.writeString(config, """
                # Written by the Kanal bench: one pass-through virtual cluster in front of the bench's broker.
                virtualClusters:
                  - name: bench
                    bootstrap: %1$s:%2$d
                    nodeIds: { first: %3$d, last: %3$d }
                    target:
                      bootstrapServers: %4$s
                admin:
                  listen: %1$s:%5$d
                """.formatted(HOST, bootstrapPort, brokerNodeId, targetBootstrap, adminPort));
        Path log = workDirectory.resolve("kanal.log");
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "--config", config.toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        KanalChild kanal = new KanalChild(process, log, bootstrapPort, adminPort);
        try {
            kanal.awaitReady();
        } catch (IOException | InterruptedException | RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
        return kanal;
    }

    String bootstrapServers() {
        return HOST + ":" + bootstrapPort;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Kanal's latency counters of one Kafka API ({@code "Produce"}, {@code "Fetch"}), from its admin server. */
    KanalLatency latency(String api) throws IOException, InterruptedException {
        HttpRequest metrics = HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + adminPort + "/metrics"))
                .timeout(Duration.ofSeconds(10)).GET().build();
        HttpResponse<String> answer = http.send(metrics, HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IOException("kanal's /metrics answered " + answer.statusCode());
        }
        return KanalLatency.parse(answer.body(), api);
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + adminPort + "/readyz"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("kanal exited with " + process.exitValue() + ":\n"
                        + Files.readString(log));
            }
            try {
                HttpResponse<String> answer = http.send(readyz, HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200) {
                    return;
                }
                last = answer.statusCode() + " " + answer.body().strip();
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("kanal was not ready within " + START_TIMEOUT + " (/readyz: " + last
                + "):\n" + Files.readString(log));
    }

    /** SIGTERM, then at most {@link #STOP_TIMEOUT} for the graceful shutdown. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
