package io.kanal.mesh.config;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the mesh needs to run: its listener, the clusters behind it and the rules that say which topic lives
 * where. Limits shared with the virtual clusters (frame size, in-flight requests, connection counts, idle timeout,
 * shutdown grace) come from the proxy's network settings.
 *
 * @param listener                where the mesh listens and how it names itself
 * @param clusters                at least one, with distinct names
 * @param rules                   tried in order, the first match wins; each names one of {@code clusters}
 * @param defaultCluster          where topics no rule matches live; empty means such topics do not exist
 * @param metadataRefreshInterval how often the topics clients asked about are described again upstream, so that
 *                                new partitions reach clients
 * @param produceTimeout          the longest a produce waits for upstream acknowledgement before the mesh answers
 *                                REQUEST_TIMED_OUT; a request's own, shorter timeout wins
 * @param maxPendingProduceBytes  produce bytes one client connection may have waiting for upstream acknowledgement
 *                                before the mesh stops reading from it
 */
public record MeshConfig(
        MeshListenerConfig listener,
        List<UpstreamClusterConfig> clusters,
        List<RouteRule> rules,
        Optional<String> defaultCluster,
        Duration metadataRefreshInterval,
        Duration produceTimeout,
        long maxPendingProduceBytes) {

    public static final Duration DEFAULT_METADATA_REFRESH_INTERVAL = Duration.ofSeconds(30);
    /** Below the 30 s request timeout of Java clients and librdkafka, so that the mesh's answer arrives first. */
    public static final Duration DEFAULT_PRODUCE_TIMEOUT = Duration.ofSeconds(25);
    public static final long DEFAULT_MAX_PENDING_PRODUCE_BYTES = 16L * 1024 * 1024;

    public MeshConfig {
        Objects.requireNonNull(listener, "listener");
        clusters = List.copyOf(clusters);
        rules = List.copyOf(rules);
        Objects.requireNonNull(defaultCluster, "defaultCluster");
        Objects.requireNonNull(metadataRefreshInterval, "metadataRefreshInterval");
        Objects.requireNonNull(produceTimeout, "produceTimeout");
        if (clusters.isEmpty()) {
            throw new IllegalArgumentException("the mesh has no clusters");
        }
        Set<String> names = new HashSet<>();
        for (UpstreamClusterConfig cluster : clusters) {
            if (!names.add(cluster.name())) {
                throw new IllegalArgumentException("two clusters are named '" + cluster.name() + "'");
            }
        }
        for (RouteRule rule : rules) {
            if (!names.contains(rule.cluster())) {
                throw new IllegalArgumentException("a rule names cluster '" + rule.cluster() + "', which is not one "
                        + "of " + names);
            }
        }
        defaultCluster.filter(name -> !names.contains(name)).ifPresent(name -> {
            throw new IllegalArgumentException("default cluster '" + name + "' is not one of " + names);
        });
        if (rules.isEmpty() && defaultCluster.isEmpty()) {
            throw new IllegalArgumentException("no rules and no default cluster: no topic could be routed");
        }
        if (metadataRefreshInterval.isZero() || metadataRefreshInterval.isNegative()) {
            throw new IllegalArgumentException("metadataRefreshInterval must be positive");
        }
        if (produceTimeout.isZero() || produceTimeout.isNegative()) {
            throw new IllegalArgumentException("produceTimeout must be positive");
        }
        if (maxPendingProduceBytes < 1) {
            throw new IllegalArgumentException("maxPendingProduceBytes must be positive");
        }
    }

    /** A mesh with the default refresh interval, produce timeout and pending-bytes limit. */
    public MeshConfig(MeshListenerConfig listener, List<UpstreamClusterConfig> clusters, List<RouteRule> rules,
                      Optional<String> defaultCluster) {
        this(listener, clusters, rules, defaultCluster, DEFAULT_METADATA_REFRESH_INTERVAL, DEFAULT_PRODUCE_TIMEOUT,
                DEFAULT_MAX_PENDING_PRODUCE_BYTES);
    }

    /** The cluster named {@code name}. */
    public UpstreamClusterConfig cluster(String name) {
        return clusters.stream().filter(cluster -> cluster.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no cluster named '" + name + "'"));
    }
}
