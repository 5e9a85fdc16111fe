package io.kanal.it.sasl;

import io.kanal.proxy.testing.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;

import io.kanal.app.embedded.EmbeddedKafkaBroker;
import io.kanal.it.Names;
import io.kanal.proxy.config.HostPort;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * A single-node Kafka broker in this JVM whose client listener requires SASL: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512
 * and OAUTHBEARER (unsecured JWTs, Kafka's default validator), over plaintext or, started with
 * {@link #startWithTls}, over TLS (SASL_SSL). A second, plaintext listener is for setting up what a test needs
 * (topics) without credentials; the proxy never sees it.
 *
 * <p>Started once per test class: a broker configured differently from the shared cluster.
 */
public final class SaslKafkaBroker implements AutoCloseable {

    /** The broker's node id: a virtual cluster in front of it needs a broker port for this id only. */
    public static final int NODE_ID = EmbeddedKafkaBroker.NODE_ID;

    private static final String HOST = "127.0.0.1";
    private static final String SASL_LISTENER = "SASL";
    private static final String INTERNAL_LISTENER = "INTERNAL";
    private static final String CONTROLLER_LISTENER = EmbeddedKafkaBroker.CONTROLLER_LISTENER;
    private static final List<String> SCRAM_MECHANISMS = List.of("SCRAM-SHA-256", "SCRAM-SHA-512");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDirectory;
    private final KafkaRaftServer server;
    private final int saslPort;
    private final int internalPort;

    private SaslKafkaBroker(Path dataDirectory, KafkaRaftServer server, int saslPort, int internalPort) {
        this.dataDirectory = dataDirectory;
        this.server = server;
        this.saslPort = saslPort;
        this.internalPort = internalPort;
    }

    /**
     * Formats and starts the broker and returns once a client can reach it.
     *
     * @param users user name to password; each user can log in with PLAIN and with both SCRAM mechanisms
     */
    public static SaslKafkaBroker start(Map<String, String> users) throws Exception {
        return start(users, Map.of());
    }

    /**
     * As {@link #start(Map)}, with a SASL listener that speaks TLS: SASL_SSL. Clients need not show a certificate.
     *
     * @param keyStore the broker's key and certificate, PKCS12, whose key has the store's password
     */
    public static SaslKafkaBroker startWithTls(Map<String, String> users, Path keyStore, String password)
            throws Exception {
        return start(users, Map.of(
                "ssl.keystore.type", "PKCS12",
                "ssl.keystore.location", keyStore.toString(),
                "ssl.keystore.password", password,
                "ssl.key.password", password));
    }

    /** @param tls the SASL listener's TLS settings; none for SASL_PLAINTEXT */
    private static SaslKafkaBroker start(Map<String, String> users, Map<String, String> tls) throws Exception {
        Path dataDirectory = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "sasl-broker-");
        int first = FreePorts.consecutive(3);
        int[] ports = {first, first + 1, first + 2};
        KafkaConfig config = new KafkaConfig(properties(dataDirectory, ports, users, tls), false);
        List<String> scram = new ArrayList<>();
        users.forEach((user, password) -> SCRAM_MECHANISMS.forEach(mechanism ->
                scram.add(mechanism + "=[name=" + user + ",password=" + password + "]")));
        EmbeddedKafkaBroker.formatter(config, dataDirectory).setScramArguments(scram).run();
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        SaslKafkaBroker broker = new SaslKafkaBroker(dataDirectory, server, ports[0], ports[1]);
        try {
            server.startup();
            try (Admin admin = broker.internalAdmin()) {
                admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) READY_TIMEOUT.toMillis()))
                        .nodes().get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (Exception e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    private static Map<String, String> properties(Path dataDirectory, int[] ports, Map<String, String> users,
                                                  Map<String, String> tls) {
        Map<String, String> properties = EmbeddedKafkaBroker.singleNodeProperties(HOST, ports[2], dataDirectory);
        properties.put("listeners", SASL_LISTENER + "://" + HOST + ":" + ports[0] + ","
                + INTERNAL_LISTENER + "://" + HOST + ":" + ports[1] + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + ports[2]);
        properties.put("advertised.listeners", SASL_LISTENER + "://" + HOST + ":" + ports[0] + ","
                + INTERNAL_LISTENER + "://" + HOST + ":" + ports[1]);
        String saslProtocol = tls.isEmpty() ? "SASL_PLAINTEXT" : "SASL_SSL";
        properties.put("listener.security.protocol.map", SASL_LISTENER + ":" + saslProtocol + ","
                + INTERNAL_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        properties.put("inter.broker.listener.name", INTERNAL_LISTENER);
        String prefix = "listener.name." + SASL_LISTENER.toLowerCase() + ".";
        tls.forEach((key, value) -> properties.put(prefix + key, value));
        properties.put(prefix + "sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER");
        StringBuilder plainUsers = new StringBuilder();
        users.forEach((user, password) -> plainUsers.append(" user_").append(user).append("=\"").append(password)
                .append('"'));
        properties.put(prefix + "plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required" + plainUsers + ";");
        for (String mechanism : SCRAM_MECHANISMS) {
            properties.put(prefix + mechanism.toLowerCase() + ".sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        }
        properties.put(prefix + "oauthbearer.sasl.jaas.config",
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;");
        properties.put("offsets.topic.num.partitions", "3");
        return properties;
    }

    /** The listener that requires SASL (over TLS when so started): what the proxy, or a client, connects to. */
    public HostPort saslAddress() {
        return new HostPort(HOST, saslPort);
    }

    /** An admin client on the plaintext listener, for setting up topics. */
    public Admin internalAdmin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":" + internalPort,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000));
    }

    /** Creates a uniquely named topic with one replica per partition and returns its name. */
    public String createTopic(String purpose, int partitions) throws Exception {
        String name = Names.unique(purpose);
        try (Admin admin = internalAdmin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        return name;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        try {
            Utils.delete(dataDirectory.toFile());
        } catch (IOException e) {
            throw new IllegalStateException("cannot delete " + dataDirectory, e);
        }
    }
}
