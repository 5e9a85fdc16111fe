package io.kanal.proxy.config;

import io.kanal.proxy.tls.KeyCredentials;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS between the proxy and a target cluster's brokers.
 *
 * @param trustedCertificates  the certificates (usually CAs) a broker certificate must chain to; empty means the JVM's
 *                             default trust store, i.e. the public certificate authorities
 * @param key                  the proxy's certificate for brokers that require client certificates; empty for none
 * @param hostnameVerification whether a broker's certificate must name the host the proxy connects to (as HTTPS
 *                             checks it); on unless a trusted network makes it unnecessary
 * @param protocols            the TLS versions offered
 * @param cipherSuites         the cipher suites offered
 */
public record UpstreamTlsConfig(
        Optional<List<X509Certificate>> trustedCertificates,
        Optional<KeyCredentials> key,
        boolean hostnameVerification,
        List<String> protocols,
        List<String> cipherSuites) {

    public UpstreamTlsConfig {
        trustedCertificates = trustedCertificates.map(List::copyOf);
        Objects.requireNonNull(key, "key");
        protocols = List.copyOf(protocols);
        cipherSuites = List.copyOf(cipherSuites);
        if (trustedCertificates.isPresent() && trustedCertificates.get().isEmpty()) {
            throw new IllegalArgumentException("an empty list of trusted certificates trusts no broker");
        }
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("no TLS protocol versions");
        }
        if (cipherSuites.isEmpty()) {
            throw new IllegalArgumentException("no cipher suites");
        }
    }
}
