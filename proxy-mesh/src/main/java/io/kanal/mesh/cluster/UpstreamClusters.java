package io.kanal.mesh.cluster;

import io.kanal.mesh.config.MeshConfig;
import io.kanal.mesh.config.ProducerProperties;
import io.kanal.mesh.config.UpstreamClusterConfig;
import io.kanal.mesh.route.TopicRouter;
import io.kanal.proxy.server.ProxyStartException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Uuid;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/** The clusters behind the mesh, and which of them a topic lives in. */
public final class UpstreamClusters implements AutoCloseable {

    /** How long one admin request to a cluster may take: short, as clients wait for the answer. */
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration ADMIN_REQUEST_TIMEOUT = Duration.ofSeconds(5);

    /**
     * A topic found by its id.
     *
     * @param cluster where it lives
     * @param topic   as its cluster last described it
     */
    public record TopicRef(UpstreamCluster cluster, TopicMetadata topic) {
    }

    private final Map<String, UpstreamCluster> clusters;
    private final TopicRouter router;

    private UpstreamClusters(Map<String, UpstreamCluster> clusters, TopicRouter router) {
        this.clusters = clusters;
        this.router = router;
    }

    /**
     * Makes each cluster's admin client and starts learning its metadata; nothing waits for a cluster to answer.
     *
     * @throws ProxyStartException naming the cluster whose admin client cannot be made (no bootstrap server
     *                             resolves, for instance); nothing is left open
     */
    public static UpstreamClusters open(MeshConfig config, ScheduledExecutorService scheduler) {
        Map<String, UpstreamCluster> clusters = new LinkedHashMap<>();
        try {
            for (UpstreamClusterConfig cluster : config.clusters()) {
                Admin admin = admin(cluster);
                clusters.put(cluster.name(), new UpstreamCluster(cluster, new ClusterMetadata(cluster.name(), admin,
                        ADMIN_TIMEOUT, config.metadataRefreshInterval(), scheduler)));
            }
        } catch (RuntimeException e) {
            clusters.values().forEach(cluster -> cluster.metadata().close());
            throw e;
        }
        return new UpstreamClusters(clusters, new TopicRouter(config.rules(), config.defaultCluster()));
    }

    private static Admin admin(UpstreamClusterConfig cluster) {
        Map<String, Object> properties = ProducerProperties.connection(cluster);
        properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "kanal-mesh-admin-" + cluster.name());
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_REQUEST_TIMEOUT.toMillis());
        try {
            return Admin.create(properties);
        } catch (KafkaException e) {
            throw new ProxyStartException("mesh cluster '" + cluster.name() + "': cannot make its admin client: "
                    + e.getMessage(), e);
        }
    }

    /** Every cluster, in configuration order. */
    public List<UpstreamCluster> all() {
        return List.copyOf(clusters.values());
    }

    /** The cluster named {@code name}. */
    public Optional<UpstreamCluster> named(String name) {
        return Optional.ofNullable(clusters.get(name));
    }

    /** The cluster {@code topic} lives in by the rules, or empty when no rule routes it and there is no default. */
    public Optional<UpstreamCluster> route(String topic) {
        return router.clusterFor(topic).map(clusters::get);
    }

    /**
     * The topic with id {@code topicId}, among the topics the mesh has described, and only in the cluster its name
     * routes to (a topic the rules send elsewhere is not the mesh's to serve).
     */
    public Optional<TopicRef> topicById(Uuid topicId) {
        for (UpstreamCluster cluster : clusters.values()) {
            Optional<TopicMetadata> topic = cluster.metadata().cached(topicId);
            if (topic.isPresent() && route(topic.get().name()).filter(owner -> owner == cluster).isPresent()) {
                return Optional.of(new TopicRef(cluster, topic.get()));
            }
        }
        return Optional.empty();
    }

    /** One line per cluster that has not answered yet, for readiness; empty once all have. */
    public List<String> waitingFor() {
        List<String> waiting = new ArrayList<>();
        for (UpstreamCluster cluster : clusters.values()) {
            if (!cluster.metadata().answered()) {
                waiting.add(cluster.toString());
            }
        }
        return waiting;
    }

    /** Stops learning metadata and closes the admin clients. */
    @Override
    public void close() {
        clusters.values().forEach(cluster -> cluster.metadata().close());
    }
}
