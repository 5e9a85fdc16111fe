package io.kanal.app.config;

import io.kanal.mesh.config.MeshConfig;
import io.kanal.mesh.config.MeshListenerConfig;
import io.kanal.mesh.config.ProducerProperties;
import io.kanal.mesh.config.RouteRule;
import io.kanal.mesh.config.UpstreamClusterConfig;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.ProxyConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads the {@code mesh} section into the mesh's {@link MeshConfig}, checking every value on the way: the listener
 * address (clear of the virtual clusters' ports), the clusters and their producer settings (against kafka-clients'
 * own definitions, so a mistake stops start-up naming the cluster and key), and the rules.
 */
final class MeshSectionMapper {

    private static final KeyPath PATH = KeyPath.ROOT.key("mesh");

    private final Map<String, KeyPath> clusterNames = new HashMap<>();

    private MeshSectionMapper() {
    }

    /**
     * @param section as written, {@code null} when absent
     * @param proxy   the virtual clusters, already validated, whose ports the mesh must stay clear of
     * @throws ConfigException naming the key of the first value that is missing, malformed or clashing
     */
    static Optional<MeshConfig> map(MeshSection section, ProxyConfig proxy) throws ConfigException {
        if (section == null) {
            return Optional.empty();
        }
        return Optional.of(new MeshSectionMapper().mesh(section, proxy));
    }

    /**
     * Checks that a mesh validated before, against other virtual clusters, stays clear of the ports of
     * {@code proxy}'s virtual clusters.
     *
     * @throws ConfigException at {@code mesh.listener.bind} naming the virtual cluster it clashes with
     */
    static void checkClear(Optional<MeshConfig> mesh, ProxyConfig proxy) throws ConfigException {
        if (mesh.isEmpty()) {
            return;
        }
        HostPort bind = mesh.get().listener().bind();
        if (bind.port() != 0) {
            ListenPorts.ofVirtualClusters(proxy).claim(bind.host(), bind.port(), bind.port(), "the mesh",
                    PATH.key("listener").key("bind"));
        }
    }

    private MeshConfig mesh(MeshSection section, ProxyConfig proxy) throws ConfigException {
        MeshListenerConfig listener = listener(section.listener(), PATH.key("listener"), proxy);
        KeyPath clustersPath = PATH.key("clusters");
        List<MeshClusterSection> clusterSections = ProxyConfigMapper.required(section.clusters(), clustersPath);
        if (clusterSections.isEmpty()) {
            throw ConfigException.at(clustersPath, "at least one cluster is required");
        }
        List<UpstreamClusterConfig> clusters = new ArrayList<>();
        for (int i = 0; i < clusterSections.size(); i++) {
            clusters.add(cluster(clusterSections.get(i), clustersPath.index(i)));
        }
        List<RouteRule> rules = rules(section.rules(), PATH.key("rules"));
        Optional<String> defaultCluster = Optional.ofNullable(section.defaultCluster());
        if (defaultCluster.isPresent()) {
            knownCluster(defaultCluster.get(), PATH.key("defaultCluster"));
        }
        if (rules.isEmpty() && defaultCluster.isEmpty()) {
            throw ConfigException.at(PATH.key("rules"), "at least one rule is required, or a defaultCluster");
        }
        Duration refresh = positive(ProxyConfigMapper.duration(section.metadataRefreshInterval(),
                MeshConfig.DEFAULT_METADATA_REFRESH_INTERVAL, PATH.key("metadataRefreshInterval")),
                PATH.key("metadataRefreshInterval"));
        Duration produceTimeout = positive(ProxyConfigMapper.duration(section.produceTimeout(),
                MeshConfig.DEFAULT_PRODUCE_TIMEOUT, PATH.key("produceTimeout")), PATH.key("produceTimeout"));
        long pendingBytes = section.maxPendingProduceBytes() == null
                ? MeshConfig.DEFAULT_MAX_PENDING_PRODUCE_BYTES
                : section.maxPendingProduceBytes();
        if (pendingBytes < 1) {
            throw ConfigException.at(PATH.key("maxPendingProduceBytes"), pendingBytes + " is below the minimum of 1");
        }
        return new MeshConfig(listener, clusters, rules, defaultCluster, refresh, produceTimeout, pendingBytes);
    }

