package io.kanal.proxy.connection;

import io.kanal.proxy.filter.ConnectionInfo;

import javax.net.ssl.SSLSession;
import java.net.InetSocketAddress;
import java.util.Optional;

/** What filters know about one client connection. */
final class ClientConnectionInfo implements ConnectionInfo {

    private final String virtualCluster;
    private final InetSocketAddress clientAddress;
    private volatile String clientId;
    private volatile String principal;
    private volatile SSLSession tlsSession;

    ClientConnectionInfo(String virtualCluster, InetSocketAddress clientAddress) {
        this.virtualCluster = virtualCluster;
        this.clientAddress = clientAddress;
    }

    void clientId(String clientId) {
        this.clientId = clientId;
    }

    void principal(String principal) {
        this.principal = principal;
    }

    void tlsSession(SSLSession tlsSession) {
        this.tlsSession = tlsSession;
    }

    @Override
    public String virtualCluster() {
        return virtualCluster;
    }

    @Override
    public InetSocketAddress clientAddress() {
        return clientAddress;
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public Optional<String> principal() {
        return Optional.ofNullable(principal);
    }

    @Override
    public Optional<SSLSession> tlsSession() {
        return Optional.ofNullable(tlsSession);
    }
}
