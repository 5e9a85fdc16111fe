package io.kanal.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanal.app.reload.ConfigReloader;
import io.kanal.proxy.testing.FreePorts;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kanal --config FILE} reloading FILE while it runs: when the file changes on disk, on SIGHUP (through the
 * action the signal handler runs), and refusing a file it cannot run. A small echo server stands in for the broker,
 * so that connections through the proxy carry requests.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConfigReloadTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;

    private final List<Runnable> shutdownHooks = new CopyOnWriteArrayList<>();
    private final List<Runnable> reloadSignals = new CopyOnWriteArrayList<>();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger reloaderLogger = (Logger) LoggerFactory.getLogger(ConfigReloader.class);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private EchoBroker broker;
    private CompletableFuture<Integer> exitCode;
    private Path config;
    private int adminPort;
    /** Ports for the admin server and up to three virtual clusters of two ports each. */
    private static final int PORT_BLOCK = 7;
    private int nextPort;

    @BeforeEach
    void start() throws IOException {
        broker = new EchoBroker();
        log.start();
        reloaderLogger.addAppender(log);
        reloaderLogger.setLevel(Level.INFO);
        config = directory.resolve("kanal.yaml");
        // Every port a test uses comes from this one block: separately found ports could sit next to each other,
        // and a virtual cluster also takes the port after its bootstrap port.
        adminPort = FreePorts.consecutive(PORT_BLOCK);
        nextPort = adminPort + 1;
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (exitCode != null) {
                shutdownHooks.forEach(Runnable::run);
                assertEquals(Main.EXIT_OK, exitCode.get(30, TimeUnit.SECONDS));
            }
        } finally {
            reloaderLogger.detachAppender(log);
            broker.close();
        }
    }

    @Test
    void aRewrittenFileIsReloadedWhileTheUnchangedClustersConnectionKeepsWorking() throws Exception {
        int a = freePort();
        int b = freePort();
        write(yaml(cluster("a", a)));
        run();
        awaitLog("Watching " + config);

        try (RawClient client = new RawClient(a)) {
            client.assertRoundTrip(1);

            // As editors save: a new file renamed over the old one.
            Path temporary = Files.writeString(directory.resolve(".kanal.yaml.swp"), yaml(cluster("a", a)
                    + cluster("b", b)));
            Files.move(temporary, config, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

            await(() -> FreePorts.accepts(b), "virtual cluster b listening on " + b);
            String line = awaitLog("Configuration reloaded from " + config);
            assertTrue(line.contains("(file change): added [b], removed [], changed [], unchanged [a]"), line);
            // The same client socket: the proxy would have closed it had it replaced a's listener.
            client.assertRoundTrip(2);
        }
        try (RawClient client = new RawClient(b)) {
            client.assertRoundTrip(3);
        }
        assertEquals(List.of("a", "b"), clusterNames(effectiveConfig()));
        assertTrue(effectiveConfig().path("reload").path("watch").asBoolean(false));
        assertEquals(1.0, reloads("success"));
        assertEquals(0.0, reloads("failure"));
    }

    @Test
    void sighupReloadsTheFileWhenWatchingIsOff() throws Exception {
        int a = freePort();
        int b = freePort();
        write(yaml(cluster("a", a)) + "reload: { watch: false }\n");
        run();
        await(() -> !reloadSignals.isEmpty(), "a SIGHUP action registered");

        write(yaml(cluster("a", a) + cluster("b", b)) + "reload: { watch: false }\n");
        Thread.sleep(ConfigReloader.WATCH_DEBOUNCE.toMillis() * 3);
        assertFalse(FreePorts.accepts(b), "reloaded without being asked");

        reloadSignals.forEach(Runnable::run);

        await(() -> FreePorts.accepts(b), "virtual cluster b listening on " + b);
        assertTrue(awaitLog("Configuration reloaded").contains("(SIGHUP): added [b]"));
        assertEquals(List.of("a", "b"), clusterNames(effectiveConfig()));
        assertFalse(effectiveConfig().path("reload").path("watch").asBoolean(true));
    }

    @Test
    void aFileThatCannotRunIsRejectedAndTheRunningConfigurationKeepsServing() throws Exception {
        int a = freePort();
        int b = freePort();
        write(yaml(cluster("a", a)));
        run();
        awaitLog("Watching " + config);
        JsonNode before = effectiveConfig();

        try (RawClient client = new RawClient(a); ServerSocket taken = new ServerSocket()) {
            client.assertRoundTrip(1);

            write(yaml(cluster("a", a) + cluster("b", b).replace("bootstrap:", "bootstrp:")));
            String unknownKey = awaitLog("rejected");
            assertTrue(unknownKey.endsWith("the running configuration is unchanged: config error: "
                    + "virtualClusters[1].bootstrp: unknown key (known: name, bootstrap, advertisedHost, nodeIds, "
                    + "target, filters, tls, sni, sasl)"), unknownKey);

            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), b));
            log.list.clear();
            write(yaml(cluster("a", a) + cluster("b", b)));
            String bindFailure = awaitLog("rejected");
            assertTrue(bindFailure.contains("unchanged: virtual cluster 'b': cannot listen on 127.0.0.1:" + b),
                    bindFailure);

            assertEquals(before, effectiveConfig());
            client.assertRoundTrip(2);
            assertEquals(2.0, reloads("failure"));
            assertEquals(0.0, reloads("success"));
        }
        // Once the port is free, SIGHUP (the file itself has not changed since) applies it.
        log.list.clear();
        reloadSignals.forEach(Runnable::run);
        await(() -> FreePorts.accepts(b), "virtual cluster b listening on " + b);
        assertEquals(List.of("a", "b"), clusterNames(effectiveConfig()));
        assertEquals(1.0, reloads("success"));
    }

    // ---- Helpers ----

    private void run() throws Exception {
        Main main = new Main(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                Map.<String, String>of()::get, shutdownHooks::add, reloadSignals::add);
        exitCode = CompletableFuture.supplyAsync(() -> main.execute("--config", config.toString()));
        await(() -> !shutdownHooks.isEmpty() || exitCode.isDone(), "kanal started");
        assertFalse(exitCode.isDone(), "kanal exited at once");
    }

    private String yaml(String clusters) {
        return "virtualClusters:\n" + clusters + """
                network:
                  shutdownGrace: 2s
                admin:
                  listen: 127.0.0.1:%d
                """.formatted(adminPort);
    }

    private String cluster(String name, int port) {
        return """
                  - name: %s
                    bootstrap: 127.0.0.1:%d
                    nodeIds: { first: 0, last: 0 }
                    target: { bootstrapServers: 127.0.0.1:%d }
                """.formatted(name, port, broker.port());
    }

    private void write(String yaml) throws IOException {
        Files.writeString(config, yaml);
    }

    private JsonNode effectiveConfig() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + adminPort + "/config")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return JSON.readTree(response.body());
    }

    private static List<String> clusterNames(JsonNode config) {
        List<String> names = new ArrayList<>();
        config.path("virtualClusters").forEach(cluster -> names.add(cluster.path("name").asText()));
        return names;
    }

    /** {@code kanal_config_reloads_total{result}} as {@code /metrics} shows it. */
    private double reloads(String result) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        String prefix = "kanal_config_reloads_total{result=\"" + result + "\"} ";
        return metrics.lines().filter(line -> line.startsWith(prefix)).findFirst()
                .map(line -> Double.parseDouble(line.substring(prefix.length())))
                .orElseThrow(() -> new AssertionError("no " + prefix + "in\n" + metrics));
    }

    /** The first line logged by the reloader that contains {@code text}, waiting for it. */
    private String awaitLog(String text) throws InterruptedException {
        String[] found = new String[1];
        await(() -> {
            for (ILoggingEvent event : List.copyOf(log.list)) {
                if (event.getFormattedMessage().contains(text)) {
                    found[0] = event.getFormattedMessage();
                    return true;
                }
            }
            return false;
        }, "a log line containing '" + text + "'; logged: " + log.list);
        return found[0];
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "waited in vain for " + what);
            Thread.sleep(50);
        }
    }

    private static byte[] heartbeat(int correlationId) {
        RequestHeader header = new RequestHeader(ApiKeys.HEARTBEAT, (short) 4, "reload-test", correlationId);
        ByteBuffer body = RequestUtils.serialize(header.data(), header.headerVersion(),
                new HeartbeatRequestData().setGroupId("group").setMemberId("member"), (short) 4);
        byte[] frame = new byte[4 + body.remaining()];
        ByteBuffer.wrap(frame).putInt(body.remaining()).put(body);
        return frame;
    }

    /** What the echo broker answers: the request's correlation id, then the request without its size prefix. */
    private static byte[] echoOf(byte[] request) {
        int correlationId = ByteBuffer.wrap(request, 8, 4).getInt();
        byte[] payload = Arrays.copyOfRange(request, 4, request.length);
        byte[] frame = new byte[8 + payload.length];
        ByteBuffer.wrap(frame).putInt(4 + payload.length).putInt(correlationId).put(payload);
        return frame;
    }

    /** A client speaking Kafka framing over a plain socket. */
    private static final class RawClient implements AutoCloseable {
        private final Socket socket = new Socket();
        private final DataInputStream in;
        private final OutputStream out;

        RawClient(int port) throws IOException {
            socket.setSoTimeout(5000);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        void assertRoundTrip(int correlationId) throws IOException {
            byte[] request = heartbeat(correlationId);
            out.write(request);
            out.flush();
            int size = in.readInt();
            byte[] answer = new byte[4 + size];
            ByteBuffer.wrap(answer).putInt(size);
            in.readFully(answer, 4, size);
            assertArrayEquals(echoOf(request), answer);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Answers every request frame with {@link #echoOf}, one thread per connection. */
    private static final class EchoBroker implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "echo-broker");
            thread.setDaemon(true);
            return thread;
        });
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();

        EchoBroker() throws IOException {
            threads.execute(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        accepted.add(socket);
                        threads.execute(() -> serve(socket));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        private static void serve(Socket socket) {
            try (socket) {
                DataInputStream in = new DataInputStream(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                while (true) {
                    int size = in.readInt();
                    byte[] request = new byte[4 + size];
                    ByteBuffer.wrap(request).putInt(size);
                    in.readFully(request, 4, size);
                    out.write(echoOf(request));
                    out.flush();
                }
            } catch (IOException ended) {
                // The proxy hung up.
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : accepted) {
                socket.close();
            }
            threads.shutdownNow();
        }
    }

    /** A virtual cluster's bootstrap port from this test's block; the port after it is its broker's. */
    private int freePort() {
        int port = nextPort;
        nextPort += 2;
        return port;
    }

}
