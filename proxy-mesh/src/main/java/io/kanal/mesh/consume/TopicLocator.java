package io.kanal.mesh.consume;

import io.kanal.mesh.async.AllOf;
import io.kanal.mesh.cluster.UpstreamCluster;
import io.kanal.mesh.cluster.UpstreamClusters;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Finds the cluster and description of the topics clients name, by name or by id, and asks a cluster to describe a
 * topic again when one of its brokers says its leaders moved.
 */
public final class TopicLocator {

    private static final Logger log = LoggerFactory.getLogger(TopicLocator.class);

    private final UpstreamClusters clusters;
    private final Errors unreachable;

    /**
     * @param unreachable what a topic is answered with when its cluster cannot be asked and the mesh has never
     *                    described it: an error clients retry
     */
    public TopicLocator(UpstreamClusters clusters, Errors unreachable) {
        this.clusters = clusters;
        this.unreachable = unreachable;
    }

    /** The clusters behind the mesh. */
    public UpstreamClusters clusters() {
        return clusters;
    }

    /** The topic named {@code name}: UNKNOWN_TOPIC_OR_PARTITION when no rule routes it or its cluster lacks it. */
    public CompletionStage<TopicLocation> byName(String name) {
        Optional<UpstreamCluster> cluster = clusters.route(name);
        if (cluster.isEmpty()) {
            return CompletableFuture.completedFuture(TopicLocation.missing(Errors.UNKNOWN_TOPIC_OR_PARTITION));
        }
        return cluster.get().metadata().topic(name).handle((topic, failure) -> {
            if (failure != null) {
                log.debug("mesh: {} cannot describe topic {}: {}", cluster.get(), name, failure.toString());
                return TopicLocation.missing(unreachable);
            }
            return topic.map(found -> TopicLocation.found(cluster.get(), found))
                    .orElseGet(() -> TopicLocation.missing(Errors.UNKNOWN_TOPIC_OR_PARTITION));
        });
    }

    /** Each of {@code names}, looked up together; the map keeps their order. */
    public CompletionStage<Map<String, TopicLocation>> byNames(Collection<String> names) {
        Map<String, CompletableFuture<TopicLocation>> lookups = new LinkedHashMap<>();
        for (String name : new LinkedHashSet<>(names)) {
            lookups.put(name, byName(name).toCompletableFuture());
        }
        return AllOf.map(lookups);
    }

    /**
     * The topic with id {@code topicId} among those the mesh has described (clients learn ids from the mesh's
     * Metadata, which describes them): UNKNOWN_TOPIC_ID otherwise.
     */
    public TopicLocation byId(Uuid topicId) {
        return clusters.topicById(topicId).map(ref -> TopicLocation.found(ref.cluster(), ref.topic()))
                .orElseGet(() -> TopicLocation.missing(Errors.UNKNOWN_TOPIC_ID));
    }

    /**
     * Describes {@code topic} again in {@code cluster} when {@code error}, from one of the cluster's brokers, says
     * the mesh's picture of it is out of date: leaders moved, the topic was deleted or made again.
     */
    public void refreshIfStale(UpstreamCluster cluster, String topic, Errors error) {
        if (isStaleMetadata(error)) {
            cluster.metadata().refresh(topic);
        }
    }

    /** Whether {@code error} from a broker means the mesh's metadata of that partition is out of date. */
    public static boolean isStaleMetadata(Errors error) {
        return switch (error) {
            case NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, UNKNOWN_TOPIC_OR_PARTITION,
                 UNKNOWN_TOPIC_ID, INCONSISTENT_TOPIC_ID, LEADER_NOT_AVAILABLE, REPLICA_NOT_AVAILABLE,
                 KAFKA_STORAGE_ERROR -> true;
            default -> false;
        };
    }
}
