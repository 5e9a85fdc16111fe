package io.kanal.it.mesh;

import io.kanal.testkafka.KraftTestCluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The three clusters the mesh tests route to: {@code cluster1} for {@code apples*}, {@code cluster2} for
 * {@code bananas*}, {@code cluster3} for {@code cherries*}, as config-examples/mesh.yaml routes them.
 */
public final class MeshClusters implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MeshClusters.class);

    private final List<KraftTestCluster> clusters;

    private MeshClusters(List<KraftTestCluster> clusters) {
        this.clusters = clusters;
    }

    /** Starts the three clusters side by side. */
    static MeshClusters start() throws Exception {
        List<CompletableFuture<KraftTestCluster>> starting = List.of("cluster1", "cluster2", "cluster3").stream()
                .map(name -> CompletableFuture.supplyAsync(() -> {
                    try {
                        return startCluster(name);
                    } catch (Exception e) {
                        throw new IllegalStateException("cluster " + name + " did not start", e);
                    }
                }))
                .toList();
        try {
            return new MeshClusters(starting.stream().map(CompletableFuture::join).toList());
        } catch (RuntimeException e) {
            for (CompletableFuture<KraftTestCluster> cluster : starting) {
                if (!cluster.isCompletedExceptionally()) {
                    cluster.join().close();
                }
            }
            throw e;
        }
    }

    /**
     * One broker with a controller of its own, so that a test can stop the broker while the cluster's metadata lives
     * on. Its topics have one replica; its lone controller elects itself soon after start-up.
     */
    private static KraftTestCluster startCluster(String name) throws Exception {
        return KraftTestCluster.builder(name)
                .config("default.replication.factor", "1")
                .config("offsets.topic.num.partitions", "3")
                .config("transaction.state.log.num.partitions", "3")
                .config("controller.quorum.election.backoff.max.ms", "100")
                .start();
    }

    public KraftTestCluster apples() {
        return clusters.get(0);
    }

    public KraftTestCluster bananas() {
        return clusters.get(1);
    }

    public KraftTestCluster cherries() {
        return clusters.get(2);
    }

    /** The environment config-examples/mesh.yaml reads its clusters' addresses from. */
    public Map<String, String> environment() {
        return Map.of("CLUSTER1_BOOTSTRAP", apples().bootstrapServers(),
                "CLUSTER2_BOOTSTRAP", bananas().bootstrapServers(),
                "CLUSTER3_BOOTSTRAP", cherries().bootstrapServers());
    }

    /** Starts the broker of any cluster an earlier test left stopped. */
    void ensureRunning() throws InterruptedException {
        for (KraftTestCluster cluster : clusters) {
            for (int broker : cluster.brokerIds()) {
                if (cluster.isStopped(broker)) {
                    LOG.warn("broker {} of cluster {} was left stopped; starting it again", broker, cluster.name());
                    cluster.startBroker(broker);
                }
            }
        }
    }

    @Override
    public void close() throws Exception {
        Exception failure = null;
        for (KraftTestCluster cluster : clusters) {
            try {
                cluster.close();
            } catch (Exception e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
