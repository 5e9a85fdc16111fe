package io.kanal.proxy.server;

import io.kanal.proxy.config.HostPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;

/**
 * Where a virtual cluster's brokers really are, as the responses passing through it last said: what a connection
 * meant for broker N is forwarded to.
 */
final class KnownBrokers {

    private static final Logger log = LoggerFactory.getLogger(KnownBrokers.class);

    private final String virtualCluster;
    private final Map<Integer, HostPort> addresses = new ConcurrentHashMap<>();

    KnownBrokers(String virtualCluster) {
        this.virtualCluster = virtualCluster;
    }

    /** Broker {@code nodeId} is at {@code address} now. */
    void record(int nodeId, HostPort address) {
        HostPort previous = addresses.put(nodeId, address);
        if (previous != null && !previous.equals(address)) {
            log.info("{}: broker {} moved from {} to {}", virtualCluster, nodeId, previous, address);
        }
    }

    /** Where broker {@code nodeId} is, or {@code null} when no response has named it yet. */
    HostPort get(int nodeId) {
        return addresses.get(nodeId);
    }

    Set<Integer> nodeIds() {
        return addresses.keySet();
    }

    /** Every broker named so far, by node id. */
    Map<Integer, HostPort> snapshot() {
        return Map.copyOf(addresses);
    }

    /** Takes over what another endpoint learned, for the node ids {@code served} accepts. */
    void learn(Map<Integer, HostPort> brokers, IntPredicate served) {
        brokers.forEach((nodeId, address) -> {
            if (served.test(nodeId)) {
                addresses.put(nodeId, address);
            }
        });
    }
}
