package io.kanal.mesh.metadata;

import io.kanal.mesh.api.MeshApiHandler;
import io.kanal.mesh.api.MeshNode;
import io.kanal.mesh.api.MeshRequest;
import io.kanal.mesh.api.MeshSession;
import io.kanal.mesh.async.AllOf;
import io.kanal.mesh.cluster.PartitionMetadata;
import io.kanal.mesh.cluster.TopicMetadata;
import io.kanal.mesh.cluster.UpstreamCluster;
import io.kanal.mesh.cluster.UpstreamClusters;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBrokerCollection;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopicCollection;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Answers Metadata for the mesh. The mesh is the only broker and the controller, and leads every partition; the
 * topics are those of the clusters the rules route them to, with the partition counts (capped by a cluster's
 * {@code partitionCount}) and topic ids of their clusters, so that requests by topic id find them.
 *
 * <p>A topic no rule routes, or that its cluster does not have, is UNKNOWN_TOPIC_OR_PARTITION; one whose cluster
 * cannot be asked and that the mesh has never described is LEADER_NOT_AVAILABLE, which clients retry. A request for
 * every topic lists every routed topic of every cluster. The mesh never creates a topic, whatever the request allows.
 */
final class MetadataHandler implements MeshApiHandler<MetadataRequestData, MetadataResponseData> {

    private static final Logger log = LoggerFactory.getLogger(MetadataHandler.class);
    /** What the mesh calls its cluster: clients see one cluster, whichever clusters stand behind it. */
    static final String CLUSTER_ID = "kanal-mesh";
    /** Partition leader epochs are the upstream clusters' business; clients are told none. */
    private static final int NO_LEADER_EPOCH = -1;
    private static final short FIRST_VERSION_WITH_TOPIC_IDS = 10;

    private final MeshNode self;
    private final UpstreamClusters clusters;

    MetadataHandler(MeshNode self, UpstreamClusters clusters) {
        this.self = self;
        this.clusters = clusters;
    }

    @Override
    public CompletionStage<MetadataResponseData> handle(MeshSession session, MeshRequest<MetadataRequestData> request) {
        short version = request.apiVersion();
        boolean allTopics = new MetadataRequest(request.body(), version).isAllTopics();
        CompletionStage<List<MetadataResponseTopic>> topics = allTopics
                ? allTopics(version)
                : requested(request.body().topics(), version);
        return topics.thenApply(answered -> response(answered));
    }

    private CompletionStage<List<MetadataResponseTopic>> requested(List<MetadataRequestTopic> requested,
                                                                   short version) {
        List<CompletableFuture<MetadataResponseTopic>> answers = new ArrayList<>(requested.size());
        for (MetadataRequestTopic topic : requested) {
            answers.add(answer(topic, version).toCompletableFuture());
        }
        return AllOf.list(answers);
    }

    private CompletionStage<MetadataResponseTopic> answer(MetadataRequestTopic requested, short version) {
        String name = requested.name();
        if (name == null) {
            Uuid id = requested.topicId();
            return CompletableFuture.completedFuture(clusters.topicById(id)
                    .map(found -> topic(found.cluster(), found.topic(), version))
                    .orElseGet(() -> error(null, id, Errors.UNKNOWN_TOPIC_ID)));
        }
        Optional<UpstreamCluster> cluster = clusters.route(name);
        if (cluster.isEmpty()) {
            return CompletableFuture.completedFuture(error(name, Uuid.ZERO_UUID, Errors.UNKNOWN_TOPIC_OR_PARTITION));
        }
        return cluster.get().metadata().topic(name).handle((found, failure) -> {
            if (failure != null) {
                log.debug("mesh: topic {} of {} cannot be described: {}", name, cluster.get(), failure.toString());
                return error(name, Uuid.ZERO_UUID, Errors.LEADER_NOT_AVAILABLE);
            }
            return found.map(topic -> topic(cluster.get(), topic, version))
                    .orElseGet(() -> error(name, Uuid.ZERO_UUID, Errors.UNKNOWN_TOPIC_OR_PARTITION));
        });
    }

