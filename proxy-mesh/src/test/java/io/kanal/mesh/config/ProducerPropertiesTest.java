package io.kanal.mesh.config;

import io.kanal.proxy.config.HostPort;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProducerPropertiesTest {

    private static ProducerProperties.Problem problem(Map<String, String> properties) {
        return ProducerProperties.check(properties).orElseThrow(() -> new AssertionError("no problem found"));
    }

    @Test
    void acceptsOrdinaryProducerSettings() {
        assertEquals(Optional.empty(), ProducerProperties.check(Map.of(
                "acks", "all", "linger.ms", "20", "batch.size", "65536", "compression.type", "zstd",
                "enable.idempotence", "true", "max.in.flight.requests.per.connection", "5")));
    }

    @Test
    void namesAValueThatDoesNotParse() {
        ProducerProperties.Problem problem = problem(Map.of("acks", "all", "linger.ms", "soon"));

        assertEquals(Optional.of("linger.ms"), problem.key());
        assertEquals("not a number of type LONG", problem.reason());
    }

    @Test
    void namesAValueTheValidatorRejectsWithoutRepeatingIt() {
        ProducerProperties.Problem problem = problem(Map.of("compression.type", "brotli"));

        assertEquals(Optional.of("compression.type"), problem.key());
        assertTrue(problem.reason().startsWith("string must be one of"), problem.reason());
        assertFalse(problem.reason().contains("brotli"), problem.reason());
    }

    @Test
    void namesAnUnknownKey() {
        ProducerProperties.Problem problem = problem(Map.of("lingerms", "5"));

        assertEquals(Optional.of("lingerms"), problem.key());
        assertEquals("not a producer setting of kafka-clients", problem.reason());
    }

    @Test
    void refusesWhatTheMeshSetsItself() {
        assertEquals(Optional.of("bootstrap.servers"), problem(Map.of("bootstrap.servers", "x:1")).key());
        assertEquals(Optional.of("transactional.id"), problem(Map.of("transactional.id", "t")).key());
        assertEquals(Optional.of("value.serializer"), problem(Map.of("value.serializer", "x")).key());
    }

    @Test
    void findsSettingsThatContradictEachOther() {
        ProducerProperties.Problem problem = problem(Map.of("enable.idempotence", "true", "acks", "1"));

        assertEquals(Optional.empty(), problem.key());
        assertTrue(problem.reason().contains("acks"), problem.reason());
    }

    @Test
    void findsADeliveryTimeoutShorterThanLingerAndRequestTimeout() {
        ProducerProperties.Problem problem = problem(Map.of("delivery.timeout.ms", "1000",
                "request.timeout.ms", "30000"));

        assertEquals(Optional.of("delivery.timeout.ms"), problem.key());
    }

    @Test
    void acksAllWhenUnsetOrAllOrMinusOne() {
        assertTrue(ProducerProperties.acksAll(Map.of()));
        assertTrue(ProducerProperties.acksAll(Map.of("acks", "all")));
        assertTrue(ProducerProperties.acksAll(Map.of("acks", "-1")));
        assertFalse(ProducerProperties.acksAll(Map.of("acks", "1")));
    }

    @Test
    void connectionSettingsAreTheSecurityOnes() {
        UpstreamClusterConfig cluster = new UpstreamClusterConfig("c1", List.of(new HostPort("k", 9092)),
                OptionalInt.empty(), Map.of("security.protocol", "SSL", "ssl.truststore.location", "/t",
                "linger.ms", "5"));

        assertEquals(Map.of("security.protocol", "SSL", "ssl.truststore.location", "/t", "bootstrap.servers",
                "k:9092"), ProducerProperties.connection(cluster));
    }
}
