package io.kanal.filters.testing;

import io.kanal.proxy.filter.ConnectionInfo;

import javax.net.ssl.SSLSession;
import java.net.InetSocketAddress;
import java.util.Optional;

/** A client connection with fixed facts. */
public record FakeConnection(String virtualCluster, InetSocketAddress clientAddress, String clientId,
                             Optional<String> principal) implements ConnectionInfo {

    /** A connection of client {@code clientId} to virtual cluster {@code vc} from 10.1.2.3:45678, unauthenticated. */
    public static FakeConnection of(String virtualCluster, String clientId) {
        return new FakeConnection(virtualCluster, new InetSocketAddress("10.1.2.3", 45678), clientId, Optional.empty());
    }

    public FakeConnection withPrincipal(String principal) {
        return new FakeConnection(virtualCluster, clientAddress, clientId, Optional.of(principal));
    }

    public FakeConnection withClientAddress(InetSocketAddress address) {
        return new FakeConnection(virtualCluster, address, clientId, principal);
    }

    @Override
    public Optional<SSLSession> tlsSession() {
        return Optional.empty();
    }
}
