package io.kanal.mesh.upstream;

import io.kanal.mesh.api.VersionRange;
import org.apache.kafka.common.protocol.ApiKeys;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The API versions the upstream brokers support, as each said when the mesh last connected to it: what the mesh can
 * forward is what every one of them supports. Safe for use from any thread.
 */
public final class UpstreamVersions {

    private final ConcurrentHashMap<BrokerAddress, Map<ApiKeys, VersionRange>> byBroker = new ConcurrentHashMap<>();

    /** Records what {@code broker} supports, replacing what it said before. */
    public void learned(BrokerAddress broker, Map<ApiKeys, VersionRange> versions) {
        byBroker.put(broker, Map.copyOf(versions));
    }

    /** Whether any broker of {@code cluster} has said what it supports. */
    public boolean knows(String cluster) {
        return byBroker.keySet().stream().anyMatch(broker -> broker.cluster().equals(cluster));
    }

    /** The clusters at least one of whose brokers has said what it supports. */
    public Set<String> knownClusters() {
        return Set.copyOf(byBroker.keySet().stream().map(BrokerAddress::cluster).toList());
    }

    /**
     * The versions of {@code api} every broker heard from supports, within {@code wanted}; {@code wanted} itself
     * while no broker has been heard from, and empty when two brokers' ranges do not overlap or one lacks the API.
     */
    public Optional<VersionRange> common(ApiKeys api, VersionRange wanted) {
        Optional<VersionRange> common = Optional.of(wanted);
        for (Map<ApiKeys, VersionRange> versions : byBroker.values()) {
            VersionRange supported = versions.get(api);
            if (supported == null) {
                return Optional.empty();
            }
            common = common.flatMap(supported::intersect);
            if (common.isEmpty()) {
                return common;
            }
        }
        return common;
    }
}
