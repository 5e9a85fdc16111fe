package io.kanal.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.NodeIdRange;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.config.VirtualClusterConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EffectiveConfigTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final ProxyConfig PROXY = ProxyConfig.of(List.of(new VirtualClusterConfig("a",
            new HostPort("127.0.0.1", 9192), "127.0.0.1", NodeIdRange.DEFAULT,
            List.of(new HostPort("k1", 9092), new HostPort("k2", 9092)))));

    @Test
    void fillsInDefaultsAndKeepsWhatItDoesNotModel() throws Exception {
        JsonNode written = JSON.readTree("""
                {
                  "virtualClusters": [
                    { "name": "a", "bootstrap": "127.0.0.1:9192",
                      "target": { "bootstrapServers": "k1:9092,k2:9092" }, "filters": ["tenant"] }
                  ],
                  "filters": [ { "name": "tenant", "type": "HeaderInject" } ]
                }
                """);

        JsonNode effective = EffectiveConfig.of(written, PROXY, AdminSettings.DEFAULT);

        assertEquals(JSON.readTree("""
                {
                  "virtualClusters": [
                    { "name": "a", "bootstrap": "127.0.0.1:9192",
                      "target": { "bootstrapServers": ["k1:9092", "k2:9092"] }, "filters": ["tenant"],
                      "advertisedHost": "127.0.0.1", "nodeIds": { "first": 0, "last": 31 } }
                  ],
                  "filters": [ { "name": "tenant", "type": "HeaderInject" } ],
                  "network": { "maxFrameBytes": 104857600, "connectTimeout": "10s", "shutdownGrace": "10s",
                               "filterTimeout": "20s", "maxInFlightRequests": 512, "maxConnections": 10000,
                               "maxConnectionsPerIp": 10000, "idleTimeout": "10m" },
                  "admin": { "enabled": true, "listen": "127.0.0.1:9190" }
                }
                """), effective);
        assertEquals("k1:9092,k2:9092", written.at("/virtualClusters/0/target/bootstrapServers").asText(),
                "the written document is left as it was");
    }

    @Test
    void describesAConfigurationThatHadNoFile() throws Exception {
        ProxyConfig proxy = new ProxyConfig(PROXY.virtualClusters(), 1024, Duration.ofMillis(1500),
                Duration.ofMinutes(2), Duration.ofHours(1));

        JsonNode effective = EffectiveConfig.of(null, proxy, AdminSettings.DISABLED);

        assertEquals(JSON.readTree("""
                {
                  "virtualClusters": [
                    { "name": "a", "bootstrap": "127.0.0.1:9192", "advertisedHost": "127.0.0.1",
                      "nodeIds": { "first": 0, "last": 31 },
                      "target": { "bootstrapServers": ["k1:9092", "k2:9092"] } }
                  ],
                  "network": { "maxFrameBytes": 1024, "connectTimeout": "1500ms", "shutdownGrace": "2m",
                               "filterTimeout": "1h", "maxInFlightRequests": 512, "maxConnections": 10000,
                               "maxConnectionsPerIp": 10000, "idleTimeout": "10m" },
                  "admin": { "enabled": false }
                }
                """), effective);
    }

    @Test
    void writesDurationsInTheLargestExactUnit() {
        assertEquals("0s", EffectiveConfig.text(Duration.ZERO));
        assertEquals("250ms", EffectiveConfig.text(Duration.ofMillis(250)));
        assertEquals("90s", EffectiveConfig.text(Duration.ofSeconds(90)));
        assertEquals("3m", EffectiveConfig.text(Duration.ofSeconds(180)));
        assertEquals("2h", EffectiveConfig.text(Duration.ofMinutes(120)));
    }
}
