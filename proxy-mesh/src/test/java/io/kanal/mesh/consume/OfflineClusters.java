package io.kanal.mesh.consume;

import io.kanal.mesh.cluster.Broker;
import io.kanal.mesh.cluster.PartitionMetadata;
import io.kanal.mesh.cluster.TopicMetadata;
import io.kanal.mesh.cluster.UpstreamCluster;
import io.kanal.mesh.cluster.UpstreamClusters;
import io.kanal.mesh.config.MeshConfig;
import io.kanal.mesh.config.MeshListenerConfig;
import io.kanal.mesh.config.RouteRule;
import io.kanal.mesh.config.UpstreamClusterConfig;
import io.kanal.proxy.config.HostPort;
import org.apache.kafka.common.Uuid;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Clusters {@code apples} (topics {@code apples*}) and {@code bananas} (topics {@code bananas*}) that are never
 * reached, for tests of logic that only needs their configuration; topics and brokers are made up by the test.
 */
public final class OfflineClusters implements AutoCloseable {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final UpstreamClusters clusters;

    public OfflineClusters() {
        this(OptionalInt.empty());
    }

    /** @param applesPartitionCount the {@code partitionCount} of cluster apples */
    public OfflineClusters(OptionalInt applesPartitionCount) {
        // Port 9 (discard) on loopback: nothing answers, and no test waits for it to.
        List<UpstreamClusterConfig> upstream = List.of(
                new UpstreamClusterConfig("apples", List.of(new HostPort("127.0.0.1", 9)), applesPartitionCount,
                        Map.of()),
                new UpstreamClusterConfig("bananas", List.of(new HostPort("127.0.0.1", 9)), OptionalInt.empty(),
                        Map.of()));
        MeshConfig config = new MeshConfig(new MeshListenerConfig(new HostPort("127.0.0.1", 0), "127.0.0.1", 0, 0),
                upstream, List.of(RouteRule.prefix("apples", "apples"), RouteRule.prefix("bananas", "bananas")),
                Optional.empty(), Duration.ofHours(1), MeshConfig.DEFAULT_PRODUCE_TIMEOUT,
                MeshConfig.DEFAULT_MAX_PENDING_PRODUCE_BYTES);
        clusters = UpstreamClusters.open(config, scheduler);
    }

    public UpstreamClusters clusters() {
        return clusters;
    }

    public UpstreamCluster apples() {
        return clusters.named("apples").orElseThrow();
    }

    public UpstreamCluster bananas() {
        return clusters.named("bananas").orElseThrow();
    }

    /** A broker of a made-up cluster at {@code 10.0.0.<node id>:9092}. */
    public static Broker broker(int nodeId) {
        return new Broker(nodeId, new HostPort("10.0.0." + nodeId, 9092), Optional.empty());
    }

    /** A topic whose partition {@code i} is led by {@code leaders[i]}, or has no leader where that is null. */
    public static TopicMetadata topic(String name, Broker... leaders) {
        List<PartitionMetadata> partitions = new ArrayList<>();
        for (int index = 0; index < leaders.length; index++) {
            partitions.add(new PartitionMetadata(index, Optional.ofNullable(leaders[index]), List.of(), List.of()));
        }
        return new TopicMetadata(name, Uuid.randomUuid(), partitions);
    }

    @Override
    public void close() {
        clusters.close();
        scheduler.shutdownNow();
    }
}
