package io.kanal.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The yardstick for what any extra hop costs: HAProxy as a plain TCP relay in front of the broker's relay listener,
 * in a process of its own. It splices both directions socket to socket and understands nothing of Kafka, so it is
 * about as cheap as a proxy can be; the broker tells the relay's clients to connect to the relay again (see {@link
 * BrokerMain}), which is the one thing Kanal's address rewriting does for a virtual cluster.
 */
final class RelayChild implements AutoCloseable {

    private static final String HOST = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final List<Path> USUAL_PLACES = List.of(Path.of("/usr/sbin/haproxy"), Path.of("/usr/bin/haproxy"),
            Path.of("/usr/local/sbin/haproxy"), Path.of("/usr/local/bin/haproxy"));

    private final Process process;
    private final int port;
    private final String version;

    private RelayChild(Process process, int port, String version) {
        this.process = process;
        this.port = port;
        this.version = version;
    }

    /**
     * The HAProxy to run: {@code choice} {@code auto} looks on the PATH and in the usual places, {@code off} means
     * none, anything else is the program's path.
     *
     * @throws IllegalArgumentException when a path was given and it is not a program
     */
    static Optional<Path> find(String choice) {
        if (choice.equals("off")) {
            return Optional.empty();
        }
        if (!choice.equals("auto")) {
            Path given = Path.of(choice);
            if (!Files.isExecutable(given)) {
                throw new IllegalArgumentException("--relay " + choice + ": not an executable file");
            }
            return Optional.of(given);
        }
        String path = System.getenv().getOrDefault("PATH", "");
        Stream<Path> onPath = Arrays.stream(path.split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "haproxy"));
        return Stream.concat(onPath, USUAL_PLACES.stream())
                .filter(Files::isExecutable)
                .findFirst();
    }

    /**
     * Starts HAProxy on {@code port}, relaying to the broker's relay listener on {@code targetPort}, and returns once
     * it accepts connections.
     */
    static RelayChild start(Path haproxy, Path workDirectory, int port, int targetPort)
            throws IOException, InterruptedException {
        Path config = workDirectory.resolve("relay.cfg");
        Files.writeString(config, """
                # Written by the Kanal bench: HAProxy as a plain TCP relay, splicing both ways.
                global
                    maxconn 1000
                defaults
                    mode tcp
                    timeout connect 10s
                    timeout client 10m
                    timeout server 10m
                    option splice-request
                    option splice-response
                listen kafka
                    bind %1$s:%2$d
                    server broker %1$s:%3$d
                """.formatted(HOST, port, targetPort));
        Path log = workDirectory.resolve("relay.log");
        // -db: stay in the foreground, so that this process is HAProxy's and its CPU time can be read.
        Process process = new ProcessBuilder(haproxy.toString(), "-db", "-f", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        RelayChild relay = new RelayChild(process, port, version(haproxy));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!relay.accepts()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("the relay (" + haproxy + ") did not start; its log:\n"
                        + Files.readString(log));
            }
            Thread.sleep(100);
        }
        return relay;
    }

    String bootstrapServers() {
        return HOST + ":" + port;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** HAProxy's first line of {@code -v}, such as "HAProxy version 2.6.12-1+deb12u2 2025/04/10". */
    String version() {
        return version;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String version(Path haproxy) throws IOException, InterruptedException {
        Process v = new ProcessBuilder(haproxy.toString(), "-v").redirectErrorStream(true).start();
        try (InputStream out = v.getInputStream()) {
            String text = new String(out.readAllBytes()).strip();
            v.waitFor(10, TimeUnit.SECONDS);
            return text.lines().findFirst().orElse("HAProxy");
        }
    }
}
