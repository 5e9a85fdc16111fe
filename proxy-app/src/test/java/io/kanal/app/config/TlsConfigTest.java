package io.kanal.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kanal.proxy.config.ClientAuth;
import io.kanal.proxy.config.DownstreamTlsConfig;
import io.kanal.proxy.config.SniConfig;
import io.kanal.proxy.config.UpstreamTlsConfig;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.tls.TestPki;
import io.kanal.proxy.tls.TlsDefaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code tls}, {@code sni} and {@code target.tls} sections: key material in every format, defaults, and one
 * message naming the key for every mistake, passwords never repeated.
 */
class TlsConfigTest {

    private static final String PASSWORD = "hunter2-tls-password";

    @TempDir
    static Path directory;
    private static TestPki pki;
    private static TestPki.Issued proxy;
    private static Path encryptedKey;
    private static Path pkcs12;
    private static Path jks;
    private static Path trustPkcs12;

    @BeforeAll
    static void makeCertificates() throws Exception {
        pki = TestPki.create(directory, "Kanal Test CA");
        proxy = pki.issue("kanal", "/CN=kanal", "IP:127.0.0.1");
        encryptedKey = pki.encryptedKey(proxy, PASSWORD);
        pkcs12 = pki.pkcs12(proxy, PASSWORD);
        jks = pki.jks(proxy, PASSWORD);
        trustPkcs12 = pki.trustStore("PKCS12", PASSWORD);
    }

    private static String cluster(String tls, String targetTls) {
        return """
                virtualClusters:
                  - name: vc
                    bootstrap: 127.0.0.1:9192
                %s
                    target:
                      bootstrapServers: kafka:9093
                %s
                """.formatted(indent(tls, 4), indent(targetTls, 6));
    }

    private static String indent(String text, int spaces) {
        return text.isEmpty() ? "" : text.stripTrailing().indent(spaces).stripTrailing();
    }

