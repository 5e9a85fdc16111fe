package io.kanal.proxy.address;

import io.kanal.proxy.config.HostPort;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * Replaces the real broker addresses in decoded responses with the addresses clients must use, so that a client never
 * learns where a broker really is and always connects through the proxy.
 *
 * <p>Which responses carry broker addresses follows the message schemas of kafka-clients 4.3.1. DescribeQuorum names
 * the KRaft controllers' listeners, which a client cannot reach through the proxy and which in a combined-mode
 * cluster are the brokers' own hosts, so those listeners are removed and only the controllers' ids remain. The
 * KRaft-internal APIs never reach a client, and Kafka Streams application endpoints are not brokers; both are left
 * alone.
 */
public final class AddressRewriter {

    /** Produce responses list the new leaders' endpoints from v10 on (KIP-951). */
    private static final short PRODUCE_FIRST_ENDPOINTS_VERSION = 10;

    /** Fetch responses list the new leaders' endpoints from v16 on (KIP-951). */
    private static final short FETCH_FIRST_ENDPOINTS_VERSION = 16;

    /** DescribeQuorum lists the controllers' listeners from v2 on (KIP-853). */
    private static final short DESCRIBE_QUORUM_FIRST_NODES_VERSION = 2;

    /** From v4 on (KIP-699) FindCoordinator answers with a list of coordinators, one per requested key. */
    private static final short FIND_COORDINATOR_FIRST_BATCHED_VERSION = 4;

    static final String OUTSIDE_RANGE_MESSAGE = "coordinator is outside this proxy's node-id range";

    private static final Endpoint<MetadataResponseBroker> METADATA_BROKER = new Endpoint<>(
            MetadataResponseBroker::nodeId, MetadataResponseBroker::host, MetadataResponseBroker::port,
            (broker, address) -> broker.setHost(address.host()).setPort(address.port()));

    private static final Endpoint<DescribeClusterBroker> CLUSTER_BROKER = new Endpoint<>(
            DescribeClusterBroker::brokerId, DescribeClusterBroker::host, DescribeClusterBroker::port,
            (broker, address) -> broker.setHost(address.host()).setPort(address.port()));

    private static final Endpoint<ProduceResponseData.NodeEndpoint> PRODUCE_ENDPOINT = new Endpoint<>(
            ProduceResponseData.NodeEndpoint::nodeId, ProduceResponseData.NodeEndpoint::host,
            ProduceResponseData.NodeEndpoint::port,
            (node, address) -> node.setHost(address.host()).setPort(address.port()));

    private static final Endpoint<FetchResponseData.NodeEndpoint> FETCH_ENDPOINT = new Endpoint<>(
            FetchResponseData.NodeEndpoint::nodeId, FetchResponseData.NodeEndpoint::host,
            FetchResponseData.NodeEndpoint::port,
            (node, address) -> node.setHost(address.host()).setPort(address.port()));

    private static final Endpoint<ShareFetchResponseData.NodeEndpoint> SHARE_FETCH_ENDPOINT = new Endpoint<>(
            ShareFetchResponseData.NodeEndpoint::nodeId, ShareFetchResponseData.NodeEndpoint::host,
            ShareFetchResponseData.NodeEndpoint::port,
            (node, address) -> node.setHost(address.host()).setPort(address.port()));

    private static final Endpoint<ShareAcknowledgeResponseData.NodeEndpoint> SHARE_ACKNOWLEDGE_ENDPOINT =
            new Endpoint<>(
                    ShareAcknowledgeResponseData.NodeEndpoint::nodeId, ShareAcknowledgeResponseData.NodeEndpoint::host,
                    ShareAcknowledgeResponseData.NodeEndpoint::port,
                    (node, address) -> node.setHost(address.host()).setPort(address.port()));

    private static final Endpoint<Coordinator> BATCHED_COORDINATOR = new Endpoint<>(
            Coordinator::nodeId, Coordinator::host, Coordinator::port,
            (coordinator, address) -> coordinator.setHost(address.host()).setPort(address.port()));

    private static final Endpoint<FindCoordinatorResponseData> SINGLE_COORDINATOR = new Endpoint<>(
            FindCoordinatorResponseData::nodeId, FindCoordinatorResponseData::host, FindCoordinatorResponseData::port,
            (response, address) -> response.setHost(address.host()).setPort(address.port()));

    private final BrokerAddressMap map;

    /**
     * @param map the virtual cluster's broker map, which learns the real addresses and supplies the advertised ones
     */
    public AddressRewriter(BrokerAddressMap map) {
        this.map = Objects.requireNonNull(map, "map");
    }