    private static MeshListenerConfig listener(MeshListenerSection section, KeyPath path, ProxyConfig proxy)
            throws ConfigException {
        ProxyConfigMapper.required(section, path);
        KeyPath bindPath = path.key("bind");
        HostPort bind = ProxyConfigMapper.address(ProxyConfigMapper.required(section.bind(), bindPath), bindPath);
        KeyPath hostPath = path.key("advertisedHost");
        String host = section.advertisedHost();
        // One colon means host:port; IPv6 literals have at least two.
        if (host != null && host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':')) {
            throw ConfigException.at(hostPath, "'" + host + "' must be a host without a port; the port clients are "
                    + "told is mesh.listener.advertisedPort");
        }
        String advertisedHost = ProxyConfigMapper.advertisedHost(host, bind, hostPath);
        int advertisedPort = section.advertisedPort() == null ? 0 : section.advertisedPort();
        if (advertisedPort < 1 && section.advertisedPort() != null || advertisedPort > 65535) {
            throw ConfigException.at(path.key("advertisedPort"), advertisedPort + " is outside 1-65535");
        }
        int nodeId = section.nodeId() == null ? MeshListenerConfig.DEFAULT_NODE_ID : section.nodeId();
        if (nodeId < 0) {
            throw ConfigException.at(path.key("nodeId"), nodeId + " is negative");
        }
        if (bind.port() != 0) {
            ListenPorts.ofVirtualClusters(proxy).claim(bind.host(), bind.port(), bind.port(), "the mesh", bindPath);
        }
        return new MeshListenerConfig(bind, advertisedHost, advertisedPort, nodeId);
    }

    private UpstreamClusterConfig cluster(MeshClusterSection section, KeyPath path) throws ConfigException {
        if (section == null) {
            throw ConfigException.at(path, "empty entry; a cluster needs at least name and bootstrapServers");
        }
        KeyPath namePath = path.key("name");
        String name = ProxyConfigMapper.required(section.name(), namePath);
        if (name.isBlank()) {
            throw ConfigException.at(namePath, "must not be empty");
        }
        KeyPath earlier = clusterNames.putIfAbsent(name, path);
        if (earlier != null) {
            throw ConfigException.at(namePath, "'" + name + "' is already the name of " + earlier);
        }
        KeyPath serversPath = path.key("bootstrapServers");
        List<HostPort> servers = ProxyConfigMapper.bootstrapServers(
                ProxyConfigMapper.required(section.bootstrapServers(), serversPath), serversPath);
        OptionalInt partitionCount = OptionalInt.empty();
        if (section.partitionCount() != null) {
            if (section.partitionCount() < 1) {
                throw ConfigException.at(path.key("partitionCount"), section.partitionCount()
                        + " is below the minimum of 1");
            }
            partitionCount = OptionalInt.of(section.partitionCount());
        }
        Map<String, String> producer = section.producer() == null ? Map.of() : section.producer();
        KeyPath producerPath = path.key("producer");
        Optional<ProducerProperties.Problem> problem = ProducerProperties.check(producer);
        if (problem.isPresent()) {
            throw producerProblem(problem.get(), producer, producerPath, name);
        }
        return new UpstreamClusterConfig(name, servers, partitionCount, new LinkedHashMap<>(producer));
    }

    private static ConfigException producerProblem(ProducerProperties.Problem problem, Map<String, String> producer,
                                                   KeyPath producerPath, String cluster) {
        if (problem.key().isEmpty()) {
            return ConfigException.at(producerPath, "the producer settings of cluster '" + cluster + "' do not go "
                    + "together: " + problem.reason());
        }
        KeyPath keyPath = producerPath.key(problem.key().get());
        String value = producer.get(problem.key().get());
        String shown = value == null || keyPath.isSecret() ? "" : "'" + value + "': ";
        return ConfigException.at(keyPath, shown + problem.reason() + " (producer setting of cluster '" + cluster
                + "')");
    }

    private List<RouteRule> rules(List<MeshRuleSection> sections, KeyPath path) throws ConfigException {
        if (sections == null) {
            return List.of();
        }
        List<RouteRule> rules = new ArrayList<>();
        for (int i = 0; i < sections.size(); i++) {
            rules.add(rule(sections.get(i), path.index(i)));
        }
        return rules;
    }

    private RouteRule rule(MeshRuleSection section, KeyPath path) throws ConfigException {
        if (section == null) {
            throw ConfigException.at(path, "empty entry; a rule needs topicPrefix, topic or topicRegex, and cluster");
        }
        Map<String, String> matchers = new LinkedHashMap<>();
        if (section.topicPrefix() != null) {
            matchers.put("topicPrefix", section.topicPrefix());
        }
        if (section.topic() != null) {
            matchers.put("topic", section.topic());
        }
        if (section.topicRegex() != null) {
            matchers.put("topicRegex", section.topicRegex());
        }
        if (matchers.size() != 1) {
            throw ConfigException.at(path, matchers.isEmpty()
                    ? "needs one of topicPrefix, topic or topicRegex"
                    : "has " + String.join(" and ", matchers.keySet()) + "; a rule has exactly one of topicPrefix, "
                            + "topic or topicRegex");
        }
        String matcher = matchers.keySet().iterator().next();
        String value = matchers.get(matcher);
        KeyPath valuePath = path.key(matcher);
        if (value.isEmpty()) {
            throw ConfigException.at(valuePath, "must not be empty");
        }
        KeyPath clusterPath = path.key("cluster");
        String cluster = ProxyConfigMapper.required(section.cluster(), clusterPath);
        knownCluster(cluster, clusterPath);
        return switch (matcher) {
            case "topicPrefix" -> RouteRule.prefix(value, cluster);
            case "topic" -> RouteRule.exact(value, cluster);
            default -> {
                try {
                    Pattern.compile(value);
                } catch (PatternSyntaxException e) {
                    throw ConfigException.at(valuePath, "'" + value + "' is not a regular expression: "
                            + e.getDescription());
                }
                yield RouteRule.regex(value, cluster);
            }
        };
    }

    private void knownCluster(String name, KeyPath path) throws ConfigException {
        if (!clusterNames.containsKey(name)) {
            throw ConfigException.at(path, "'" + name + "' is not the name of a cluster in mesh.clusters (known: "
                    + String.join(", ", clusterNames.keySet().stream().sorted().toList()) + ")");
        }
    }

    private static Duration positive(Duration duration, KeyPath path) throws ConfigException {
        if (duration.isZero()) {
            throw ConfigException.at(path, "must be longer than 0");
        }
        return duration;
    }
}