    private static VirtualClusterConfig load(String yaml) throws ConfigException {
        try (ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get)) {
            return loader.parse(yaml).virtualClusters().get(0);
        }
    }

    private static String error(String yaml) {
        String message = assertThrows(ConfigException.class, () -> load(yaml)).getMessage();
        assertFalse(message.contains(PASSWORD), "the password in: " + message);
        assertFalse(message.contains("wrong-password"), "the password in: " + message);
        return message;
    }

    @Test
    void pemFilesWithTheSafeDefaults() throws Exception {
        VirtualClusterConfig cluster = load(cluster("""
                tls:
                  certificateFile: %s
                  keyFile: %s
                """.formatted(proxy.certificateChain(), proxy.key()), ""));

        DownstreamTlsConfig tls = cluster.tls().orElseThrow();
        assertEquals(TestPki.credentials(proxy), tls.key());
        assertEquals(ClientAuth.NONE, tls.clientAuth());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), tls.protocols());
        assertEquals(TlsDefaults.CIPHER_SUITES, tls.cipherSuites());
        assertEquals("DEFAULT", tls.principalMappingRules());
        assertTrue(cluster.targetTls().isEmpty());
        assertTrue(cluster.sni().isEmpty());
    }

    @Test
    void anEncryptedKeyAPkcs12AndAJksKeyStoreGiveTheSameKey() throws Exception {
        String encrypted = """
                tls: { certificateFile: %s, keyFile: %s, keyPassword: %s }
                """.formatted(proxy.certificateChain(), encryptedKey, PASSWORD);
        String p12 = "tls: { keyStore: { file: %s, password: %s } }".formatted(pkcs12, PASSWORD);
        String javaKeyStore = "tls: { keyStore: { file: %s, type: JKS, password: %s, alias: kanal } }"
                .formatted(jks, PASSWORD);

        for (String tls : List.of(encrypted, p12, javaKeyStore)) {
            assertEquals(TestPki.credentials(proxy), load(cluster(tls, "")).tls().orElseThrow().key(), tls);
        }
    }

    @Test
    void mutualTlsWithEveryTrustStoreFormat() throws Exception {
        for (String trustStore : List.of("{ file: " + pki.caCertificate() + " }",
                "{ file: " + trustPkcs12 + ", password: " + PASSWORD + " }",
                "{ file: " + pki.trustStore("JKS", PASSWORD) + ", password: " + PASSWORD + " }")) {
            DownstreamTlsConfig tls = load(cluster("""
                    tls:
                      certificateFile: %s
                      keyFile: %s
                      clientAuth: required
                      trustStore: %s
                      principalMappingRules: "RULE:^CN=(.*?),.*$/$1/,DEFAULT"
                      protocols: [TLSv1.3]
                      cipherSuites: [TLS_AES_128_GCM_SHA256]
                    """.formatted(proxy.certificateChain(), proxy.key(), trustStore), "")).tls().orElseThrow();

            assertEquals(ClientAuth.REQUIRED, tls.clientAuth());
            assertEquals(pki.trusted(), tls.trustedCertificates(), trustStore);
            assertEquals(List.of("TLSv1.3"), tls.protocols());
            assertEquals(List.of("TLS_AES_128_GCM_SHA256"), tls.cipherSuites());
        }
    }

    @Test
    void targetTlsDefaultsToTheJvmsTrustAndHostnameVerification() throws Exception {
        UpstreamTlsConfig empty = load(cluster("", "tls: {}")).targetTls().orElseThrow();
        assertTrue(empty.trustedCertificates().isEmpty());
        assertTrue(empty.key().isEmpty());
        assertTrue(empty.hostnameVerification());

        UpstreamTlsConfig full = load(cluster("", """
                tls:
                  trustStore: { file: %s }
                  certificateFile: %s
                  keyFile: %s
                  hostnameVerification: false
                """.formatted(pki.caCertificate(), proxy.certificateChain(), proxy.key()))).targetTls().orElseThrow();
        assertEquals(pki.trusted(), full.trustedCertificates().orElseThrow());
        assertEquals(TestPki.credentials(proxy), full.key().orElseThrow());
        assertFalse(full.hostnameVerification());
    }

    @Test
    void sniByDomainOrByPatternsAndOnlyTheBootstrapPortIsClaimed() throws Exception {
        String tls = "tls: { certificateFile: %s, keyFile: %s }".formatted(proxy.certificateChain(), proxy.key());
        assertEquals(SniConfig.forDomain("kafka.example.com"),
                load(cluster("sni: { domain: kafka.example.com }\n" + tls, "")).sni().orElseThrow());
        assertEquals(new SniConfig("k.example.com", "k{nodeId}.example.com", OptionalInt.of(443)),
                load(cluster("sni: { bootstrapHost: k.example.com, brokerHost: \"k{nodeId}.example.com\", "
                        + "advertisedPort: 443 }\n" + tls, "")).sni().orElseThrow());

        // 9193 would be broker 0's port without SNI; with it, another virtual cluster may listen there.
        String second = """
                  - name: second
                    bootstrap: 127.0.0.1:9193
                    target: { bootstrapServers: kafka:9092 }
                """;
        try (ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get)) {
            assertEquals(2, loader.parse(cluster("sni: { domain: kafka.example.com }\n" + tls, "") + second)
                    .virtualClusters().size());
        }
    }

    @Test
    void reloadingUnchangedFilesChangesNothingAndARenewedCertificateChangesTheCluster() throws Exception {
        Path certificate = directory.resolve("renewed-chain.pem");
        Path key = directory.resolve("renewed.key");
        Files.copy(proxy.certificateChain(), certificate);
        Files.copy(proxy.key(), key);
        String yaml = cluster("tls: { certificateFile: %s, keyFile: %s }".formatted(certificate, key), "");
        VirtualClusterConfig before = load(yaml);

        assertEquals(before, load(yaml), "the same files read again: the virtual cluster is unchanged");

        TestPki.Issued renewed = pki.issue("renewed", "/CN=kanal", "IP:127.0.0.1");
        Files.copy(renewed.certificateChain(), certificate, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(renewed.key(), key, StandardCopyOption.REPLACE_EXISTING);
        assertNotEquals(before, load(yaml), "a renewed certificate replaces the virtual cluster's listeners");
    }

    @Test
    void aMissingFileAWrongPasswordAndAWrongFormatNameTheirKey() throws Exception {
        assertEquals("virtualClusters[0].tls.certificateFile: " + directory.resolve("nope.pem") + " does not exist",
                error(cluster("tls: { certificateFile: %s, keyFile: %s }"
                        .formatted(directory.resolve("nope.pem"), proxy.key()), "")));
        assertEquals("virtualClusters[0].tls.keyPassword: cannot decrypt the private key in " + encryptedKey
                        + ": the password is wrong",
                error(cluster("tls: { certificateFile: %s, keyFile: %s, keyPassword: wrong-password }"
                        .formatted(proxy.certificateChain(), encryptedKey), "")));
        assertEquals("virtualClusters[0].tls.keyPassword: " + encryptedKey + " holds an encrypted private key, "
                        + "and no password is given for it",
                error(cluster("tls: { certificateFile: %s, keyFile: %s }"
                        .formatted(proxy.certificateChain(), encryptedKey), "")));
        assertTrue(error(cluster("tls: { keyStore: { file: %s, password: wrong-password } }".formatted(pkcs12), ""))
                .startsWith("virtualClusters[0].tls.keyStore.password: "));
        assertTrue(error(cluster("tls: { keyStore: { file: %s, type: PKCS12, password: %s } }"
                .formatted(proxy.certificateChain(), PASSWORD), "")).startsWith("virtualClusters[0].tls.keyStore.file: "
                + "cannot read " + proxy.certificateChain() + " as a PKCS12 key store: "));
        assertEquals("virtualClusters[0].tls.keyFile: " + proxy.certificateChain()
                        + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)",
                error(cluster("tls: { certificateFile: %s, keyFile: %s }"
                        .formatted(proxy.certificateChain(), proxy.certificateChain()), "")));
        assertTrue(error(cluster("", "tls: { trustStore: { file: %s, password: wrong-password } }"
                .formatted(trustPkcs12))).startsWith("virtualClusters[0].target.tls.trustStore.password: "));
    }

    @Test
    void settingsThatDoNotFitTogetherNameTheirKey() throws Exception {
        String files = "certificateFile: %s, keyFile: %s".formatted(proxy.certificateChain(), proxy.key());
        assertEquals("virtualClusters[0].tls: the proxy's certificate is missing: give certificateFile and keyFile, "
                + "or keyStore", error(cluster("tls: { clientAuth: none }", "")));
        assertEquals("virtualClusters[0].tls.keyStore: give either certificateFile and keyFile, or keyStore, not "
                + "both", error(cluster("tls: { %s, keyStore: { file: %s } }".formatted(files, pkcs12), "")));
        assertEquals("virtualClusters[0].tls.trustStore: required with clientAuth required: the certificates "
                + "(usually a CA's) that client certificates must chain to",
                error(cluster("tls: { %s, clientAuth: required }".formatted(files), "")));
        assertEquals("virtualClusters[0].tls.clientAuth: 'optional' is not one of none, requested, required",
                error(cluster("tls: { %s, clientAuth: optional }".formatted(files), "")));
        assertEquals("virtualClusters[0].tls.protocols[1]: 'TLSv1.1' is not allowed; only TLSv1.3 and TLSv1.2 are "
                + "safe", error(cluster("tls: { %s, protocols: [TLSv1.2, TLSv1.1] }".formatted(files), "")));
        assertTrue(error(cluster("tls: { %s, cipherSuites: [TLS_RSA_WITH_NULL_SHA256X] }".formatted(files), ""))
                .startsWith("virtualClusters[0].tls.cipherSuites: TLS_RSA_WITH_NULL_SHA256X not supported"));
        assertTrue(error(cluster("tls: { %s, principalMappingRules: \"RULE:nonsense\" }".formatted(files), ""))
                .startsWith("virtualClusters[0].tls.principalMappingRules: "));
        assertEquals("virtualClusters[0].sni: needs tls: clients name the host they want in the TLS handshake",
                error(cluster("sni: { domain: kafka.example.com }", "")));
        assertEquals("virtualClusters[0].nodeIds: not used with sni: every broker is reached through the bootstrap "
                + "port by its name", error(cluster("sni: { domain: k.example.com }\nnodeIds: { first: 0, last: 2 }\n"
                + "tls: { %s }".formatted(files), "")));
        assertEquals("virtualClusters[0].sni: broker host 'broker.example.com' must contain {nodeId} exactly once",
                error(cluster("sni: { bootstrapHost: b.example.com, brokerHost: broker.example.com }\n"
                        + "tls: { %s }".formatted(files), "")));
        assertEquals("virtualClusters[0].tls.unknownKey: unknown key (known: certificateFile, keyFile, keyPassword, "
                + "keyStore, clientAuth, trustStore, protocols, cipherSuites, principalMappingRules)",
                error(cluster("tls: { %s, unknownKey: 1 }".formatted(files), "")));
    }
}
