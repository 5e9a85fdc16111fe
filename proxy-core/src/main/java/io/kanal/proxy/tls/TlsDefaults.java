package io.kanal.proxy.tls;

import java.util.List;
import java.util.Set;

/** What TLS offers unless configured otherwise: only current protocol versions and only strong cipher suites. */
public final class TlsDefaults {

    /** TLS 1.3 first, then 1.2 for clients that have nothing newer. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** The protocol versions that may be configured at all: everything older is broken. */
    public static final Set<String> ALLOWED_PROTOCOLS = Set.copyOf(PROTOCOLS);

    /**
     * TLS 1.3's suites, then TLS 1.2's with forward secrecy (ECDHE) and authenticated encryption (GCM or
     * ChaCha20-Poly1305). Suites the TLS provider lacks are left out at run time.
     */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_256_GCM_SHA384",
            "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private TlsDefaults() {
    }
}
