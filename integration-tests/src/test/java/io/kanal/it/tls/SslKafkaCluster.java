package io.kanal.it.tls;

import io.kanal.it.KafkaCluster;
import io.kanal.testkafka.KraftTestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.test.api.TestKitDefaults;

/**
 * A one-broker KRaft cluster whose broker listener speaks TLS and requires client certificates, for the classes that
 * test TLS from the proxy to brokers. The test kit's own protocol switch knows only plaintext, so the listener's
 * protocol and TLS settings are given as broker configuration.
 */
final class SslKafkaCluster implements AutoCloseable {

    private static final int BROKER_ID = TestKitDefaults.BROKER_ID_OFFSET;
    private static final int CONTROLLER_ID = TestKitDefaults.BROKER_ID_OFFSET + TestKitDefaults.CONTROLLER_ID_OFFSET;
    private static final ListenerName LISTENER = ListenerName.normalised(TestKitDefaults.DEFAULT_BROKER_LISTENER_NAME);

    private final KafkaClusterTestKit kit;
    private final int port;

    private SslKafkaCluster(KafkaClusterTestKit kit) {
        this.kit = kit;
        this.port = kit.brokers().get(BROKER_ID).boundPort(LISTENER);
    }

    /**
     * @param keyStore   the broker's key and certificate, PKCS12
     * @param trustStore the CA client certificates must chain to, PKCS12
     */
    static SslKafkaCluster start(Path keyStore, Path trustStore, String password) throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder(KraftTestCluster.productionMetadata())
                .setCombined(false)
                .setNumControllerNodes(1)
                .setNumBrokerNodes(1)
                .setBaseDirectory(Files.createTempDirectory(Path.of("target").toAbsolutePath(), "kafka-ssl-"))
                .setPerServerProperties(Map.of(
                        BROKER_ID, Map.of("listeners", LISTENER.value() + "://127.0.0.1:0"),
                        CONTROLLER_ID, Map.of("default.replication.factor", "1")))
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        builder.setConfigProp("listener.security.protocol.map",
                LISTENER.value() + ":SSL," + nodes.controllerListenerName().value() + ":PLAINTEXT");
        builder.setConfigProp("ssl.keystore.type", "PKCS12");
        builder.setConfigProp("ssl.keystore.location", keyStore.toString());
        builder.setConfigProp("ssl.keystore.password", password);
        builder.setConfigProp("ssl.key.password", password);
        builder.setConfigProp("ssl.truststore.type", "PKCS12");
        builder.setConfigProp("ssl.truststore.location", trustStore.toString());
        builder.setConfigProp("ssl.truststore.password", password);
        builder.setConfigProp("ssl.client.auth", "required");
        builder.setConfigProp("offsets.topic.replication.factor", "1");
        builder.setConfigProp("offsets.topic.num.partitions", "1");
        builder.setConfigProp("transaction.state.log.replication.factor", "1");
        builder.setConfigProp("transaction.state.log.min.isr", "1");
        builder.setConfigProp("group.initial.rebalance.delay.ms", "0");
        KafkaClusterTestKit kit = builder.build();
        KafkaCluster.startKit(kit);
        return new SslKafkaCluster(kit);
    }

    int port() {
        return port;
    }

    /** An admin client straight to the broker, with a client certificate from {@code keyStore}. */
    Admin directAdmin(Path keyStore, Path trustStore, String password) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        settings.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        settings.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
        settings.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, keyStore.toString());
        settings.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, password);
        settings.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        settings.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, trustStore.toString());
        settings.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, password);
        return Admin.create(settings);
    }

    @Override
    public void close() throws Exception {
        kit.close();
    }
}