    /** Every routed topic of every cluster; a cluster that cannot be listed contributes what is known of it. */
    private CompletionStage<List<MetadataResponseTopic>> allTopics(short version) {
        List<CompletableFuture<List<MetadataResponseTopic>>> perCluster = new ArrayList<>();
        for (UpstreamCluster cluster : clusters.all()) {
            perCluster.add(cluster.metadata().allTopics().toCompletableFuture()
                    .exceptionally(failure -> {
                        log.debug("mesh: {} cannot list its topics: {}", cluster, failure.toString());
                        return List.copyOf(cluster.metadata().cachedTopics());
                    })
                    .thenApply(topics -> topics.stream()
                            .filter(topic -> clusters.route(topic.name()).filter(owner -> owner == cluster).isPresent())
                            .map(topic -> topic(cluster, topic, version))
                            .toList()));
        }
        return AllOf.list(perCluster).thenApply(answers -> answers.stream().flatMap(List::stream).toList());
    }

    private MetadataResponseTopic topic(UpstreamCluster cluster, TopicMetadata topic, short version) {
        MetadataResponseTopic answer = new MetadataResponseTopic()
                .setName(topic.name())
                .setErrorCode(Errors.NONE.code())
                .setIsInternal(false)
                .setTopicAuthorizedOperations(MetadataResponse.AUTHORIZED_OPERATIONS_OMITTED);
        if (version >= FIRST_VERSION_WITH_TOPIC_IDS) {
            answer.setTopicId(topic.topicId());
        }
        int advertised = cluster.advertisedPartitions(topic);
        for (int index = 0; index < advertised; index++) {
            answer.partitions().add(partition(topic.partitions().get(index)));
        }
        return answer;
    }

    /** A partition the mesh leads; one without an upstream leader is offline, as a broker would say. */
    private MetadataResponsePartition partition(PartitionMetadata upstream) {
        MetadataResponsePartition partition = new MetadataResponsePartition()
                .setPartitionIndex(upstream.partition())
                .setLeaderEpoch(NO_LEADER_EPOCH)
                .setReplicaNodes(List.of(self.nodeId()));
        if (upstream.leader().isPresent()) {
            return partition.setErrorCode(Errors.NONE.code()).setLeaderId(self.nodeId())
                    .setIsrNodes(List.of(self.nodeId())).setOfflineReplicas(List.of());
        }
        return partition.setErrorCode(Errors.LEADER_NOT_AVAILABLE.code()).setLeaderId(MetadataResponse.NO_LEADER_ID)
                .setIsrNodes(List.of()).setOfflineReplicas(List.of(self.nodeId()));
    }

    private static MetadataResponseTopic error(String name, Uuid topicId, Errors error) {
        return new MetadataResponseTopic().setName(name).setTopicId(topicId).setErrorCode(error.code())
                .setIsInternal(false).setTopicAuthorizedOperations(MetadataResponse.AUTHORIZED_OPERATIONS_OMITTED);
    }

    private MetadataResponseData response(List<MetadataResponseTopic> answered) {
        MetadataResponseBrokerCollection brokers = new MetadataResponseBrokerCollection();
        brokers.add(new MetadataResponseBroker().setNodeId(self.nodeId()).setHost(self.host()).setPort(self.port()));
        MetadataResponseTopicCollection topics = new MetadataResponseTopicCollection();
        for (MetadataResponseTopic topic : answered) {
            if (topic.name() == null || topics.find(topic.name()) == null) {
                topics.add(topic);
            }
        }
        return new MetadataResponseData()
                .setBrokers(brokers)
                .setClusterId(CLUSTER_ID)
                .setControllerId(self.nodeId())
                .setTopics(topics)
                .setClusterAuthorizedOperations(MetadataResponse.AUTHORIZED_OPERATIONS_OMITTED);
    }
}
