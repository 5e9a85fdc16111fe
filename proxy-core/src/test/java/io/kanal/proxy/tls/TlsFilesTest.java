package io.kanal.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kanal.proxy.tls.TlsFiles.StoreType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading key material in every format operators bring, and refusing bad files with a message that helps. */
class TlsFilesTest {

    private static final String PASSWORD = "s3cret-Passw0rd";

    @TempDir
    static Path directory;
    private static TestPki pki;
    private static TestPki.Issued server;
    private static TestPki.Issued rsa;

    @BeforeAll
    static void makeCertificates() throws Exception {
        pki = TestPki.create(directory.resolve("pki"), "Kanal Test CA");
        server = pki.issue("server", "/O=Kanal/CN=kanal.test", "DNS:kanal.test", "IP:127.0.0.1");
        rsa = pki.issueRsa("rsa", "/CN=rsa.kanal.test");
    }

    @Test
    void aPemChainAndPlainKeyMakeCredentialsWithTheServerCertificateFirst() throws Exception {
        List<X509Certificate> chain = TlsFiles.readCertificates(server.certificateChain());
        KeyCredentials credentials = TlsFiles.pair(TlsFiles.readPrivateKey(server.key(), null), chain,
                server.certificateChain());

        assertEquals(2, credentials.certificateChain().size());
        assertEquals("CN=kanal.test,O=Kanal", credentials.certificate().getSubjectX500Principal().getName());
        assertEquals("EC", credentials.privateKey().getAlgorithm());
        assertFalse(credentials.toString().contains(credentials.privateKey().toString()),
                "toString must not show the key: " + credentials);
    }

    @Test
    void rsaKeysAreReadToo() throws Exception {
        PrivateKey key = TlsFiles.readPrivateKey(rsa.key(), null);
        assertEquals("RSA", key.getAlgorithm());
        TlsFiles.pair(key, TlsFiles.readCertificates(rsa.certificateChain()), rsa.certificateChain());
    }

    @Test
    void anEncryptedKeyIsDecryptedWithItsPassword() throws Exception {
        Path encrypted = pki.encryptedKey(server, PASSWORD);
        assertTrue(Files.readString(encrypted).contains("BEGIN ENCRYPTED PRIVATE KEY"));

        PrivateKey key = TlsFiles.readPrivateKey(encrypted, PASSWORD.toCharArray());

        assertEquals(TlsFiles.readPrivateKey(server.key(), null), key);
    }

    @Test
    void aWrongOrMissingPasswordIsReportedAsSuchWithoutTheWrongPassword() throws Exception {
        Path encrypted = pki.encryptedKey(server, PASSWORD);

        TlsFileException wrong = assertThrows(TlsFileException.class,
                () -> TlsFiles.readPrivateKey(encrypted, "not-the-password".toCharArray()));
        assertTrue(wrong.wrongPassword());
        assertTrue(wrong.getMessage().contains("password is wrong"), wrong.getMessage());
        assertFalse(wrong.getMessage().contains("not-the-password"), wrong.getMessage());

        TlsFileException missing = assertThrows(TlsFileException.class,
                () -> TlsFiles.readPrivateKey(encrypted, null));
        assertTrue(missing.wrongPassword());
        assertTrue(missing.getMessage().contains("no password is given"), missing.getMessage());
    }

    @Test
    void aKeyThatIsNotTheFirstCertificatesIsRefused() throws Exception {
        List<X509Certificate> otherChain = TlsFiles.readCertificates(rsa.certificateChain());
        PrivateKey key = TlsFiles.readPrivateKey(server.key(), null);

        TlsFileException e = assertThrows(TlsFileException.class,
                () -> TlsFiles.pair(key, otherChain, rsa.certificateChain()));
        assertTrue(e.getMessage().contains("is not the private key's"), e.getMessage());
    }

    @Test
    void pkcs12AndJksKeyStoresHoldTheSameCredentialsAsThePemFiles() throws Exception {
        KeyCredentials pem = TestPki.credentials(server);

        KeyStore pkcs12 = TlsFiles.readKeyStore(pki.pkcs12(server, PASSWORD), StoreType.PKCS12,
                PASSWORD.toCharArray());
        KeyStore jks = TlsFiles.readKeyStore(pki.jks(server, PASSWORD), StoreType.JKS, PASSWORD.toCharArray());

        assertEquals(pem, TlsFiles.keyEntry(pkcs12, directory, null, PASSWORD.toCharArray()));
        assertEquals(pem, TlsFiles.keyEntry(jks, directory, "server", PASSWORD.toCharArray()));
    }

