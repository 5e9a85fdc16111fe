package io.kanal.app.admin;

import io.kanal.proxy.config.UpstreamTlsConfig;
import io.kanal.proxy.tls.TlsDefaults;
import io.kanal.proxy.tls.TlsProvider;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;

import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings that make a Kafka client speak to a target cluster with the TLS the proxy uses for it: the same trusted
 * certificates, client certificate, hostname verification, protocol versions and cipher suites. Key material is
 * handed over as in-memory PEM, which Kafka's client configuration treats as passwords: never logged.
 */
final class KafkaClientTls {

    private static final Base64.Encoder PEM_BASE64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));

    private KafkaClientTls() {
    }

    static Map<String, Object> settings(UpstreamTlsConfig tls) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        tls.trustedCertificates().ifPresent(certificates -> {
            settings.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
            settings.put(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, new Password(pem(certificates)));
        });
        tls.key().ifPresent(key -> {
            settings.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
            settings.put(SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, new Password(pem(key.certificateChain())));
            settings.put(SslConfigs.SSL_KEYSTORE_KEY_CONFIG,
                    new Password(pem("PRIVATE KEY", key.privateKey().getEncoded())));
        });
        settings.put(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, tls.hostnameVerification() ? "https" : "");
        settings.put(SslConfigs.SSL_ENABLED_PROTOCOLS_CONFIG, String.join(",", tls.protocols()));
        settings.put(SslConfigs.SSL_PROTOCOL_CONFIG, tls.protocols().contains("TLSv1.3") ? "TLSv1.3" : "TLSv1.2");
        // Kafka's clients use the JDK's TLS, which may lack a default suite that the proxy's OpenSSL has.
        List<String> suites = tls.cipherSuites();
        if (suites.equals(TlsDefaults.CIPHER_SUITES)) {
            List<String> unsupported = TlsProvider.JDK.unsupportedCipherSuites(suites);
            suites = suites.stream().filter(suite -> !unsupported.contains(suite)).toList();
        }
        settings.put(SslConfigs.SSL_CIPHER_SUITES_CONFIG, String.join(",", suites));
        return settings;
    }

    private static String pem(List<X509Certificate> certificates) {
        StringBuilder text = new StringBuilder();
        for (X509Certificate certificate : certificates) {
            try {
                text.append(pem("CERTIFICATE", certificate.getEncoded()));
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException("a certificate that was read cannot be encoded again", e);
            }
        }
        return text.toString();
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + PEM_BASE64.encodeToString(der) + "\n-----END " + label + "-----\n";
    }
}
