package io.kanal.app.embedded;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A single-node Apache Kafka broker running inside this JVM: KRaft mode, broker and controller in one process,
 * listening on loopback only, with its data in a temporary directory that {@link #close()} deletes. It is what
 * {@code kanal} proxies when started without a configuration, so that trying Kanal needs nothing but the jar.
 *
 * <p>It is built the way Kafka's own test kit builds one, without the test kit's JUnit dependencies: write the
 * broker properties, format the log directory with {@link Formatter} as {@code kafka-storage.sh format} does, then
 * run {@link KafkaRaftServer}, the server behind {@code kafka-server-start.sh}.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    /** The broker's node id: a virtual cluster in front of it needs a broker port for this id only. */
    public static final int NODE_ID = 1;
    /** The name of the listener the node's controller listens on. */
    public static final String CONTROLLER_LISTENER = "CONTROLLER";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final String HOST = "127.0.0.1";
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** Properties {@link #start()} and {@link #close()} rely on: a caller may not override them. */
    private static final Set<String> FIXED_PROPERTIES = Set.of("process.roles", "node.id", "controller.quorum.voters",
            "controller.quorum.bootstrap.servers", "log.dirs", "log.dir", "metadata.log.dir");

    private final List<ExtraListener> extraListeners = new ArrayList<>();
    private final Map<String, String> overrides = new HashMap<>();
    private Path dataDirectory;
    private KafkaRaftServer server;
    private String bootstrapServers;

    /**
     * Formats a fresh data directory, starts the broker on free loopback ports and returns once a client can reach
     * it.
     *
     * @throws EmbeddedBrokerException when any of that fails; whatever was started is stopped again
     * @throws IllegalStateException   when called twice
     */
    public synchronized void start() {
        if (dataDirectory != null) {
            throw new IllegalStateException("the embedded Kafka broker was already started");
        }
        try {
            dataDirectory = Files.createTempDirectory("kanal-kafka-");
            int[] ports = freeLoopbackPorts(2);
            KafkaConfig config = new KafkaConfig(properties(ports[0], ports[1]), false);
            formatter(config, dataDirectory).run();
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            bootstrapServers = HOST + ":" + ports[0];
            awaitClientAccess();
            LOG.info("Embedded Kafka broker {} is up at {} with its data in {}", NODE_ID, bootstrapServers,
                    dataDirectory);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            close();
            throw new EmbeddedBrokerException("embedded Kafka broker: " + e.getMessage(), e);
        }
    }

    /**
     * Adds a plaintext listener on {@code 127.0.0.1:port} whose clients are told to reach the broker at {@code
     * advertised} instead: for something in front of the broker that does not rewrite addresses, such as the bench's
     * TCP relay. Takes effect at {@link #start()}.
     *
     * @param name       the listener's name, upper case, not {@code PLAINTEXT} or {@code CONTROLLER}
     * @param port       the port the broker listens on
     * @param advertised {@code host:port} that clients of this listener connect to
     */
    public synchronized EmbeddedKafkaBroker addListener(String name, int port, String advertised) {
        if (dataDirectory != null) {
            throw new IllegalStateException("listeners are added before the embedded Kafka broker starts");
        }
        if (!name.matches("[A-Z][A-Z0-9_]*") || name.equals(BROKER_LISTENER) || name.equals(CONTROLLER_LISTENER)) {
            throw new IllegalArgumentException("not a name for another listener: " + name);
        }
        extraListeners.add(new ExtraListener(name, port, advertised));
        return this;
    }

    /**
     * Sets a broker property over the defaults this class chooses, for a broker tuned to a purpose (the bench has
     * deleted topics' files removed within 0.1 s rather than a minute later, in the middle of another run). Takes
     * effect at {@link #start()}. Listeners are added with {@link #addListener}, not here; what makes the node the
     * single-node cluster this class manages (its roles, id, quorum and data directory) cannot be changed.
     */
    public synchronized EmbeddedKafkaBroker brokerProperty(String key, String value) {
        if (dataDirectory != null) {
            throw new IllegalStateException("properties are set before the embedded Kafka broker starts");
        }
        if (key.contains("listener")) {
            throw new IllegalArgumentException(key + ": listeners are added with addListener");
        }
        if (FIXED_PROPERTIES.contains(key)) {
            throw new IllegalArgumentException(key + " is set by the embedded Kafka broker itself");
        }
        overrides.put(key, value);
        return this;
    }

    /** The broker's {@code host:port}, for clients and for a proxy in front of it. */
    public synchronized String bootstrapServers() {
        if (bootstrapServers == null) {
            throw new IllegalStateException("the embedded Kafka broker is not running");
        }
        return bootstrapServers;
    }

    /** Where the broker keeps its data while it runs; deleted by {@link #close()}. */
    public synchronized Path dataDirectory() {
        return dataDirectory;
    }

    /** Stops the broker and deletes its data. Does nothing when it is not running. */
    @Override
    public synchronized void close() {
        bootstrapServers = null;
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
        if (dataDirectory != null) {
            try {
                Utils.delete(dataDirectory.toFile());
            } catch (IOException e) {
                LOG.warn("Could not delete the embedded Kafka broker's data in {}: {}", dataDirectory, e.toString());
            }
        }
    }

    private Map<String, String> properties(int brokerPort, int controllerPort) {
        Map<String, String> properties = singleNodeProperties(HOST, controllerPort, dataDirectory);
        StringBuilder listeners = new StringBuilder(BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        StringBuilder advertised = new StringBuilder(BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
        StringBuilder protocols = new StringBuilder(BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER
                + ":PLAINTEXT");
        for (ExtraListener extra : extraListeners) {
            listeners.append(',').append(extra.name).append("://").append(HOST).append(':').append(extra.port);
            advertised.append(',').append(extra.name).append("://").append(extra.advertised);
            protocols.append(',').append(extra.name).append(":PLAINTEXT");
        }
        properties.put("listeners", listeners.toString());
        properties.put("advertised.listeners", advertised.toString());
        properties.put("listener.security.protocol.map", protocols.toString());
        properties.put("inter.broker.listener.name", BROKER_LISTENER);
        properties.putAll(overrides);
        return properties;
    }

    /**
     * What a node that is both the only broker and the only controller of its cluster needs besides its listeners
     * ({@code listeners}, {@code listener.security.protocol.map}, {@code inter.broker.listener.name}): its roles, node
     * id {@value #NODE_ID}, a quorum of itself with the controller on {@value #CONTROLLER_LISTENER}, and one replica of
     * each internal topic.
     *
     * @param host           the address the controller listens on
     * @param controllerPort the controller's port
     * @param dataDirectory  where the node keeps its logs and metadata
     * @return a map the caller may add to
     */
    public static Map<String, String> singleNodeProperties(String host, int controllerPort, Path dataDirectory) {
        Map<String, String> properties = new HashMap<>();
        properties.put("process.roles", "broker,controller");
        properties.put("node.id", Integer.toString(NODE_ID));
        properties.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + controllerPort);
        properties.put("controller.listener.names", CONTROLLER_LISTENER);
        properties.put("log.dirs", dataDirectory.toString());
        // A single broker cannot hold more than one replica of the internal topics.
        properties.put("offsets.topic.replication.factor", "1");
        properties.put("transaction.state.log.replication.factor", "1");
        properties.put("transaction.state.log.min.isr", "1");
        properties.put("share.coordinator.state.topic.replication.factor", "1");
        properties.put("share.coordinator.state.topic.min.isr", "1");
        // No other members will join, so a consumer group need not wait for them.
        properties.put("group.initial.rebalance.delay.ms", "0");
        // The log cleaner's default 128 MiB buffer is sized for production; a one-node broker compacts little.
        properties.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        return properties;
    }

    /**
     * What formats the data directory of a node made with {@link #singleNodeProperties}, as
     * {@code kafka-storage.sh format} does, for a new cluster; the caller may set more (SCRAM credentials) before it
     * runs it.
     */
    public static Formatter formatter(KafkaConfig config, Path dataDirectory) {
        return new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(NODE_ID)
                .setClusterId(Uuid.randomUuid().toString())
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setMetadataLogDirectory(config.metadataLogDir())
                .addDirectory(dataDirectory.toString());
    }

    /** {@code startup()} returns once the broker is unfenced; a client's view of the cluster is what counts. */
    private void awaitClientAccess() throws InterruptedException, ExecutionException, TimeoutException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            int timeoutMs = (int) READY_TIMEOUT.toMillis();
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
                    .nodes()
                    .get(timeoutMs, TimeUnit.MILLISECONDS);
        }
    }

    /** Ports the operating system has just handed out, all held at once so that they differ from each other. */
    private static int[] freeLoopbackPorts(int count) throws IOException {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getByName(HOST));
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
    }

    private record ExtraListener(String name, int port, String advertised) {
    }
}
