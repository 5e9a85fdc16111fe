package io.kanal.proxy.config;

import io.kanal.proxy.tls.KeyCredentials;
import io.kanal.proxy.tls.TlsDefaults;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * TLS between clients and a virtual cluster: the proxy's certificate, and whether and how clients prove who they are.
 *
 * @param key                   the proxy's private key and certificate chain, shown to clients
 * @param clientAuth            whether clients must present a certificate
 * @param trustedCertificates   the certificates (usually CAs) a client certificate must chain to; required unless
 *                              {@code clientAuth} is {@link ClientAuth#NONE}
 * @param protocols             the TLS versions offered, e.g. {@code TLSv1.3}; see {@link TlsDefaults#PROTOCOLS}
 * @param cipherSuites          the cipher suites offered, by their IANA/Java names; see {@link TlsDefaults#CIPHER_SUITES}
 * @param principalMappingRules how a client certificate's subject becomes the connection's principal, in the syntax of
 *                              Kafka's {@code ssl.principal.mapping.rules}, e.g.
 *                              {@code RULE:^CN=(.*?),.*$/$1/,DEFAULT}
 */
public record DownstreamTlsConfig(
        KeyCredentials key,
        ClientAuth clientAuth,
        List<X509Certificate> trustedCertificates,
        List<String> protocols,
        List<String> cipherSuites,
        String principalMappingRules) {

    /** Kafka's default: the subject's distinguished name as it is. */
    public static final String DEFAULT_PRINCIPAL_MAPPING_RULES = "DEFAULT";

    public DownstreamTlsConfig {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(clientAuth, "clientAuth");
        trustedCertificates = List.copyOf(trustedCertificates);
        protocols = List.copyOf(protocols);
        cipherSuites = List.copyOf(cipherSuites);
        Objects.requireNonNull(principalMappingRules, "principalMappingRules");
        if (clientAuth != ClientAuth.NONE && trustedCertificates.isEmpty()) {
            throw new IllegalArgumentException("client authentication " + clientAuth
                    + " needs the certificates client certificates must chain to");
        }
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("no TLS protocol versions");
        }
        if (cipherSuites.isEmpty()) {
            throw new IllegalArgumentException("no cipher suites");
        }
    }

    /** TLS with the safe defaults and no client certificates. */
    public static DownstreamTlsConfig of(KeyCredentials key) {
        return new DownstreamTlsConfig(key, ClientAuth.NONE, List.of(), TlsDefaults.PROTOCOLS,
                TlsDefaults.CIPHER_SUITES, DEFAULT_PRINCIPAL_MAPPING_RULES);
    }

    /** This configuration asking clients for certificates that chain to {@code trusted}. */
    public DownstreamTlsConfig withClientAuth(ClientAuth clientAuth, List<X509Certificate> trusted) {
        return new DownstreamTlsConfig(key, clientAuth, trusted, protocols, cipherSuites, principalMappingRules);
    }

    /** This configuration with other principal mapping rules. */
    public DownstreamTlsConfig withPrincipalMappingRules(String rules) {
        return new DownstreamTlsConfig(key, clientAuth, trustedCertificates, protocols, cipherSuites, rules);
    }
}
