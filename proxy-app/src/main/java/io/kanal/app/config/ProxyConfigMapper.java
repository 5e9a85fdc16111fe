package io.kanal.app.config;

import io.kanal.proxy.config.DownstreamTlsConfig;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.NamedFilter;
import io.kanal.proxy.config.NodeIdRange;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.config.SniConfig;
import io.kanal.proxy.config.UpstreamTlsConfig;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.sasl.SaslSettings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the configuration file as written into the engine's {@link ProxyConfig}, applying defaults and checking
 * every value on the way, so that the engine only ever sees a configuration it can run.
 */
final class ProxyConfigMapper {

    private static final int MIN_FRAME_BYTES = 64;
    private static final int MAX_PORT = 65535;

    private final Map<String, KeyPath> clusterNames = new HashMap<>();
    private final ListenPorts listenPorts = new ListenPorts();
    private final FilterDefinitions filters;
    private List<NamedFilter> defaultChain = List.of();

    private ProxyConfigMapper(FilterDefinitions filters) {
        this.filters = filters;
    }

    /**
     * @param filters the document's filter definitions, already made, that the chains name
     * @throws ConfigException naming the key of the first value that is missing, malformed or clashing
     */
    static ProxyConfig map(ConfigDocument document, FilterDefinitions filters) throws ConfigException {
        return new ProxyConfigMapper(filters).proxyConfig(document);
    }

    private ProxyConfig proxyConfig(ConfigDocument document) throws ConfigException {
        KeyPath clustersPath = KeyPath.ROOT.key("virtualClusters");
        List<VirtualClusterSection> sections = document.virtualClusters() == null
                ? List.of()
                : document.virtualClusters();
        if (sections.isEmpty() && document.mesh() == null) {
            throw ConfigException.at(clustersPath, "at least one virtual cluster is required (or a mesh)");
        }
        if (document.defaultFilters() != null) {
            defaultChain = filters.chain(document.defaultFilters(), KeyPath.ROOT.key("defaultFilters"));
        }
        List<VirtualClusterConfig> clusters = new ArrayList<>(sections.size());
        for (int i = 0; i < sections.size(); i++) {
            clusters.add(virtualCluster(sections.get(i), clustersPath.index(i)));
        }
        return network(clusters, document.network(), KeyPath.ROOT.key("network"));
    }

    private VirtualClusterConfig virtualCluster(VirtualClusterSection section, KeyPath path) throws ConfigException {
        if (section == null) {
            throw ConfigException.at(path, "empty entry; a virtual cluster needs at least name, bootstrap and target");
        }
        String name = name(section.name(), path);
        KeyPath bootstrapPath = path.key("bootstrap");
        HostPort bootstrap = address(required(section.bootstrap(), bootstrapPath), bootstrapPath);
        Optional<SniConfig> sni = TlsSectionMapper.sni(section.sni(), path.key("sni"));
        if (sni.isPresent()) {
            sniExcludes(section, path);
        }
        String advertisedHost = sni.isPresent() && section.advertisedHost() == null
                ? sni.get().bootstrapHost()
                : advertisedHost(section.advertisedHost(), bootstrap, path.key("advertisedHost"));
        NodeIdRange nodeIds = nodeIds(section.nodeIds(), path.key("nodeIds"));
        claimPorts(name, bootstrap, sni.isPresent() ? 0 : nodeIds.size(), nodeIds, bootstrapPath);
        List<HostPort> targets = targetBootstrapServers(section.target(), path.key("target"));
        Optional<UpstreamTlsConfig> targetTls = TlsSectionMapper.upstream(section.target().tls(),
                path.key("target").key("tls"));
        Optional<DownstreamTlsConfig> tls = TlsSectionMapper.downstream(section.tls(), sni, path.key("tls"));
        List<NamedFilter> chain = section.filters() == null
                ? defaultChain
                : filters.chain(section.filters(), path.key("filters"));
        SaslSettings sasl = SaslSectionMapper.map(section.sasl(), section.target().sasl(), path);
        return new VirtualClusterConfig(name, bootstrap, advertisedHost, nodeIds, targets, chain, tls, sni,
                targetTls, sasl);
    }

