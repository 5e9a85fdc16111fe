package io.kanal.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanal.app.config.KanalConfig;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.config.SniConfig;
import io.kanal.proxy.config.VirtualClusterConfig;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The configuration Kanal runs with, as a document shaped like the configuration file: what was written (after
 * {@code ${VAR}} substitution), with every key Kanal knows set to the value in effect, defaults included. Sections
 * Kanal does not model here (filters, for instance) are kept as written. {@code /config} serves it, redacted.
 */
public final class EffectiveConfig {

    private EffectiveConfig() {
    }

    /** A loaded configuration file's effective configuration, its {@code reload} section included. */
    public static ObjectNode of(KanalConfig config) {
        ObjectNode document = of(config.document(), config.proxy(), config.admin());
        object(document, "reload").put("watch", config.reload().watch());
        return document;
    }

    /**
     * @param written the configuration file's document after substitution; an empty object when there was no file
     * @param proxy   the validated engine configuration
     * @param admin   the validated admin settings
     * @return a new document; {@code written} is not changed
     */
    public static ObjectNode of(JsonNode written, ProxyConfig proxy, AdminSettings admin) {
        ObjectNode document = written instanceof ObjectNode object
                ? object.deepCopy()
                : JsonNodeFactory.instance.objectNode();
        ArrayNode clusters = document.get("virtualClusters") instanceof ArrayNode array
                ? array
                : document.putArray("virtualClusters");
        List<VirtualClusterConfig> configs = proxy.virtualClusters();
        for (int i = 0; i < configs.size(); i++) {
            ObjectNode cluster;
            if (i >= clusters.size()) {
                cluster = clusters.addObject();
            } else if (clusters.get(i) instanceof ObjectNode object) {
                cluster = object;
            } else {
                cluster = clusters.objectNode();
                clusters.set(i, cluster);
            }
            virtualCluster(cluster, configs.get(i));
        }
        ObjectNode network = object(document, "network");
        network.put("maxFrameBytes", proxy.maxFrameBytes());
        network.put("connectTimeout", text(proxy.connectTimeout()));
        network.put("shutdownGrace", text(proxy.shutdownGrace()));
        network.put("filterTimeout", text(proxy.filterTimeout()));
        network.put("maxInFlightRequests", proxy.limits().maxInFlightRequests());
        network.put("maxConnections", proxy.limits().maxConnections());
        network.put("maxConnectionsPerIp", proxy.limits().maxConnectionsPerIp());
        network.put("idleTimeout", text(proxy.limits().idleTimeout()));
        ObjectNode adminNode = object(document, "admin");
        adminNode.put("enabled", admin.enabled());
        if (admin.enabled()) {
            adminNode.put("listen", admin.listen().toString());
        }
        return document;
    }

    private static void virtualCluster(ObjectNode cluster, VirtualClusterConfig config) {
        cluster.put("name", config.name());
        cluster.put("bootstrap", config.bootstrap().toString());
        if (config.sni().isPresent()) {
            SniConfig sni = config.sni().get();
            ObjectNode sniNode = object(cluster, "sni");
            sniNode.put("bootstrapHost", sni.bootstrapHost());
            sniNode.put("brokerHost", sni.brokerHost());
            sni.advertisedPort().ifPresent(port -> sniNode.put("advertisedPort", port));
        } else {
            cluster.put("advertisedHost", config.advertisedHost());
            ObjectNode nodeIds = object(cluster, "nodeIds");
            nodeIds.put("first", config.nodeIds().first());
            nodeIds.put("last", config.nodeIds().last());
        }
        config.tls().ifPresent(tls -> {
            ObjectNode tlsNode = object(cluster, "tls");
            tlsNode.put("clientAuth", tls.clientAuth().name().toLowerCase(Locale.ROOT));
            tlsAlgorithms(tlsNode, tls.protocols(), tls.cipherSuites());
            tlsNode.put("principalMappingRules", tls.principalMappingRules());
        });
        ObjectNode target = object(cluster, "target");
        ArrayNode servers = target.putArray("bootstrapServers");
        config.targetBootstrapServers().stream().map(HostPort::toString).forEach(servers::add);
        config.targetTls().ifPresent(tls -> {
            ObjectNode tlsNode = object(target, "tls");
            tlsNode.put("hostnameVerification", tls.hostnameVerification());
            tlsAlgorithms(tlsNode, tls.protocols(), tls.cipherSuites());
        });
        config.sasl().clients().ifPresent(authentication -> {
            ObjectNode sasl = object(cluster, "sasl");
            ArrayNode mechanisms = sasl.putArray("mechanisms");
            authentication.mechanisms().forEach(mechanism -> mechanisms.add(mechanism.mechanismName()));
            sasl.put("authenticationTimeout", text(authentication.timeout()));
            sasl.put("failureDelay", text(authentication.failureDelay()));
        });
    }

    private static void tlsAlgorithms(ObjectNode tls, List<String> protocols, List<String> cipherSuites) {
        ArrayNode protocolsNode = tls.putArray("protocols");
        protocols.forEach(protocolsNode::add);
        ArrayNode suites = tls.putArray("cipherSuites");
        cipherSuites.forEach(suites::add);
    }

    private static ObjectNode object(ObjectNode parent, String key) {
        return parent.get(key) instanceof ObjectNode object ? object : parent.putObject(key);
    }

    /** A duration the way the configuration file writes it, in the largest unit that is exact. */
    static String text(Duration duration) {
        long millis = duration.toMillis();
        if (millis != 0 && millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis != 0 && millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }
}
