package io.kanal.proxy.tls;

import javax.net.ssl.SSLSession;
import java.util.Objects;
import java.util.Optional;

/**
 * The user event a client channel's pipeline carries once the client's TLS handshake has succeeded, just before the
 * channel becomes active for the handlers after TLS.
 *
 * @param session   the TLS session
 * @param principal the principal the client's certificate maps to, such as {@code User:alice}; empty when the client
 *                  presented none
 */
public record TlsEstablished(SSLSession session, Optional<String> principal) {

    public TlsEstablished {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(principal, "principal");
    }
}
