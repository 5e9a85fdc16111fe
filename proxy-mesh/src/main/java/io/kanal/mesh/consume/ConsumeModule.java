package io.kanal.mesh.consume;

import io.kanal.mesh.api.MeshApis;
import io.kanal.mesh.api.MeshContext;
import io.kanal.mesh.api.MeshModule;
import io.kanal.mesh.consume.fetch.FetchHandler;
import io.kanal.mesh.consume.group.ConsumerGroups;
import io.kanal.mesh.consume.offsets.ListOffsetsHandler;
import io.kanal.mesh.consume.offsets.OffsetForLeaderEpochHandler;
import io.kanal.mesh.upstream.UpstreamConnector;
import io.kanal.proxy.net.Transport;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The consume path: Fetch, ListOffsets and OffsetForLeaderEpoch forwarded to partition leaders, and consumer groups
 * forwarded to the coordinator of the one cluster each group belongs to. Requests travel over upstream connections of
 * the client's own (see {@link Upstreams}); each API is advertised in the versions every upstream broker heard from
 * supports.
 */
public final class ConsumeModule implements MeshModule {

    private static final Logger log = LoggerFactory.getLogger(ConsumeModule.class);
    /** How long connecting to an upstream broker, with its ApiVersions handshake, may take. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** The largest response a broker may send the mesh; fetches ask for less (see FetchHandler). */
    static final int MAX_RESPONSE_BYTES = 128 * 1024 * 1024;
    /** Requests one upstream connection may have waiting: far more than a client session can cause. */
    static final int MAX_IN_FLIGHT = 1024;

    @Override
    public void register(MeshApis.Builder apis, MeshContext context) {
        warnAboutSecuredClusters(context);
        UpstreamConnector connector = new UpstreamConnector(Transport.best(),
                Runtime.getRuntime().availableProcessors(), CONNECT_TIMEOUT, MAX_RESPONSE_BYTES, MAX_IN_FLIGHT);
        context.closeOnShutdown("the consume path's upstream event loops", timeout -> connector.close());
        Upstreams upstreams = new Upstreams(connector);
        context.closeOnShutdown("the consume path's own upstream connections", timeout -> upstreams.close());
        TopicLocator locator = new TopicLocator(context.clusters(), Errors.NOT_LEADER_OR_FOLLOWER);

        apis.handle(ApiKeys.FETCH, FetchRequestData.class,
                new FetchHandler(locator, upstreams, context.scheduler()),
                () -> upstreams.forwardable(ApiKeys.FETCH));
        apis.handle(ApiKeys.LIST_OFFSETS, ListOffsetsRequestData.class, new ListOffsetsHandler(locator, upstreams),
                () -> upstreams.forwardable(ApiKeys.LIST_OFFSETS));
        apis.handle(ApiKeys.OFFSET_FOR_LEADER_EPOCH, OffsetForLeaderEpochRequestData.class,
                new OffsetForLeaderEpochHandler(locator, upstreams),
                () -> upstreams.forwardable(ApiKeys.OFFSET_FOR_LEADER_EPOCH));

        ConsumerGroups.register(apis, context, upstreams, locator);

        upstreams.learnVersions(context.clusters().all(), context.scheduler());
    }

    /**
     * The consume path speaks plain Kafka to brokers; a cluster configured for TLS or SASL is reached by the produce
     * path (kafka-clients) but not by it.
     */
    private static void warnAboutSecuredClusters(MeshContext context) {
        context.clusters().all().forEach(cluster -> {
            Object protocol = cluster.connectionProperties().get("security.protocol");
            if (protocol != null && !"PLAINTEXT".equalsIgnoreCase(protocol.toString().trim())) {
                log.warn("mesh: {} uses security.protocol {}; the consume path connects in plaintext only, so "
                        + "fetches and groups of its topics will fail", cluster, protocol);
            }
        });
    }
}
