package io.kanal.mesh.consume.offsets;

import io.kanal.mesh.consume.TopicLocation;
import io.kanal.mesh.consume.TopicLocation.PartitionTarget;
import io.kanal.mesh.consume.TopicLocator;
import io.kanal.mesh.upstream.BrokerAddress;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The partitions of a request each of which its leader answers, grouped by that leader; the ones no broker can be
 * asked about are set aside with their error.
 *
 * @param <P> the request's per-partition entry
 */
final class LeaderSplit<P> {

    /**
     * One partition of the request.
     *
     * @param topic     its topic's name
     * @param partition its index
     * @param asked     the request's entry for it
     */
    record Item<P>(String topic, int partition, P asked) {
    }

    /**
     * An item with the cluster its topic lives in.
     *
     * @param item     the item
     * @param location where its topic lives
     */
    record Routed<P>(Item<P> item, TopicLocation location) {
    }

    private final Map<BrokerAddress, List<Routed<P>>> parts;
    private final Map<Item<P>, Errors> failed;

    private LeaderSplit(Map<BrokerAddress, List<Routed<P>>> parts, Map<Item<P>, Errors> failed) {
        this.parts = parts;
        this.failed = failed;
    }

    /**
     * Finds each item's leader.
     *
     * @param noLeader the error for a partition that has no leader now
     */
    static <P> CompletionStage<LeaderSplit<P>> of(TopicLocator locator, List<Item<P>> items, Errors noLeader) {
        return locator.byNames(items.stream().map(Item::topic).toList()).thenApply(located -> {
            Map<BrokerAddress, List<Routed<P>>> parts = new LinkedHashMap<>();
            Map<Item<P>, Errors> failed = new HashMap<>();
            for (Item<P> item : items) {
                TopicLocation location = located.get(item.topic());
                PartitionTarget target = location.leaderOf(item.partition(), noLeader);
                if (target.isFound()) {
                    parts.computeIfAbsent(target.broker(), broker -> new ArrayList<>())
                            .add(new Routed<>(item, location));
                } else {
                    failed.put(item, target.error());
                }
            }
            return new LeaderSplit<>(parts, failed);
        });
    }

    /** The items each leader is asked about, in request order. */
    Map<BrokerAddress, List<Routed<P>>> parts() {
        return parts;
    }

    /** The error of an item no broker is asked about, or {@code null}. */
    Errors failure(Item<P> item) {
        return failed.get(item);
    }
}
