package io.kanal.proxy.sasl;

import java.util.Objects;
import java.util.Optional;

/**
 * What a virtual cluster does with SASL. Without either part the proxy passes SASL through: the broker authenticates
 * the clients, whose SaslHandshake and SaslAuthenticate requests reach it unchanged.
 *
 * @param clients  when present, the proxy authenticates clients itself (termination)
 * @param upstream when present, the proxy logs in to every broker connection with these credentials before it
 *                 forwards anything
 */
public record SaslSettings(Optional<ClientAuthentication> clients, Optional<UpstreamCredentials> upstream) {

    /** Pass-through. */
    public static final SaslSettings NONE = new SaslSettings(Optional.empty(), Optional.empty());

    public SaslSettings {
        Objects.requireNonNull(clients, "clients");
        Objects.requireNonNull(upstream, "upstream");
    }
}
