package io.kanal.proxy.tls;

import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Reads TLS key material from the files operators have: PEM (certificates, and PKCS#8 private keys, plain or
 * encrypted), PKCS12 and JKS key stores. Every failure is a {@link TlsFileException} naming the file and what is wrong
 * with it; passwords never appear in messages.
 */
public final class TlsFiles {

    /** The formats a key or trust store file can have. */
    public enum StoreType {
        PEM, PKCS12, JKS;

        /**
         * The type a file name suggests: {@code .jks} is JKS, {@code .pem}, {@code .crt} and {@code .cer} are PEM,
         * anything else PKCS12 (the JDK's default key store type, with the extensions {@code .p12} and {@code .pfx}).
         */
        public static StoreType guess(Path file) {
            String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".jks")) {
                return JKS;
            }
            if (name.endsWith(".pem") || name.endsWith(".crt") || name.endsWith(".cer")) {
                return PEM;
            }
            return PKCS12;
        }
    }

    /** The key algorithms tried, in turn, on a PKCS#8 key; the first whose factory accepts it is the key's. */
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA");
    private static final byte[] PROBE = "kanal key check".getBytes(StandardCharsets.US_ASCII);

    private TlsFiles() {
    }

    /** Every certificate in a PEM file, in file order; at least one. */
    public static List<X509Certificate> readCertificates(Path file) throws TlsFileException {
        List<X509Certificate> certificates = new ArrayList<>();
        for (PemBlocks.Block block : pemBlocks(file)) {
            if (block.label().equals("CERTIFICATE")) {
                certificates.add(certificate(block.der(), file));
            }
        }
        if (certificates.isEmpty()) {
            throw new TlsFileException(file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return certificates;
    }

    /**
     * The private key in a PEM file: PKCS#8, either plain ({@code BEGIN PRIVATE KEY}) or encrypted with a password
     * ({@code BEGIN ENCRYPTED PRIVATE KEY}).
     *
     * @param password the password of an encrypted key; {@code null} or empty for a plain one
     */
    public static PrivateKey readPrivateKey(Path file, char[] password) throws TlsFileException {
        List<PemBlocks.Block> keys = pemBlocks(file).stream().filter(block -> block.label().endsWith("PRIVATE KEY"))
                .toList();
        if (keys.isEmpty()) {
            throw new TlsFileException(file + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
        }
        if (keys.size() > 1) {
            throw new TlsFileException(file + " holds " + keys.size() + " private keys; it must hold exactly one");
        }
        PemBlocks.Block key = keys.get(0);
        switch (key.label()) {
            case "PRIVATE KEY" -> {
                return privateKey(key.der(), file);
            }
            case "ENCRYPTED PRIVATE KEY" -> {
                if (password == null || password.length == 0) {
                    throw new TlsFileException(file + " holds an encrypted private key, and no password is given for it",
                            true);
                }
                return privateKey(decrypt(key.der(), password, file), file);
            }
            default -> throw new TlsFileException(file + " holds a private key in the traditional OpenSSL format ("
                    + "BEGIN " + key.label() + (key.hasHeader() ? ", encrypted" : "") + "), which is not supported; "
                    + "convert it to PKCS#8 with: openssl pkcs8 -topk8 -in " + file.getFileName() + " -out key.pem"
                    + (key.hasHeader() ? "" : " -nocrypt"));
        }
    }

    /**
     * Pairs a private key with its certificate chain, checking that the first certificate is the key's own.
     *
     * @param chain the certificates as read, key's own first
     */
    public static KeyCredentials pair(PrivateKey key, List<X509Certificate> chain, Path certificateFile)
            throws TlsFileException {
        X509Certificate certificate = chain.get(0);
        if (!belongTogether(key, certificate)) {
            throw new TlsFileException("the first certificate in " + certificateFile + " (" + certificate
                    .getSubjectX500Principal().getName() + ") is not the private key's; the key's own certificate "
                    + "must come first, followed by the certificates that signed it");
        }
        return new KeyCredentials(key, chain);
    }

    /** Opens a PKCS12 or JKS key store. */
    public static KeyStore readKeyStore(Path file, StoreType type, char[] password) throws TlsFileException {
        if (type == StoreType.PEM) {
            throw new IllegalArgumentException("PEM files are not key stores");
        }
        byte[] bytes = read(file);
        KeyStore store;
        try {
            store = KeyStore.getInstance(type.name());
        } catch (KeyStoreException e) {
            throw new TlsFileException("this JVM cannot read " + type + " key stores: " + e.getMessage());
        }
        try {
            store.load(new ByteArrayInputStream(bytes), password == null ? new char[0] : password);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new TlsFileException("cannot open " + file + ": the password is wrong", true);
            }
            throw new TlsFileException("cannot read " + file + " as a " + type + " key store: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new TlsFileException("cannot read " + file + " as a " + type + " key store: " + e.getMessage());
        }
        return store;
    }

    /**
     * The private key entry of a key store with its certificate chain.
     *
     * @param alias       the entry to use; {@code null} when the store holds exactly one private key
     * @param keyPassword the entry's password
     */
    public static KeyCredentials keyEntry(KeyStore store, Path file, String alias, char[] keyPassword)
            throws TlsFileException {
        String chosen = alias;
        try {
            if (chosen == null) {
                List<String> keyAliases = new ArrayList<>();
                for (String candidate : Collections.list(store.aliases())) {
                    if (store.isKeyEntry(candidate)) {
                        keyAliases.add(candidate);
                    }
                }
                if (keyAliases.size() != 1) {
                    throw new TlsFileException(file + (keyAliases.isEmpty() ? " holds no private key"
                            : " holds " + keyAliases.size() + " private keys " + keyAliases + "; name the one to use "
                            + "with alias"));
                }
                chosen = keyAliases.get(0);
            } else if (!store.isKeyEntry(chosen)) {
                throw new TlsFileException(file + " has no private key under the alias '" + chosen + "'");
            }
            Key key;
            try {
                key = store.getKey(chosen, keyPassword == null ? new char[0] : keyPassword);
            } catch (UnrecoverableKeyException e) {
                throw new TlsFileException("cannot read the private key '" + chosen + "' in " + file
                        + ": its password is wrong", true);
            }
            if (!(key instanceof PrivateKey privateKey)) {
                throw new TlsFileException("the entry '" + chosen + "' in " + file + " is not a private key");
            }
            Certificate[] chain = store.getCertificateChain(chosen);
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate certificate : chain == null ? new Certificate[0] : chain) {
                if (certificate instanceof X509Certificate x509) {
                    certificates.add(x509);
                }
            }
            if (certificates.isEmpty()) {
                throw new TlsFileException("the private key '" + chosen + "' in " + file + " has no certificate");
            }
            return pair(privateKey, certificates, file);
        } catch (KeyStoreException | NoSuchAlgorithmException e) {
            throw new TlsFileException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** The trusted certificates of a key store: its certificate entries, as {@code keytool -importcert} makes them. */
    public static List<X509Certificate> trustedCertificates(KeyStore store, Path file) throws TlsFileException {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.isCertificateEntry(alias) && store.getCertificate(alias) instanceof X509Certificate x509) {
                    certificates.add(x509);
                }
            }
        } catch (KeyStoreException e) {
            throw new TlsFileException("cannot read " + file + ": " + e.getMessage());
        }
        if (certificates.isEmpty()) {
            throw new TlsFileException(file + " holds no trusted certificate entries (keytool -importcert adds them)");
        }
        return certificates;
    }

    private static List<PemBlocks.Block> pemBlocks(Path file) throws TlsFileException {
        try {
            return PemBlocks.parse(read(file));
        } catch (IllegalArgumentException e) {
            throw new TlsFileException(file + " is not a valid PEM file: " + e.getMessage());
        }
    }

    private static byte[] read(Path file) throws TlsFileException {
        try {
            if (Files.isDirectory(file)) {
                throw new TlsFileException(file + " is a directory, not a file");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TlsFileException(file + " does not exist");
        } catch (AccessDeniedException e) {
            throw new TlsFileException(file + " cannot be read: permission denied");
        } catch (IOException e) {
            throw new TlsFileException(file + " cannot be read: " + e.getMessage());
        }
    }

    private static X509Certificate certificate(byte[] der, Path file) throws TlsFileException {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new TlsFileException(file + " holds a certificate that cannot be read: " + e.getMessage());
        }
    }

    private static PrivateKey privateKey(byte[] pkcs8, Path file) throws TlsFileException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(pkcs8);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException | IllegalArgumentException notThisAlgorithm) {
                // the next algorithm may be the key's
            }
        }
        throw new TlsFileException(file + " holds a private key of an unsupported algorithm, or a damaged one");
    }

    /**
     * Decrypts an encrypted PKCS#8 key. OpenSSL encrypts with PBES2, for which the JDK names the cipher only in the
     * parameters ({@code PBEWithHmacSHA256AndAES_256}), not in the algorithm name.
     */
    private static byte[] decrypt(byte[] der, char[] password, Path file) throws TlsFileException {
        EncryptedPrivateKeyInfo info;
        try {
            info = new EncryptedPrivateKeyInfo(der);
        } catch (IOException e) {
            throw new TlsFileException(file + " holds an encrypted private key that cannot be read: " + e.getMessage());
        }
        AlgorithmParameters parameters = info.getAlgParameters();
        String algorithm = info.getAlgName();
        if ((algorithm.equals("PBES2") || algorithm.equals("1.2.840.113549.1.5.13")) && parameters != null) {
            algorithm = parameters.toString();
        }
        Cipher cipher;
        try {
            cipher = Cipher.getInstance(algorithm);
            cipher.init(Cipher.DECRYPT_MODE, SecretKeyFactory.getInstance(algorithm)
                    .generateSecret(new PBEKeySpec(password)), parameters);
        } catch (GeneralSecurityException e) {
            throw new TlsFileException(file + " holds a private key encrypted with " + algorithm + ", which this JVM "
                    + "cannot decrypt; re-encrypt it with: openssl pkcs8 -topk8 -v2 aes-256-cbc");
        }
        try {
            return info.getKeySpec(cipher).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new TlsFileException("cannot decrypt the private key in " + file + ": the password is wrong", true);
        }
    }

    private static Signature signature(String algorithm) throws GeneralSecurityException {
        Signature signature = Signature.getInstance(algorithm);
        if (algorithm.equals("RSASSA-PSS")) {
            signature.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        }
        return signature;
    }

    /** Whether {@code key} signs what the certificate's public key verifies. */
    private static boolean belongTogether(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "DSA" -> "SHA256withDSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> key.getAlgorithm();
        };
        try {
            Signature signer = signature(algorithm);
            signer.initSign(key);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = signature(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(PROBE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
