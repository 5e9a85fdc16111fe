package io.kanal.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kanal.proxy.config.ProxyConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The connection limits under {@code network}: maxInFlightRequests, maxConnections(PerIp), idleTimeout. */
class LimitsConfigTest {

    private static final String CLUSTER = """
            virtualClusters:
              - name: vc
                bootstrap: 127.0.0.1:9192
                target: { bootstrapServers: kafka:9092 }
            """;

    private static ProxyConfig.Limits limits(String network) throws ConfigException {
        try (ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get)) {
            return loader.parse(CLUSTER + network).limits();
        }
    }

    private static String error(String network) {
        return assertThrows(ConfigException.class, () -> limits(network)).getMessage();
    }

    @Test
    void readsEveryLimit() throws ConfigException {
        ProxyConfig.Limits limits = limits("""
                network:
                  maxInFlightRequests: 64
                  maxConnections: 2000
                  maxConnectionsPerIp: 50
                  idleTimeout: 90s
                """);

        assertEquals(new ProxyConfig.Limits(64, 2000, 50, Duration.ofSeconds(90)), limits);
    }

    @Test
    void defaultsWithoutANetworkSectionAndWithAnEmptyOne() throws ConfigException {
        ProxyConfig.Limits expected = new ProxyConfig.Limits(512, 10_000, 10_000, Duration.ofMinutes(10));

        assertEquals(expected, limits(""));
        assertEquals(expected, limits("network: { maxFrameBytes: 1024 }\n"));
        assertEquals(ProxyConfig.Limits.DEFAULT, expected);
    }

    @Test
    void thePerAddressLimitDefaultsToTheTotal() throws ConfigException {
        assertEquals(300, limits("network: { maxConnections: 300 }\n").maxConnectionsPerIp());
        assertEquals(40_000, limits("network: { maxConnections: 40000 }\n").maxConnectionsPerIp());
    }

    @Test
    void anIdleTimeoutOfZeroNeverCloses() throws ConfigException {
        assertEquals(Duration.ZERO, limits("network: { idleTimeout: 0s }\n").idleTimeout());
    }

    @Test
    void refusesLimitsBelowOneAndValuesOfTheWrongKind() {
        assertEquals("network.maxInFlightRequests: 0 is below the minimum of 1",
                error("network: { maxInFlightRequests: 0 }\n"));
        assertEquals("network.maxConnections: -5 is below the minimum of 1",
                error("network: { maxConnections: -5 }\n"));
        assertEquals("network.maxConnectionsPerIp: 0 is below the minimum of 1",
                error("network: { maxConnectionsPerIp: 0 }\n"));
        assertEquals("network.maxConnections: 'many' is not a whole number",
                error("network: { maxConnections: many }\n"));
        assertEquals("network.idleTimeout: '10' is not a duration (write e.g. 500ms, 10s, 1m or 2h)",
                error("network: { idleTimeout: 10 }\n"));
    }
}