    /** What SNI routing makes meaningless, or cannot do without. */
    private static void sniExcludes(VirtualClusterSection section, KeyPath path) throws ConfigException {
        if (section.tls() == null) {
            throw ConfigException.at(path.key("sni"), "needs tls: clients name the host they want in the TLS "
                    + "handshake");
        }
        if (section.advertisedHost() != null) {
            throw ConfigException.at(path.key("advertisedHost"), "not used with sni: brokers are advertised under "
                    + "sni.brokerHost");
        }
        if (section.nodeIds() != null) {
            throw ConfigException.at(path.key("nodeIds"), "not used with sni: every broker is reached through the "
                    + "bootstrap port by its name");
        }
    }

    private String name(String name, KeyPath clusterPath) throws ConfigException {
        KeyPath path = clusterPath.key("name");
        if (required(name, path).isBlank()) {
            throw ConfigException.at(path, "must not be empty");
        }
        KeyPath earlier = clusterNames.putIfAbsent(name, clusterPath);
        if (earlier != null) {
            throw ConfigException.at(path, "'" + name + "' is already the name of " + earlier);
        }
        return name;
    }

    /** The advertised host as configured, or the listen host when that is not a wildcard address. */
    static String advertisedHost(String advertisedHost, HostPort bootstrap, KeyPath path)
            throws ConfigException {
        if (advertisedHost == null) {
            if (Hosts.isWildcard(bootstrap.host())) {
                throw ConfigException.at(path, "required because bootstrap listens on the wildcard address "
                        + bootstrap.host() + ", which clients cannot connect to");
            }
            return bootstrap.host();
        }
        if (advertisedHost.isBlank() || advertisedHost.chars().anyMatch(Character::isWhitespace)) {
            throw ConfigException.at(path, "'" + advertisedHost + "' is not a host name or IP address");
        }
        if (Hosts.isWildcard(advertisedHost)) {
            throw ConfigException.at(path, "'" + advertisedHost + "' is a wildcard address, which clients cannot "
                    + "connect to");
        }
        // One colon means host:port; IPv6 literals have at least two.
        if (advertisedHost.indexOf(':') >= 0 && advertisedHost.indexOf(':') == advertisedHost.lastIndexOf(':')) {
            throw ConfigException.at(path, "'" + advertisedHost + "' must be a host without a port; broker ports "
                    + "follow the bootstrap port");
        }
        return advertisedHost;
    }

    private static NodeIdRange nodeIds(NodeIdsSection section, KeyPath path) throws ConfigException {
        if (section == null) {
            return NodeIdRange.DEFAULT;
        }
        int first = required(section.first(), path.key("first"));
        int last = required(section.last(), path.key("last"));
        try {
            return new NodeIdRange(first, last);
        } catch (IllegalArgumentException e) {
            throw ConfigException.at(path, e.getMessage());
        }
    }

    /** @param brokerPorts how many ports follow the bootstrap port: one per node id, or none with SNI */
    private void claimPorts(String name, HostPort bootstrap, int brokerPorts, NodeIdRange nodeIds, KeyPath path)
            throws ConfigException {
        if (bootstrap.port() == 0) {
            // The operating system picks the port at bind time, so neither it nor the broker ports after it are
            // known yet; tests use this to run on whatever is free.
            return;
        }
        long lastPort = (long) bootstrap.port() + brokerPorts;
        if (lastPort > MAX_PORT) {
            throw ConfigException.at(path, "broker ports " + (bootstrap.port() + 1) + "-" + lastPort
                    + " for node ids " + nodeIds.first() + "-" + nodeIds.last() + " run past " + MAX_PORT);
        }
        listenPorts.claim(bootstrap.host(), bootstrap.port(), (int) lastPort, "virtual cluster '" + name + "'", path);
    }

    private static List<HostPort> targetBootstrapServers(TargetSection target, KeyPath path) throws ConfigException {
        KeyPath serversPath = path.key("bootstrapServers");
        return bootstrapServers(required(required(target, path).bootstrapServers(), serversPath), serversPath);
    }

