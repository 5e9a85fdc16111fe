package io.kanal.proxy.tls;

import javax.net.ssl.SSLException;

/** A client asked, in its TLS handshake, for a host name the port does not serve, or for none. */
final class SniRejectedException extends SSLException {

    SniRejectedException(String message) {
        super(message);
    }
}
