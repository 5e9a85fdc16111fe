package io.kanal.filters.topicpolicy;

import io.kanal.proxy.filter.KafkaApi;
import io.kanal.proxy.filter.OutOfBandRequests;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.Errors;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Topic names by topic id, learnt with Metadata requests of the filter's own and kept: a topic id always names the
 * same topic (a topic re-created under the same name gets a new id), so a name once learnt never goes stale. Ids the
 * broker does not know are not remembered, so they are asked for again next time. The cache is bounded: past
 * {@link #MAX_ENTRIES} it starts over.
 */
final class TopicIdNames {

    /** The oldest Metadata version that looks topics up by id; every broker that takes Produce v13 supports it. */
    static final short METADATA_VERSION = 12;
    static final int MAX_ENTRIES = 100_000;

    private final Map<Uuid, String> names = new ConcurrentHashMap<>();

    /** The name of {@code id} when it is known already, else {@code null}. */
    String cached(Uuid id) {
        return names.get(id);
    }

    /**
     * Looks up the names of {@code ids} with one Metadata request on {@code connection}. Completes with the names of
     * the ids the broker knows; an id the broker does not know, or does not let this client describe, is missing from
     * the map.
     */
    CompletionStage<Map<Uuid, String>> resolve(OutOfBandRequests connection, Collection<Uuid> ids) {
        MetadataRequestData request = new MetadataRequestData()
                .setAllowAutoTopicCreation(false)
                .setIncludeTopicAuthorizedOperations(false);
        for (Uuid id : ids) {
            request.topics().add(new MetadataRequestData.MetadataRequestTopic().setTopicId(id).setName(null));
        }
        return connection.sendRequest(KafkaApi.METADATA, METADATA_VERSION, request).thenApply(response -> {
            Map<Uuid, String> found = new HashMap<>();
            for (MetadataResponseData.MetadataResponseTopic topic : response.topics()) {
                if (topic.errorCode() == Errors.NONE.code() && topic.name() != null && !topic.name().isEmpty()
                        && ids.contains(topic.topicId())) {
                    found.put(topic.topicId(), topic.name());
                }
            }
            remember(found);
            return found;
        });
    }

    private void remember(Map<Uuid, String> found) {
        if (names.size() + found.size() > MAX_ENTRIES) {
            names.clear();
        }
        names.putAll(found);
    }
}