    /** A cluster's bootstrap servers as configured: a list of addresses, each entry possibly comma-separated. */
    static List<HostPort> bootstrapServers(List<String> entries, KeyPath serversPath) throws ConfigException {
        List<HostPort> servers = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            // A YAML list names its element; a single comma-separated string is reported at the key itself.
            KeyPath entryPath = entries.size() > 1 ? serversPath.index(i) : serversPath;
            String entry = required(entries.get(i), entryPath);
            for (String address : entry.split(",")) {
                if (!address.isBlank()) {
                    servers.add(address(address, entryPath));
                }
            }
        }
        if (servers.isEmpty()) {
            throw ConfigException.at(serversPath, "at least one host:port is required");
        }
        return servers;
    }

    private static ProxyConfig network(List<VirtualClusterConfig> clusters, NetworkSection section, KeyPath path)
            throws ConfigException {
        if (section == null) {
            return ProxyConfig.of(clusters);
        }
        int maxFrameBytes = section.maxFrameBytes() == null
                ? ProxyConfig.DEFAULT_MAX_FRAME_BYTES
                : section.maxFrameBytes();
        if (maxFrameBytes < MIN_FRAME_BYTES) {
            throw ConfigException.at(path.key("maxFrameBytes"),
                    maxFrameBytes + " is below the minimum of " + MIN_FRAME_BYTES + " bytes");
        }
        Duration connectTimeout =
                duration(section.connectTimeout(), ProxyConfig.DEFAULT_CONNECT_TIMEOUT, path.key("connectTimeout"));
        if (connectTimeout.isZero()) {
            throw ConfigException.at(path.key("connectTimeout"), "must be longer than 0");
        }
        Duration shutdownGrace =
                duration(section.shutdownGrace(), ProxyConfig.DEFAULT_SHUTDOWN_GRACE, path.key("shutdownGrace"));
        Duration filterTimeout =
                duration(section.filterTimeout(), ProxyConfig.DEFAULT_FILTER_TIMEOUT, path.key("filterTimeout"));
        if (filterTimeout.isZero()) {
            throw ConfigException.at(path.key("filterTimeout"), "must be longer than 0");
        }
        return new ProxyConfig(clusters, maxFrameBytes, connectTimeout, shutdownGrace, filterTimeout,
                limits(section, path));
    }

    private static ProxyConfig.Limits limits(NetworkSection section, KeyPath path) throws ConfigException {
        ProxyConfig.Limits defaults = ProxyConfig.Limits.DEFAULT;
        int maxInFlightRequests = atLeastOne(section.maxInFlightRequests(), defaults.maxInFlightRequests(),
                path.key("maxInFlightRequests"));
        int maxConnections = atLeastOne(section.maxConnections(), defaults.maxConnections(),
                path.key("maxConnections"));
        // Without a limit of its own, one address may hold every connection the total allows.
        int maxConnectionsPerIp = atLeastOne(section.maxConnectionsPerIp(), maxConnections,
                path.key("maxConnectionsPerIp"));
        Duration idleTimeout = duration(section.idleTimeout(), defaults.idleTimeout(), path.key("idleTimeout"));
        return new ProxyConfig.Limits(maxInFlightRequests, maxConnections, maxConnectionsPerIp, idleTimeout);
    }

    private static int atLeastOne(Integer value, int defaultValue, KeyPath path) throws ConfigException {
        if (value == null) {
            return defaultValue;
        }
        if (value < 1) {
            throw ConfigException.at(path, value + " is below the minimum of 1");
        }
        return value;
    }

    static Duration duration(String text, Duration defaultValue, KeyPath path) throws ConfigException {
        if (text == null) {
            return defaultValue;
        }
        try {
            return DurationText.parse(text);
        } catch (IllegalArgumentException e) {
            throw ConfigException.at(path, e.getMessage());
        }
    }

    /** The last port a virtual cluster listens on: its bootstrap port, then one per node id unless it routes by SNI. */
    static int lastListenPort(VirtualClusterConfig cluster) {
        return cluster.bootstrap().port() + (cluster.sni().isPresent() ? 0 : cluster.nodeIds().size());
    }

    /** A listen or target address as configured, with the key it is at named in the error. */
    static HostPort address(String text, KeyPath path) throws ConfigException {
        HostPort address;
        try {
            address = HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            throw ConfigException.at(path, e.getMessage());
        }
        if (address.host().chars().anyMatch(Character::isWhitespace)) {
            throw ConfigException.at(path, "'" + text.trim() + "' has white space in its host");
        }
        return address;
    }

    static <T> T required(T value, KeyPath path) throws ConfigException {
        if (value == null) {
            throw ConfigException.at(path, "missing required key");
        }
        return value;
    }
}
