package io.kanal.mesh.consume;

import io.kanal.testkafka.KraftTestCluster;

/** Starts the clusters the mesh's tests route to, configured as the consume path's tests need them. */
public final class TestClusters {

    private TestClusters() {
    }

    /**
     * Formats and starts a cluster of {@code brokers} brokers, each in a rack of its own, and waits until they are
     * ready. Few partitions for the internal topics, so that a cluster starts fast; quick heartbeats, so that
     * KIP-848 groups settle soon.
     */
    public static KraftTestCluster start(String name, int brokers) throws Exception {
        return KraftTestCluster.builder(name)
                .brokers(brokers)
                .rackPerBroker()
                .config("offsets.topic.num.partitions", "2")
                .config("transaction.state.log.num.partitions", "2")
                .config("group.consumer.min.heartbeat.interval.ms", "500")
                .config("group.consumer.heartbeat.interval.ms", "1000")
                .start();
    }
}
