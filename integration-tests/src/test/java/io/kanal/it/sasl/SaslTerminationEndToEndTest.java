package io.kanal.it.sasl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kanal.proxy.testing.FreePorts;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.kanal.it.ChildProcess;
import io.kanal.it.KanalProcess;
import io.kanal.it.RoundTrip;

/**
 * SASL termination end to end, with the real {@code kanal.jar} running {@code config-examples/sasl-termination.yaml}
 * in front of a broker that requires SASL. Applications log in to Kanal as {@code alice}, a user only Kanal knows,
 * from a credentials file written with {@code kanal credentials add}; Kanal logs in to the broker as {@code kanal},
 * a user only the broker knows. Kanal's readiness (which the process fixture waits for) proves its probes log in to
 * the broker too.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SaslTerminationEndToEndTest {

    private static final String APP_USER = "alice";
    private static final String APP_PASSWORD = "alice-at-kanal";
    private static final String BROKER_USER = "kanal";
    private static final String BROKER_PASSWORD = "kanal-at-the-broker";
    private static final int RECORDS = 300;
    private static final Duration KCAT_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path directory;
    private static SaslKafkaBroker broker;
    private static KanalProcess kanal;

    @BeforeAll
    static void start() throws Exception {
        broker = SaslKafkaBroker.start(Map.of(BROKER_USER, BROKER_PASSWORD));
        Path credentials = directory.resolve("credentials");
        ChildProcess.Result added = KanalProcess.command(List.of("credentials", "add", "--file",
                credentials.toString(), "--user", APP_USER, "--mechanism", "SCRAM-SHA-512,SCRAM-SHA-256"),
                APP_PASSWORD + "\n");
        assertEquals(0, added.exitCode(), added::describe);
        assertFalse(Files.readString(credentials).contains(APP_PASSWORD), "the password is stored salted");

        int bootstrapPort = FreePorts.consecutive(34);
        kanal = KanalProcess.start(KanalProcess.example("sasl-termination.yaml"), List.of(), Map.of(
                "KANAL_PORT", Integer.toString(bootstrapPort),
                "KANAL_ADMIN_PORT", Integer.toString(bootstrapPort + 33),
                "KAFKA_BOOTSTRAP", broker.saslAddress().toString(),
                "KANAL_CREDENTIALS", credentials.toString(),
                "KANAL_SASL_MECHANISMS", "SCRAM-SHA-512,SCRAM-SHA-256,PLAIN",
                "KAFKA_SASL_USERNAME", BROKER_USER,
                "KAFKA_SASL_PASSWORD", BROKER_PASSWORD), bootstrapPort);
    }

    @AfterAll
    static void stop() throws Exception {
        KanalProcess.stop(kanal, broker, APP_PASSWORD, BROKER_PASSWORD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"})
    void anApplicationLoggedInAtKanalProducesAndConsumesEveryRecordOnce(String mechanism) throws Exception {
        String topic = broker.createTopic("sasl-end-to-end", 1);
        List<String> values = IntStream.range(0, RECORDS).mapToObj(i -> mechanism + " record " + i).toList();

        assertEquals(values, RoundTrip.values(kanal.bootstrapServers(),
                SaslClients.login(mechanism, APP_USER, APP_PASSWORD), topic, values),
                "one partition: every record once, in order");
        assertTrue(metric("kanal_authentications_total", mechanism,
                "success") >= 2, "producer and consumer logged in");
    }

    @Test
    void theBrokersCredentialsDoNotWorkAtKanalAndAWrongPasswordIsCounted() throws Exception {
        double before = metric("kanal_authentications_total", "SCRAM-SHA-512", "failure");
        for (Map<String, Object> login : List.of(SaslClients.login("SCRAM-SHA-512", APP_USER, "not-" + APP_PASSWORD),
                SaslClients.login("SCRAM-SHA-512", BROKER_USER, BROKER_PASSWORD))) {
            Map<String, Object> config = new HashMap<>(login);
            config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kanal.bootstrapServers());
            config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
            try (Admin admin = Admin.create(config)) {
                ExecutionException failure = assertThrows(ExecutionException.class,
                        () -> admin.describeCluster().clusterId().get(60, TimeUnit.SECONDS));
                assertInstanceOf(SaslAuthenticationException.class, failure.getCause(), failure::toString);
            }
        }
        assertEquals(before + 2, metric("kanal_authentications_total", "SCRAM-SHA-512", "failure"));
    }

    @Test
    void anUnauthenticatedMetadataRequestClosesTheConnection() throws Exception {
        double before = metric("kanal_authentications_total", "none", "refused");
        RequestHeader header = new RequestHeader(ApiKeys.METADATA, (short) 12, "sneaky", 1);
        ByteBuffer body = RequestUtils.serialize(header.data(), header.headerVersion(), new MetadataRequestData(),
                (short) 12);
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(ByteBuffer.allocate(4).putInt(body.remaining()).array());
            out.write(body.array(), body.arrayOffset() + body.position(), body.remaining());
            out.flush();
            assertClosed(socket);
        }
        assertEquals(before + 1, metric("kanal_authentications_total", "none", "refused"));
    }

    @Test
    void aConnectionThatDoesNotAuthenticateWithinTheTimeoutIsClosed() throws Exception {
        double before = timedOut();
        long started = System.nanoTime();
        try (Socket socket = connect()) {
            assertClosed(socket);
        }
        long waited = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        assertTrue(waited >= 9, "closed after " + waited + " s; the example's timeout is 10 s");
        assertEquals(before + 1, timedOut());
        assertTrue(kanal.readLog().contains("did not authenticate within 10000 ms"), kanal::readLog);
    }

    /**
     * kcat logs in to Kanal as a librdkafka application would. librdkafka before 2.6.1 repeats its nonce in the SCRAM
     * client-final message, which RFC 5802 forbids and which Kafka 4 brokers (and so Kanal, which checks like them)
     * refuse; with such a librdkafka the test logs in with PLAIN instead, which Kanal checks against the same SCRAM
     * entry.
     */
    @Test
    void kcatLogsIn() throws Exception {
        Path kcat = ChildProcess.kcat();
        ChildProcess.Result version = ChildProcess.run(List.of(kcat.toString(), "-V"), "", KCAT_TIMEOUT);
        String mechanism = scramWorks(version.stdout() + version.stderr()) ? "SCRAM-SHA-512" : "PLAIN";
        String topic = broker.createTopic("sasl-kcat", 1);
        List<String> login = List.of("-b", kanal.bootstrapServers(), "-X", "security.protocol=SASL_PLAINTEXT",
                "-X", "sasl.mechanisms=" + mechanism, "-X", "sasl.username=" + APP_USER,
                "-X", "sasl.password=" + APP_PASSWORD);
        List<String> lines = IntStream.range(0, 100).mapToObj(i -> "kcat line " + i).toList();

        ChildProcess.Result produced = ChildProcess.run(command(kcat, login, "-P", "-t", topic),
                String.join("\n", lines) + "\n", KCAT_TIMEOUT);
        assertEquals(0, produced.exitCode(), produced::describe);
        ChildProcess.Result consumed = ChildProcess.run(command(kcat, login, "-C", "-t", topic, "-o", "beginning",
                "-e", "-q"), "", KCAT_TIMEOUT);
        assertEquals(0, consumed.exitCode(), consumed::describe);
        assertEquals(lines, consumed.stdoutLines());
    }

    /** Whether the librdkafka that {@code kcat -V} names is 2.6.1 or later, whose SCRAM client follows RFC 5802. */
    private static boolean scramWorks(String kcatVersion) {
        Matcher matcher = Pattern.compile("librdkafka (\\d+)\\.(\\d+)\\.(\\d+)").matcher(kcatVersion);
        if (!matcher.find()) {
            return false;
        }
        int[] version = {Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)),
                Integer.parseInt(matcher.group(3))};
        return version[0] > 2 || version[0] == 2 && (version[1] > 6 || version[1] == 6 && version[2] >= 1);
    }

    private static List<String> command(Path kcat, List<String> login, String... more) {
        List<String> command = new ArrayList<>(List.of(kcat.toString()));
        command.addAll(login);
        command.addAll(List.of(more));
        return command;
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.setSoTimeout(20_000);
        String[] address = kanal.bootstrapServers().split(":");
        socket.connect(new InetSocketAddress(address[0], Integer.parseInt(address[1])), 5_000);
        return socket;
    }

    private static void assertClosed(Socket socket) throws IOException {
        try {
            assertEquals(-1, new DataInputStream(socket.getInputStream()).read(), "Kanal answered instead");
        } catch (SocketException | EOFException reset) {
            // A reset is a close too.
        }
    }

    private static double timedOut() throws Exception {
        return value(Pattern.compile(
                "kanal_connections_timed_out_total\\{[^}]*reason=\"authentication\"[^}]*} (\\S+)"));
    }

    /** A counter of {@code /metrics} for the example's virtual cluster, 0 when it was never counted. */
    private static double metric(String name, String mechanism, String result) throws Exception {
        return value(Pattern.compile(Pattern.quote(name) + "\\{mechanism=\"" + Pattern.quote(mechanism)
                + "\",result=\"" + result + "\",virtual_cluster=\"sasl\"} (\\S+)"));
    }

    private static double value(Pattern line) throws Exception {
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(kanal.adminUrl().orElseThrow() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher matcher = line.matcher(metrics.body());
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }
}
