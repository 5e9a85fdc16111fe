package io.kanal.mesh.consume.group;

import io.kanal.mesh.cluster.UpstreamCluster;
import io.kanal.mesh.cluster.UpstreamClusters;
import io.kanal.mesh.consume.TopicLocation;
import io.kanal.mesh.consume.TopicLocator;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

import java.util.Optional;

/**
 * The cluster of a topic an offset request names, by name or, from the versions that name topics by id, by id; no
 * describing is needed, as offsets are kept by the group's coordinator, not by the topic's leaders.
 */
final class TopicClusters {

    /**
     * A topic of an offset request.
     *
     * @param name    its name, when known
     * @param id      its id, when known; {@link Uuid#ZERO_UUID} otherwise
     * @param cluster the cluster it lives in; {@code null} when {@code error} is set
     * @param error   why the mesh cannot serve it, or {@link Errors#NONE}
     */
    record Topic(String name, Uuid id, String cluster, Errors error) {

        boolean isFound() {
            return error == Errors.NONE;
        }
    }

    private final UpstreamClusters clusters;
    private final TopicLocator locator;

    TopicClusters(UpstreamClusters clusters, TopicLocator locator) {
        this.clusters = clusters;
        this.locator = locator;
    }

    /** The topic named {@code name}, with its id when the mesh has described it. */
    Topic byName(String name) {
        Optional<UpstreamCluster> cluster = clusters.route(name);
        if (cluster.isEmpty()) {
            return new Topic(name, Uuid.ZERO_UUID, null, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        Uuid id = cluster.get().metadata().cached(name).map(topic -> topic.topicId()).orElse(Uuid.ZERO_UUID);
        return new Topic(name, id, cluster.get().name(), Errors.NONE);
    }

    /** The topic with id {@code id}, among those the mesh has described. */
    Topic byId(Uuid id) {
        TopicLocation location = locator.byId(id);
        return location.isFound() ? new Topic(location.name(), id, location.cluster().name(), Errors.NONE)
                : new Topic(null, id, null, Errors.UNKNOWN_TOPIC_ID);
    }

    /** Whether {@code name}, as a cluster answered it, is a topic the rules route to {@code cluster}. */
    boolean routesTo(String name, Uuid id, String cluster) {
        if (name != null && !name.isEmpty()) {
            return clusters.route(name).filter(owner -> owner.name().equals(cluster)).isPresent();
        }
        TopicLocation location = locator.byId(id);
        return !location.isFound() || location.cluster().name().equals(cluster);
    }
}
