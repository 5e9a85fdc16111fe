package io.kanal.it.sasl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.kanal.it.ProxyFixture;
import io.kanal.it.RoundTrip;
import io.kanal.proxy.config.NodeIdRange;

/**
 * SASL pass-through, the default: the broker authenticates and Kanal forwards SaslHandshake and SaslAuthenticate as
 * they are. A client with the broker's credentials works through the proxy exactly as it would directly; one with a
 * wrong password gets the broker's authentication error.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SaslPassThroughTest {

    private static final String USER = "alice";
    private static final String PASSWORD = "alice-secret";
    private static final int RECORDS = 200;

    private static SaslKafkaBroker broker;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        broker = SaslKafkaBroker.start(Map.of(USER, PASSWORD));
        proxy = ProxyFixture.start(List.of(broker.saslAddress()),
                new NodeIdRange(SaslKafkaBroker.NODE_ID, SaslKafkaBroker.NODE_ID));
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"})
    void aClientWithTheBrokersCredentialsProducesAndConsumesThroughTheProxy(String mechanism) throws Exception {
        String topic = broker.createTopic("sasl-pass", 1);
        List<String> values = IntStream.range(0, RECORDS).mapToObj(i -> mechanism + " record " + i).toList();

        assertEquals(values, RoundTrip.values(proxy.bootstrapServers(), SaslClients.login(mechanism, USER, PASSWORD),
                topic, values), "one partition: every record once, in order");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SCRAM-SHA-512", "PLAIN"})
    void aWrongPasswordGetsTheBrokersAuthenticationError(String mechanism) {
        Map<String, Object> config = SaslClients.login(mechanism, USER, "not-" + PASSWORD,
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, proxy.bootstrapServers(),
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
        try (Admin admin = Admin.create(config)) {
            ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> admin.describeCluster().clusterId().get(60, TimeUnit.SECONDS));
            assertInstanceOf(SaslAuthenticationException.class, failure.getCause(), failure::toString);
        }
    }
}
