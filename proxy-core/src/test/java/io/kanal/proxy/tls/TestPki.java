package io.kanal.proxy.tls;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A throw-away certificate authority for tests, made with the tools operators use: {@code openssl} for keys,
 * certificates and PKCS12 files, the JDK's {@code keytool} for JKS and trust stores. Nothing is committed: every test
 * run makes its own keys in a directory of its own.
 */
public final class TestPki {

    private static final int DAYS = 2;
    private static final AtomicInteger SERIAL = new AtomicInteger(1);

    private final Path directory;
    private final Path caCertificate;
    private final Path caKey;

    /** A certificate issued by this authority. */
    public record Issued(String name, Path certificateChain, Path key, Path certificate) {
    }

    private TestPki(Path directory, Path caCertificate, Path caKey) {
        this.directory = directory;
        this.caCertificate = caCertificate;
        this.caKey = caKey;
    }

    /** A new authority named {@code commonName}, its files in {@code directory}. */
    public static TestPki create(Path directory, String commonName) throws IOException, InterruptedException {
        Files.createDirectories(directory);
        Path certificate = directory.resolve("ca.pem");
        Path key = directory.resolve("ca.key");
        openssl(directory, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key.toString(), "-out", certificate.toString(), "-days", Integer.toString(DAYS),
                "-subj", "/CN=" + commonName,
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return new TestPki(directory, certificate, key);
    }

    /** The authority's own certificate, PEM: what a trust store holds. */
    public Path caCertificate() {
        return caCertificate;
    }

    public Path directory() {
        return directory;
    }

    /**
     * Issues an EC certificate for servers and clients alike.
     *
     * @param subject          e.g. {@code /CN=kanal/O=Test}
     * @param subjectAltNames  e.g. {@code DNS:localhost}, {@code IP:127.0.0.1}; none for a client certificate
     * @return the key (PKCS#8 PEM, unencrypted) and the certificate followed by the authority's
     */
    public Issued issue(String name, String subject, String... subjectAltNames) throws IOException, InterruptedException {
        return issue(name, subject, "ec", subjectAltNames);
    }

    /** As {@link #issue(String, String, String...)}, with an RSA key. */
    public Issued issueRsa(String name, String subject, String... subjectAltNames)
            throws IOException, InterruptedException {
        return issue(name, subject, "rsa", subjectAltNames);
    }

    private Issued issue(String name, String subject, String keyType, String... subjectAltNames)
            throws IOException, InterruptedException {
        Path key = directory.resolve(name + ".key");
        Path request = directory.resolve(name + ".csr");
        Path certificate = directory.resolve(name + ".crt");
        Path chain = directory.resolve(name + "-chain.pem");
        Path extensions = directory.resolve(name + ".ext");
        List<String> newKey = keyType.equals("ec")
                ? List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256")
                : List.of("-newkey", "rsa:2048");
        List<String> req = new ArrayList<>(List.of("req", "-new"));
        req.addAll(newKey);
        req.addAll(List.of("-nodes", "-keyout", key.toString(), "-out", request.toString(), "-subj", subject));
        openssl(directory, req.toArray(String[]::new));
        StringBuilder ext = new StringBuilder("basicConstraints=CA:FALSE\n"
                + "keyUsage=critical,digitalSignature,keyEncipherment\n"
                + "extendedKeyUsage=serverAuth,clientAuth\n");
        if (subjectAltNames.length > 0) {
            ext.append("subjectAltName=").append(String.join(",", subjectAltNames)).append('\n');
        }
        Files.writeString(extensions, ext.toString());
        openssl(directory, "x509", "-req", "-in", request.toString(), "-CA", caCertificate.toString(),
                "-CAkey", caKey.toString(), "-set_serial", Integer.toString(SERIAL.incrementAndGet()),
                "-days", Integer.toString(DAYS), "-extfile", extensions.toString(), "-out", certificate.toString());
        Files.writeString(chain, Files.readString(certificate) + Files.readString(caCertificate));
        return new Issued(name, chain, key, certificate);
    }

    /** The key and certificate chain of {@code issued}, as the proxy loads them. */
    public static KeyCredentials credentials(Issued issued) throws TlsFileException {
        return TlsFiles.pair(TlsFiles.readPrivateKey(issued.key(), null),
                TlsFiles.readCertificates(issued.certificateChain()), issued.certificateChain());
    }

    /** The authority's certificate, as the proxy loads it for a trust list. */
    public List<X509Certificate> trusted() throws TlsFileException {
        return TlsFiles.readCertificates(caCertificate);
    }

    /**
     * A JDK TLS context that trusts this authority and, unless {@code identity} is null, proves itself with
     * {@code identity}'s certificate: what a test's own TLS client or server uses.
     */
    public SSLContext sslContext(Issued identity) throws GeneralSecurityException, TlsFileException, IOException {
        return sslContext(identity, this, "TLS");
    }

    /**
     * A JDK TLS context for {@code protocol} (such as {@code TLSv1.2}, or {@code TLS} for any) that trusts
     * {@code trusted} and, unless {@code identity} is null, proves itself with {@code identity}'s certificate, which
     * any authority may have issued.
     */
    public static SSLContext sslContext(Issued identity, TestPki trusted, String protocol)
            throws GeneralSecurityException, TlsFileException, IOException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", trusted.trusted().get(0));
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        KeyManager[] keyManagers = null;
        if (identity != null) {
            KeyCredentials credentials = credentials(identity);
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("key", credentials.privateKey(), new char[0],
                    credentials.certificateChain().toArray(X509Certificate[]::new));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keys, new char[0]);
            keyManagers = factory.getKeyManagers();
        }
        SSLContext context = SSLContext.getInstance(protocol);
        context.init(keyManagers, trustManagers.getTrustManagers(), null);
        return context;
    }

    /** The key of {@code issued}, encrypted with {@code password} as {@code openssl pkcs8 -topk8} does by default. */
    public Path encryptedKey(Issued issued, String password) throws IOException, InterruptedException {
        Path encrypted = directory.resolve(issued.name() + "-encrypted.key");
        openssl(directory, "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", issued.key().toString(),
                "-out", encrypted.toString(), "-passout", "pass:" + password);
        return encrypted;
    }

    /** A PKCS12 key store with the key and chain of {@code issued} under the alias {@code issued.name()}. */
    public Path pkcs12(Issued issued, String password) throws IOException, InterruptedException {
        Path store = directory.resolve(issued.name() + ".p12");
        openssl(directory, "pkcs12", "-export", "-name", issued.name(), "-inkey", issued.key().toString(),
                "-in", issued.certificate().toString(), "-certfile", caCertificate.toString(),
                "-out", store.toString(), "-passout", "pass:" + password);
        return store;
    }

    /** A JKS key store with the key and chain of {@code issued}, converted from PKCS12 with keytool. */
    public Path jks(Issued issued, String password) throws IOException, InterruptedException {
        Path pkcs12 = pkcs12(issued, password);
        Path store = directory.resolve(issued.name() + ".jks");
        Files.deleteIfExists(store);
        keytool("-importkeystore", "-srckeystore", pkcs12.toString(), "-srcstoretype", "PKCS12",
                "-srcstorepass", password, "-destkeystore", store.toString(), "-deststoretype", "JKS",
                "-deststorepass", password, "-destkeypass", password, "-noprompt");
        return store;
    }

    /** A trust store of type {@code PKCS12} or {@code JKS} holding the authority's certificate, made by keytool. */
    public Path trustStore(String type, String password) throws IOException, InterruptedException {
        Path store = directory.resolve("truststore." + (type.equals("JKS") ? "jks" : "p12"));
        Files.deleteIfExists(store);
        keytool("-importcert", "-noprompt", "-alias", "test-ca", "-file", caCertificate.toString(),
                "-keystore", store.toString(), "-storetype", type, "-storepass", password);
        return store;
    }

    private static void openssl(Path directory, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(arguments));
        run(command, directory);
    }

    private void keytool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        run(command, directory);
    }

    private static void run(List<String> command, Path directory) throws IOException, InterruptedException {
        Path output = Files.createTempFile(directory, "tool-", ".out");
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within 60 s");
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed with exit code " + process.exitValue() + ":\n"
                    + Files.readString(output, StandardCharsets.UTF_8));
        }
    }
}
