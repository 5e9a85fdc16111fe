package io.kanal.filter.testkit;

import io.kanal.proxy.filter.ConnectionInfo;

import javax.net.ssl.SSLSession;
import java.net.InetSocketAddress;
import java.util.Optional;

/** The fixed facts of the harness's one client connection; it never uses TLS. */
record HarnessConnectionInfo(String virtualCluster, InetSocketAddress clientAddress, String clientId,
                             Optional<String> principal) implements ConnectionInfo {

    @Override
    public Optional<SSLSession> tlsSession() {
        return Optional.empty();
    }
}
