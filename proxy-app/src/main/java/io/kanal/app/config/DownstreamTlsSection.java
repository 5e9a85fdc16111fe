package io.kanal.app.config;

import io.kanal.app.admin.SecretRedaction;

import java.util.List;

/**
 * {@code tls} of a virtual cluster as written: TLS between clients and the proxy. The proxy's certificate comes
 * either from {@code certificateFile} and {@code keyFile} or from {@code keyStore}. {@link #toString()} hides the
 * passwords.
 *
 * @param certificateFile       PEM: the proxy's certificate, then the certificates that signed it
 * @param keyFile               PEM: the certificate's private key, PKCS#8, plain or encrypted
 * @param keyPassword           the password of an encrypted {@code keyFile}
 * @param keyStore              a PKCS12 or JKS key store instead of the two files
 * @param clientAuth            {@code none} (default), {@code requested} or {@code required}
 * @param trustStore            what client certificates must chain to; required with client authentication
 * @param protocols             TLS versions; default TLSv1.3 and TLSv1.2
 * @param cipherSuites          cipher suites by their Java names; default the strong ones
 * @param principalMappingRules Kafka's {@code ssl.principal.mapping.rules} syntax; default {@code DEFAULT}
 */
record DownstreamTlsSection(
        String certificateFile,
        String keyFile,
        String keyPassword,
        KeyStoreSection keyStore,
        String clientAuth,
        TrustStoreSection trustStore,
        List<String> protocols,
        List<String> cipherSuites,
        String principalMappingRules) {

    @Override
    public String toString() {
        return "DownstreamTlsSection[certificateFile=" + certificateFile + ", keyFile=" + keyFile + ", keyPassword="
                + SecretRedaction.mask(keyPassword) + ", keyStore=" + keyStore + ", clientAuth=" + clientAuth
                + ", trustStore=" + trustStore + ", protocols=" + protocols + ", cipherSuites=" + cipherSuites
                + ", principalMappingRules=" + principalMappingRules + "]";
    }
}
