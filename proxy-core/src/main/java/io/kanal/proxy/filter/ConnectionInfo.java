package io.kanal.proxy.filter;

import javax.net.ssl.SSLSession;
import java.net.InetSocketAddress;
import java.util.Optional;

/** What a filter may know about the client connection a request or response belongs to. */
public interface ConnectionInfo {

    /** The name of the virtual cluster the client connected to. */
    String virtualCluster();

    /** The client's address, as the proxy sees it. */
    InetSocketAddress clientAddress();

    /**
     * The client id of the connection's first request (a client keeps one per connection), or {@code null} when it
     * sent none.
     */
    String clientId();

    /**
     * The principal the client authenticated as, when the proxy authenticated it, in Kafka's form: {@code User:alice}.
     * A client certificate gives one (mapped by the virtual cluster's principal mapping rules); a SASL login at the
     * proxy gives one too, which replaces the certificate's.
     */
    Optional<String> principal();

    /** The TLS session of the client connection, when the client connected with TLS. */
    Optional<SSLSession> tlsSession();
}
