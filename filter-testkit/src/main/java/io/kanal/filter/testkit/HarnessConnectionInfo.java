package io.kanal.filter.testkit;

import io.kanal.proxy.filter.ConnectionInfo;

import javax.net.ssl.SSLSession;
import java.net.InetSocketAddress;
import java.util.Optional;

/** The fixed facts of the harness's one client connection. */
record HarnessConnectionInfo(String virtualCluster, InetSocketAddress clientAddress, String clientId,
                             Optional<String> principal, Optional<SSLSession> tlsSession) implements ConnectionInfo {
}
