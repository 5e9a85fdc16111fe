package io.kanal.proxy.tls;

import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;

import javax.net.ssl.SSLException;
import java.util.List;

/** Builds Netty TLS contexts with the protocol versions and cipher suites a configuration names, checked first. */
final class TlsContexts {

    private TlsContexts() {
    }

    /**
     * @throws IllegalArgumentException naming a protocol version that is not allowed, or cipher suites the provider
     *                                  lacks
     */
    static SslContext build(SslContextBuilder builder, List<String> protocols, List<String> cipherSuites,
                            TlsProvider provider) {
        List<String> unsafe = protocols.stream().filter(protocol -> !TlsDefaults.ALLOWED_PROTOCOLS.contains(protocol))
                .toList();
        if (!unsafe.isEmpty()) {
            throw new IllegalArgumentException("protocols: " + String.join(", ", unsafe) + " not allowed; only "
                    + String.join(" and ", TlsDefaults.PROTOCOLS) + " are safe");
        }
        // The defaults may name suites a provider lacks, and it leaves those out; a configured suite must exist.
        boolean defaults = cipherSuites.equals(TlsDefaults.CIPHER_SUITES);
        if (!defaults) {
            List<String> unsupported = provider.unsupportedCipherSuites(cipherSuites);
            if (!unsupported.isEmpty()) {
                throw new IllegalArgumentException("cipherSuites: " + String.join(", ", unsupported) + " not supported"
                        + " by the TLS provider " + provider.name());
            }
        }
        builder.sslProvider(provider.nettyProvider())
                .protocols(protocols)
                .ciphers(cipherSuites, defaults ? SupportedCipherSuiteFilter.INSTANCE : IdentityCipherSuiteFilter.INSTANCE);
        try {
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
