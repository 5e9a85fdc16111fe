package io.kanal.it.mesh;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The three clusters the mesh tests route to: {@code cluster1} for {@code apples*}, {@code cluster2} for
 * {@code bananas*}, {@code cluster3} for {@code cherries*}, as config-examples/mesh.yaml routes them.
 */
public final class MeshClusters implements AutoCloseable {

    private final List<SingleNodeCluster> clusters;

    private MeshClusters(List<SingleNodeCluster> clusters) {
        this.clusters = clusters;
    }

    /** Starts the three clusters side by side. */
    static MeshClusters start() throws Exception {
        List<CompletableFuture<SingleNodeCluster>> starting = List.of("cluster1", "cluster2", "cluster3").stream()
                .map(name -> CompletableFuture.supplyAsync(() -> {
                    try {
                        return SingleNodeCluster.start(name);
                    } catch (Exception e) {
                        throw new IllegalStateException("cluster " + name + " did not start", e);
                    }
                }))
                .toList();
        try {
            return new MeshClusters(starting.stream().map(CompletableFuture::join).toList());
        } catch (RuntimeException e) {
            for (CompletableFuture<SingleNodeCluster> cluster : starting) {
                if (!cluster.isCompletedExceptionally()) {
                    cluster.join().close();
                }
            }
            throw e;
        }
    }

    public SingleNodeCluster apples() {
        return clusters.get(0);
    }

    public SingleNodeCluster bananas() {
        return clusters.get(1);
    }

    public SingleNodeCluster cherries() {
        return clusters.get(2);
    }

    /** The environment config-examples/mesh.yaml reads its clusters' addresses from. */
    public Map<String, String> environment() {
        return Map.of("CLUSTER1_BOOTSTRAP", apples().bootstrapServers(),
                "CLUSTER2_BOOTSTRAP", bananas().bootstrapServers(),
                "CLUSTER3_BOOTSTRAP", cherries().bootstrapServers());
    }

    void ensureRunning() {
        clusters.forEach(SingleNodeCluster::ensureRunning);
    }

    @Override
    public void close() throws Exception {
        Exception failure = null;
        for (SingleNodeCluster cluster : clusters) {
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
