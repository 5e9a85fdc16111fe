package io.kanal.bench;

import io.kanal.app.embedded.EmbeddedKafkaBroker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The broker in a JVM of its own ({@link BrokerMain}), started with the JVM options Kafka's
 * {@code kafka-server-start.sh} uses, so that its garbage collection and CPU are its own and comparable to a real
 * broker's, and its CPU time can be read from {@code /proc} like Kanal's.
 */
final class BrokerChild implements AutoCloseable {

    /** {@code KAFKA_HEAP_OPTS} and {@code KAFKA_JVM_PERFORMANCE_OPTS} of Kafka's start script. */
    static final List<String> DEFAULT_JVM_OPTIONS = List.of(
            "-Xmx1G", "-Xms1G", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
            "-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true");

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final String bootstrapServers;
    private final Path dataDirectory;

    private BrokerChild(Process process, String bootstrapServers, Path dataDirectory) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.dataDirectory = dataDirectory;
    }

    /** @param arguments {@link BrokerMain}'s: none, or the relay listener's port and the relay's address */
    static BrokerChild start(Path java, String classPath, List<String> jvmOptions, List<String> arguments,
                             Path workDirectory) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, BrokerMain.class.getName()));
        command.addAll(arguments);
        Path log = workDirectory.resolve("broker.log");
        Process process = new ProcessBuilder(command)
                .redirectError(log.toFile())
                .start();
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader out = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith(BrokerMain.READY_PREFIX)) {
                        return line.substring(BrokerMain.READY_PREFIX.length()).trim();
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        String[] where;
        try {
            String line = ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            where = line == null ? null : line.split(" ", 2);
        } catch (ExecutionException | TimeoutException e) {
            where = null;
        }
        if (where == null || where.length != 2) {
            process.destroyForcibly();
            throw new IllegalStateException("the broker did not start (node " + EmbeddedKafkaBroker.NODE_ID
                    + "); its log:\n" + (Files.exists(log) ? Files.readString(log) : ""));
        }
        return new BrokerChild(process, where[0], Path.of(where[1]));
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /** Where the broker keeps its topics' files. */
    Path dataDirectory() {
        return dataDirectory;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Ends the broker's input, which makes it shut down and delete its data. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            process.destroy();
        }
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