    /**
     * Tells whether a response of this API version can carry broker addresses, and so must be decoded and passed to
     * {@link #rewrite}.
     *
     * <p>Versions above what kafka-clients can parse also answer {@code true}, so the connection refuses such requests
     * rather than forward an answer whose addresses it cannot see.
     */
    public static boolean carriesAddresses(ApiKeys api, short version) {
        return switch (api) {
            case METADATA, FIND_COORDINATOR, DESCRIBE_CLUSTER, SHARE_FETCH, SHARE_ACKNOWLEDGE -> true;
            case PRODUCE -> version >= PRODUCE_FIRST_ENDPOINTS_VERSION;
            case FETCH -> version >= FETCH_FIRST_ENDPOINTS_VERSION;
            case DESCRIBE_QUORUM -> version >= DESCRIBE_QUORUM_FIRST_NODES_VERSION;
            default -> false;
        };
    }

    /**
     * Replaces, in place, every broker address in {@code response} with the address advertised for that node.
     *
     * <p>A broker this virtual cluster cannot serve is removed from broker lists; a coordinator it cannot serve
     * becomes a {@code COORDINATOR_NOT_AVAILABLE} error, which makes the client look it up again. Entries without a
     * node (negative id or empty host, as in errors) are left as they are.
     *
     * @param response the decoded response of {@code api} at {@code version}
     * @return whether anything in {@code response} changed, i.e. whether it must be re-encoded
     * @throws ClassCastException if {@code response} is not the response message of {@code api}
     * @throws IllegalArgumentException if a broker entry has a blank host or a port outside 0-65535
     */
    public boolean rewrite(ApiKeys api, short version, ApiMessage response) {
        return switch (api) {
            case METADATA -> rewriteOrRemove(((MetadataResponseData) response).brokers(), METADATA_BROKER);
            case DESCRIBE_CLUSTER ->
                    rewriteOrRemove(((DescribeClusterResponseData) response).brokers(), CLUSTER_BROKER);
            case PRODUCE -> rewriteOrRemove(((ProduceResponseData) response).nodeEndpoints(), PRODUCE_ENDPOINT);
            case FETCH -> rewriteOrRemove(((FetchResponseData) response).nodeEndpoints(), FETCH_ENDPOINT);
            case SHARE_FETCH ->
                    rewriteOrRemove(((ShareFetchResponseData) response).nodeEndpoints(), SHARE_FETCH_ENDPOINT);
            case SHARE_ACKNOWLEDGE -> rewriteOrRemove(
                    ((ShareAcknowledgeResponseData) response).nodeEndpoints(), SHARE_ACKNOWLEDGE_ENDPOINT);
            case FIND_COORDINATOR -> version < FIND_COORDINATOR_FIRST_BATCHED_VERSION
                    ? rewriteEntry((FindCoordinatorResponseData) response, SINGLE_COORDINATOR, AddressRewriter::refuse)
                    : rewriteCoordinators(((FindCoordinatorResponseData) response).coordinators());
            case DESCRIBE_QUORUM -> hideControllerListeners((DescribeQuorumResponseData) response);
            default -> false;
        };
    }

    private <E> boolean rewriteOrRemove(Collection<E> entries, Endpoint<E> endpoint) {
        boolean changed = false;
        for (Iterator<E> it = entries.iterator(); it.hasNext(); ) {
            changed |= rewriteEntry(it.next(), endpoint, unservable -> it.remove());
        }
        return changed;
    }

    private static boolean hideControllerListeners(DescribeQuorumResponseData response) {
        boolean changed = false;
        for (DescribeQuorumResponseData.Node node : response.nodes()) {
            changed |= !node.listeners().isEmpty();
            node.listeners().clear();
        }
        return changed;
    }

    private boolean rewriteCoordinators(List<Coordinator> coordinators) {
        boolean changed = false;
        for (Coordinator coordinator : coordinators) {
            changed |= rewriteEntry(coordinator, BATCHED_COORDINATOR, AddressRewriter::refuse);
        }
        return changed;
    }

    private <E> boolean rewriteEntry(E entry, Endpoint<E> endpoint, Consumer<E> unservable) {
        int nodeId = endpoint.nodeId().applyAsInt(entry);
        String host = endpoint.host().apply(entry);
        if (nodeId < 0 || host.isEmpty()) {
            return false;
        }
        int port = endpoint.port().applyAsInt(entry);
        HostPort advertised = map.advertise(nodeId, new HostPort(host, port));
        if (advertised == null) {
            unservable.accept(entry);
            return true;
        }
        if (advertised.host().equals(host) && advertised.port() == port) {
            return false;
        }
        endpoint.replace().accept(entry, advertised);
        return true;
    }

    private static void refuse(FindCoordinatorResponseData response) {
        response.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())
                .setErrorMessage(OUTSIDE_RANGE_MESSAGE)
                .setNodeId(-1)
                .setHost("")
                .setPort(-1);
    }

    private static void refuse(Coordinator coordinator) {
        coordinator.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())
                .setErrorMessage(OUTSIDE_RANGE_MESSAGE)
                .setNodeId(-1)
                .setHost("")
                .setPort(-1);
    }

    /**
     * Reads and replaces the address of one kind of broker entry; the generated message classes share no interface
     * for it.
     */
    private record Endpoint<E>(ToIntFunction<E> nodeId, Function<E, String> host, ToIntFunction<E> port,
                               BiConsumer<E, HostPort> replace) {
    }
}
