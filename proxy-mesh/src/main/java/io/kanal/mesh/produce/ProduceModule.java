package io.kanal.mesh.produce;

import io.kanal.mesh.api.MeshApis;
import io.kanal.mesh.api.MeshContext;
import io.kanal.mesh.api.MeshModule;
import io.kanal.mesh.api.VersionRange;
import io.kanal.mesh.cluster.UpstreamCluster;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The produce path: Produce through one producer per cluster, InitProducerId from the mesh's own producer ids, and
 * transaction coordinators refused.
 */
public final class ProduceModule implements MeshModule {

    /** Produce v3 is the first with record batches of magic v2, the only format the mesh accepts. */
    private static final VersionRange PRODUCE_VERSIONS = VersionRange.of(3, Short.MAX_VALUE);
    private static final Duration EXPIRY_CHECK = Duration.ofMinutes(1);

    @Override
    public void register(MeshApis.Builder apis, MeshContext context) {
        Map<String, ClusterProducer> producers = new LinkedHashMap<>();
        try {
            for (UpstreamCluster cluster : context.clusters().all()) {
                producers.put(cluster.name(), ClusterProducer.open(cluster.config()));
            }
        } catch (RuntimeException e) {
            producers.values().forEach(producer -> closeQuietly(producer));
            throw e;
        }
        context.closeOnShutdown("the mesh's producers", timeout -> {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (ClusterProducer producer : producers.values()) {
                producer.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            }
        });
        ProducerIds producerIds = new ProducerIds();
        context.scheduler().scheduleWithFixedDelay(producerIds::expire, EXPIRY_CHECK.toMillis(),
                EXPIRY_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        apis.handle(ApiKeys.PRODUCE, ProduceRequestData.class, new ProduceHandler(context.clusters(), producers,
                producerIds, context.config().produceTimeout()), PRODUCE_VERSIONS);
        apis.handle(ApiKeys.INIT_PRODUCER_ID, InitProducerIdRequestData.class, new InitProducerIdHandler(producerIds));
        apis.coordinator(CoordinatorType.TRANSACTION, new TransactionsRefused());
    }

    private static void closeQuietly(ClusterProducer producer) {
        try {
            producer.close(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