    @Test
    void aKeyStoreWithAWrongPasswordOrAnUnknownAliasIsRefused() throws Exception {
        Path store = pki.pkcs12(server, PASSWORD);

        TlsFileException wrong = assertThrows(TlsFileException.class,
                () -> TlsFiles.readKeyStore(store, StoreType.PKCS12, "wrong".toCharArray()));
        assertTrue(wrong.wrongPassword(), wrong.getMessage());
        assertTrue(wrong.getMessage().contains(store.toString()), wrong.getMessage());

        KeyStore opened = TlsFiles.readKeyStore(store, StoreType.PKCS12, PASSWORD.toCharArray());
        TlsFileException alias = assertThrows(TlsFileException.class,
                () -> TlsFiles.keyEntry(opened, store, "nope", PASSWORD.toCharArray()));
        assertTrue(alias.getMessage().contains("no private key under the alias 'nope'"), alias.getMessage());
    }

    @Test
    void trustStoresInEveryFormatHoldTheAuthority() throws Exception {
        X509Certificate authority = TlsFiles.readCertificates(pki.caCertificate()).get(0);
        for (String type : List.of("PKCS12", "JKS")) {
            Path store = pki.trustStore(type, PASSWORD);
            List<X509Certificate> trusted = TlsFiles.trustedCertificates(
                    TlsFiles.readKeyStore(store, StoreType.guess(store), PASSWORD.toCharArray()), store);
            assertEquals(List.of(authority), trusted, type);
        }
        // A key store made for a key, not for trust, has no certificate entries.
        Path keyStore = pki.pkcs12(server, PASSWORD);
        assertThrows(TlsFileException.class, () -> TlsFiles.trustedCertificates(
                TlsFiles.readKeyStore(keyStore, StoreType.PKCS12, PASSWORD.toCharArray()), keyStore));
    }

    @Test
    void missingFilesDirectoriesAndWrongContentAreNamed() throws Exception {
        Path missing = directory.resolve("missing.pem");
        assertEquals(missing + " does not exist",
                assertThrows(TlsFileException.class, () -> TlsFiles.readCertificates(missing)).getMessage());
        assertTrue(assertThrows(TlsFileException.class, () -> TlsFiles.readCertificates(directory)).getMessage()
                .contains("is a directory"));
        // A key file given as the certificate file, and the other way round.
        assertTrue(assertThrows(TlsFileException.class, () -> TlsFiles.readCertificates(server.key())).getMessage()
                .contains("holds no PEM certificate"));
        assertTrue(assertThrows(TlsFileException.class,
                () -> TlsFiles.readPrivateKey(server.certificateChain(), null)).getMessage()
                .contains("holds no PEM private key"));
    }

    @Test
    void aTraditionalOpenSslKeyIsRefusedWithTheCommandThatConvertsIt() throws Exception {
        Path traditional = directory.resolve("traditional.key");
        new ProcessBuilder("openssl", "rsa", "-in", rsa.key().toString(), "-traditional", "-out",
                traditional.toString()).redirectErrorStream(true).start().waitFor();
        assertTrue(Files.readString(traditional).contains("BEGIN RSA PRIVATE KEY"));

        TlsFileException e = assertThrows(TlsFileException.class, () -> TlsFiles.readPrivateKey(traditional, null));
        assertTrue(e.getMessage().contains("openssl pkcs8 -topk8"), e.getMessage());
    }

    @Test
    void credentialsCompareByContent() throws Exception {
        assertEquals(TestPki.credentials(server), TestPki.credentials(server));
        assertNotEquals(TestPki.credentials(server), TestPki.credentials(rsa));
    }

    @Test
    void storeTypesAreGuessedFromTheFileName() {
        assertEquals(StoreType.JKS, StoreType.guess(Path.of("trust.jks")));
        assertEquals(StoreType.PEM, StoreType.guess(Path.of("ca.crt")));
        assertEquals(StoreType.PKCS12, StoreType.guess(Path.of("keystore.p12")));
    }
}
