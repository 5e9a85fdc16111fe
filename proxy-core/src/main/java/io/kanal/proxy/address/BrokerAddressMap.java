package io.kanal.proxy.address;

import io.kanal.proxy.config.HostPort;

/**
 * The map between a real cluster's brokers and the addresses clients are told. Each virtual cluster has one; it
 * learns the real addresses from the responses that carry them, so that a connection to a broker's proxy port can
 * be forwarded to that broker.
 */
public interface BrokerAddressMap {

    /**
     * Records that broker {@code nodeId} is really at {@code upstream} and returns the address clients must use for
     * it instead.
     *
     * @return the advertised address, or {@code null} when this virtual cluster cannot serve that node (its id lies
     *         outside the configured node-id range); the caller must then keep the real address from the client
     */
    HostPort advertise(int nodeId, HostPort upstream);
}
