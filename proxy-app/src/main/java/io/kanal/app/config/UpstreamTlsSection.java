package io.kanal.app.config;

import io.kanal.app.admin.SecretRedaction;

import java.util.List;

/**
 * {@code target.tls} as written: TLS between the proxy and the target cluster's brokers. {@code tls: {}} turns it on
 * with the JVM's trusted certificate authorities and hostname verification. {@link #toString()} hides the passwords.
 *
 * @param trustStore           what broker certificates must chain to; default the JVM's trust store
 * @param certificateFile      PEM: the proxy's client certificate chain, for brokers that require one
 * @param keyFile              PEM: its private key
 * @param keyPassword          the password of an encrypted {@code keyFile}
 * @param keyStore             a PKCS12 or JKS key store instead of the two files
 * @param hostnameVerification whether a broker's certificate must name the host connected to; default true
 * @param protocols            TLS versions; default TLSv1.3 and TLSv1.2
 * @param cipherSuites         cipher suites by their Java names; default the strong ones
 */
record UpstreamTlsSection(
        TrustStoreSection trustStore,
        String certificateFile,
        String keyFile,
        String keyPassword,
        KeyStoreSection keyStore,
        Boolean hostnameVerification,
        List<String> protocols,
        List<String> cipherSuites) {

    @Override
    public String toString() {
        return "UpstreamTlsSection[trustStore=" + trustStore + ", certificateFile=" + certificateFile + ", keyFile="
                + keyFile + ", keyPassword=" + SecretRedaction.mask(keyPassword) + ", keyStore=" + keyStore
                + ", hostnameVerification=" + hostnameVerification + ", protocols=" + protocols + ", cipherSuites="
                + cipherSuites + "]";
    }
}
