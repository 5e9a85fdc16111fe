package io.kanal.proxy.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A private key and the certificate chain that goes with it: what a TLS peer proves its identity with.
 *
 * <p>Two instances are equal when they hold the same key and the same certificates, byte for byte, so a configuration
 * read again from unchanged files compares equal to the running one. {@link #toString()} never shows the key.
 *
 * @param privateKey       the key, decrypted
 * @param certificateChain the key's own certificate first, then the certificates that signed it; at least one
 */
public record KeyCredentials(PrivateKey privateKey, List<X509Certificate> certificateChain) {

    public KeyCredentials {
        Objects.requireNonNull(privateKey, "privateKey");
        certificateChain = List.copyOf(certificateChain);
        if (certificateChain.isEmpty()) {
            throw new IllegalArgumentException("no certificate for the private key");
        }
    }

    /** The certificate of the key itself. */
    public X509Certificate certificate() {
        return certificateChain.get(0);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KeyCredentials that
                && privateKey.getAlgorithm().equals(that.privateKey.getAlgorithm())
                && Arrays.equals(privateKey.getEncoded(), that.privateKey.getEncoded())
                && certificateChain.equals(that.certificateChain);
    }

    @Override
    public int hashCode() {
        return certificateChain.hashCode();
    }

    @Override
    public String toString() {
        return "KeyCredentials[" + privateKey.getAlgorithm() + " key of " + certificate().getSubjectX500Principal()
                .getName() + "]";
    }
}
