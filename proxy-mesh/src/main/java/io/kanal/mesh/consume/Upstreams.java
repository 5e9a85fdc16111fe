package io.kanal.mesh.consume;

import io.kanal.mesh.api.MeshApis;
import io.kanal.mesh.api.MeshSession;
import io.kanal.mesh.api.SessionKey;
import io.kanal.mesh.api.VersionRange;
import io.kanal.mesh.cluster.UpstreamCluster;
import io.kanal.mesh.upstream.BrokerAddress;
import io.kanal.mesh.upstream.UpstreamConnector;
import io.kanal.mesh.upstream.UpstreamPool;
import io.kanal.mesh.upstream.UpstreamVersions;
import io.kanal.proxy.config.HostPort;
import org.apache.kafka.common.protocol.ApiKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The consume path's way to the upstream brokers: each client session's own {@link UpstreamPool}, closed with the
 * session; one pool of the mesh's own for what it asks on nobody's behalf (coordinator look-ups, group probes); and
 * the API versions the brokers support, learned from every connection.
 */
public final class Upstreams implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Upstreams.class);
    /** The client id of the mesh's own requests, and of sessions whose client sent none. */
    public static final String MESH_CLIENT_ID = "kanal-mesh";
    private static final Duration PROBE_RETRY = Duration.ofSeconds(5);

    private final UpstreamVersions versions = new UpstreamVersions();
    private final UpstreamPool control;
    private final SessionKey<UpstreamPool> sessionPools;

    public Upstreams(UpstreamConnector connector) {
        this.control = new UpstreamPool(connector, MESH_CLIENT_ID, versions::learned);
        this.sessionPools = new SessionKey<>("upstream connections", session -> {
            // The client's own id goes upstream, so brokers' quotas and logs see the client, not the mesh.
            String clientId = session.clientId() != null && !session.clientId().isEmpty() ? session.clientId()
                    : MESH_CLIENT_ID;
            UpstreamPool pool = new UpstreamPool(connector, clientId, versions::learned);
            session.onClose(pool::close);
            return pool;
        });
    }

    /** The upstream connections of {@code session}; call on the session's event loop. */
    public UpstreamPool of(MeshSession session) {
        return session.state(sessionPools);
    }

    /** The mesh's own connections, for requests it makes on nobody's behalf. */
    public UpstreamPool control() {
        return control;
    }

    /** The versions of {@code api} this proxy's kafka-clients and every upstream broker heard from support. */
    public Optional<VersionRange> forwardable(ApiKeys api) {
        return MeshApis.clientRange(api).flatMap(range -> versions.common(api, range));
    }

    /**
     * Connects to each cluster's bootstrap servers in turn, until one answers, so that the versions the mesh
     * advertises are known before the first client asks; a cluster none of whose servers answers is tried again every
     * few seconds.
     */
    public void learnVersions(List<UpstreamCluster> clusters, ScheduledExecutorService scheduler) {
        for (UpstreamCluster cluster : clusters) {
            probe(cluster, 0, scheduler);
        }
    }

    private void probe(UpstreamCluster cluster, int attempt, ScheduledExecutorService scheduler) {
        if (versions.knows(cluster.name())) {
            return;
        }
        List<HostPort> servers = cluster.config().bootstrapServers();
        BrokerAddress broker = new BrokerAddress(cluster.name(), servers.get(attempt % servers.size()));
        control.connection(broker).whenComplete((connection, failure) -> {
            if (failure == null) {
                return;
            }
            if (attempt == servers.size() - 1) {
                log.warn("mesh: {} cannot be reached for its API versions yet, trying again every {} s: {}", cluster,
                        PROBE_RETRY.toSeconds(), failure.getMessage());
            }
            try {
                scheduler.schedule(() -> probe(cluster, attempt + 1, scheduler), PROBE_RETRY.toMillis(),
                        TimeUnit.MILLISECONDS);
            } catch (RuntimeException shuttingDown) {
                log.debug("mesh: not probing {} again: {}", cluster, shuttingDown.toString());
            }
        });
    }

    /** Closes the mesh's own connections; the sessions close theirs as they end. */
    @Override
    public void close() {
        control.close();
    }
}
